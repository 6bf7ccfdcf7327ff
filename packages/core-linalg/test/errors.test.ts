import { describe, expect, it } from 'vitest';
import {
  BBP_ERROR_MARKER,
  BackendUnavailableError,
  BbpError,
  ConvergenceError,
  DTypeError,
  formatShape,
  InvalidArgumentError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
} from '../src/errors.js';

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

describe('error fields and messages', () => {
  it('the marker is the realm-wide Symbol.for key, frozen and not enumerable; instanceof alone also counts', () => {
    expect(BBP_ERROR_MARKER).toBe(Symbol.for('beyond-backprop.error'));
    const e = new ShapeError('f', 'x', [2], [3]);
    expect(Object.isFrozen(e[BBP_ERROR_MARKER])).toBe(true);
    expect(Object.prototype.propertyIsEnumerable.call(e, BBP_ERROR_MARKER)).toBe(false);
    expect(Object.getOwnPropertySymbols({ ...e })).toEqual([]);
    expect([e.name, e.code, e instanceof Error]).toEqual(['ShapeError', 'shape', true]);
    // An object on the prototype chain without the marker is still an instance (instanceof is checked first).
    expect(ShapeError.isInstance(Object.create(ShapeError.prototype))).toBe(true);
    // Only objects are read for the marker: a function carrying it is not an error.
    const fn = Object.assign(() => undefined, { [BBP_ERROR_MARKER]: ['BbpError'] });
    expect(BbpError.isInstance(fn)).toBe(false);
    expect(new BbpError('c', 'm')[BBP_ERROR_MARKER]).toEqual(['BbpError']);
  });

  it('formatShape prints symbolic dimensions by name and null as ?', () => {
    expect(formatShape([null, 'n', 3])).toBe('[?, n, 3]');
    expect(formatShape([])).toBe('[]');
  });

  it('ShapeError and DTypeError name the function, the argument and both shapes or dtypes', () => {
    const s = new ShapeError('ridgeSolve', 'T', [194, 'm'], [193, 5], 'rows matching A');
    expect(s.message).toBe("ridgeSolve: argument 'T' must have shape [194, m], got [193, 5] (rows matching A)");
    expect([s.fn, s.argument, s.expected, s.actual]).toEqual(['ridgeSolve', 'T', [194, 'm'], [193, 5]]);
    expect(new ShapeError('f', 'x', [2], [3]).message).toBe("f: argument 'x' must have shape [2], got [3]");
    const d = new DTypeError('f', 'x', 'float32', 'int32');
    expect(d.message).toBe("f: argument 'x' must have dtype float32, got int32");
    expect([d.code, d.fn, d.argument, d.expected, d.actual]).toEqual(['dtype', 'f', 'x', 'float32', 'int32']);
  });

  it('NonFiniteError places the value by row and column, flat index, or where it was detected', () => {
    const m = new NonFiniteError('f', 'A', 7, Number.NaN, [3, 3]);
    expect(m.message).toBe("f: argument 'A' contains NaN at row 2, column 1; all values must be finite");
    expect([m.code, m.fn, m.argument, m.index, m.value]).toEqual(['non-finite', 'f', 'A', 7, Number.NaN]);
    expect(new NonFiniteError('f', 'A', 0, -Infinity, [2, 2]).message).toContain('-Infinity at row 0, column 0;');
    expect(new NonFiniteError('f', 'v', 4, Infinity, [9]).message).toBe("f: argument 'v' contains Infinity at index 4; all values must be finite");
    expect(new NonFiniteError('f', 'v', 4, Infinity).message).toContain('at index 4;');
    expect(new NonFiniteError('f', 'A', -1, Infinity, [2, 2], 'the Gram matrix').message).toContain('Infinity (detected in the Gram matrix);');
    expect(new NonFiniteError('f', 'A', -1, Infinity).message).toContain('(detected in a derived value)');
  });

  it('InvalidArgumentError describes what it received', () => {
    const msg = (v: unknown) => new InvalidArgumentError('f', 'a', 'must be positive', v).message;
    expect(msg(-1)).toBe("f: argument 'a' must be positive, got -1");
    expect(msg('x')).toBe('f: argument \'a\' must be positive, got "x"');
    expect([msg(true), msg(null), msg(undefined)].map((m) => m.split('got ')[1])).toEqual(['true', 'null', 'undefined']);
    expect(msg([1, 2, 3])).toMatch(/got an array of length 3$/);
    expect(msg({})).toMatch(/got object$/);
    expect(msg(() => 1)).toMatch(/got function$/);
    const e = new InvalidArgumentError('f', 'a', 'r', 1);
    expect([e.code, e.fn, e.argument]).toEqual(['invalid-argument', 'f', 'a']);
  });

  it('NotPositiveDefiniteError, BackendUnavailableError and ConvergenceError keep their fields', () => {
    const p = new NotPositiveDefiniteError('cholesky', 'G', 3, -0.5);
    expect(p.message).toBe("cholesky: argument 'G' is not positive definite (pivot 3 is -0.5); for a Gram matrix, raise the ridge constant lambda");
    expect([p.code, p.fn, p.argument, p.pivot]).toEqual(['not-positive-definite', 'cholesky', 'G', 3]);
    const attempts = [{ backend: 'webgpu', error: 'no adapter' }];
    const b = new BackendUnavailableError('none', attempts);
    expect([b.code, b.message, b.attempts]).toEqual(['backend-unavailable', 'none', attempts]);
    const c = new ConvergenceError('svd', 'no convergence after 60 sweeps');
    expect([c.code, c.fn, c.message]).toEqual(['no-convergence', 'svd', 'svd: no convergence after 60 sweeps']);
  });
});
