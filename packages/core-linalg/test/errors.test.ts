import { describe, expect, it } from 'vitest';
import { BBP_ERROR_MARKER, BbpError, ConvergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../src/errors.js';

describe('typed errors across package copies', () => {
  it('isInstance recognises an error thrown by a second copy of the module, which instanceof does not', async () => {
    // A query string makes the module loader evaluate errors.ts again: a distinct class, as a second install is.
    const secondCopy = '../src/errors.js?second-copy';
    const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import('../src/errors.js');
    expect(copy.ShapeError).not.toBe(ShapeError);
    const foreign = new copy.ShapeError('ridgeSolve', 'T', ['n', 'm'], [3, 2]);
    expect(foreign instanceof ShapeError).toBe(false);
    expect(ShapeError.isInstance(foreign)).toBe(true);
    expect(BbpError.isInstance(foreign)).toBe(true);
    expect(NonFiniteError.isInstance(foreign)).toBe(false);
    expect(copy.BBP_ERROR_MARKER).toBe(BBP_ERROR_MARKER);
  });

  it('a plain object carrying the marker passes isInstance for each class it lists, and only those', () => {
    const foreign = { [BBP_ERROR_MARKER]: ['DatasetNotFoundError', 'DatasetFileError', 'BbpError'], code: 'x' };
    expect(BbpError.isInstance(foreign)).toBe(true);
    expect(ShapeError.isInstance(foreign)).toBe(false);
    class DatasetFileError extends BbpError {}
    expect(DatasetFileError.isInstance(foreign)).toBe(true);
  });

  it('records the class chain from the concrete class to BbpError, not enumerable', () => {
    class SubShape extends ShapeError {}
    const e = new SubShape('f', 'x', [2], [3]);
    expect(e[BBP_ERROR_MARKER]).toEqual(['SubShape', 'ShapeError', 'BbpError']);
    expect(Object.keys(e)).not.toContain(String(BBP_ERROR_MARKER));
    expect(SubShape.isInstance(e) && ShapeError.isInstance(e) && BbpError.isInstance(e)).toBe(true);
    expect(SubShape.isInstance(new ShapeError('f', 'x', [2], [3]))).toBe(false);
    expect(new ConvergenceError('svd', 'x')[BBP_ERROR_MARKER]).toEqual(['ConvergenceError', 'BbpError']);
  });

  it('rejects non-errors: null, primitives, plain errors, objects whose marker is not a list', () => {
    for (const v of [null, undefined, 3, 'ShapeError', new Error('x'), { [BBP_ERROR_MARKER]: 'BbpError' }, {}]) {
      expect(BbpError.isInstance(v)).toBe(false);
    }
    expect(InvalidArgumentError.isInstance(new InvalidArgumentError('f', 'a', 'must be positive', -1))).toBe(true);
  });
});
