import { describe, expect, it } from 'vitest';
import { dataParallelMethodOptions } from '../src/data-parallel-method.js';
import { DEFAULT_STATE, formatHash, parseHash } from '../src/hash-state.js';

const METHODS = ['backprop', 'data-parallel'];

describe('the data-parallel link keys', () => {
  it('reads workers and codec, and round-trips them through formatHash', () => {
    const { state, errors } = parseHash('#dataset=two-moons&method=data-parallel&workers=4&codec=fixed8', METHODS);
    expect(errors).toEqual([]);
    expect(state).toMatchObject({ methods: ['data-parallel'], workers: 4, codec: 'fixed8' });
    expect(parseHash(formatHash(state), METHODS).state).toEqual(state);
    expect(formatHash({ ...DEFAULT_STATE, methods: ['data-parallel'] })).not.toMatch(/workers|codec/);
  });

  it.each([
    ['workers=0', "workers must be a whole number from 1 to 8, got '0'"],
    ['workers=9', "workers must be a whole number from 1 to 8, got '9'"],
    ['workers=1.5', "workers must be a whole number from 1 to 8, got '1.5'"],
    ['codec=zip', "codec must be one of none, fixed8, huffman, got 'zip'"],
  ])('rejects %s with a message and keeps the default', (hash, message) => {
    const { state, errors } = parseHash(`method=data-parallel&${hash}`, METHODS);
    expect(errors).toEqual([message]);
    expect(state.workers).toBeUndefined();
    expect(state.codec).toBeUndefined();
  });
});

describe('the data-parallel method options of a run', () => {
  it('default to 2 workers and the Huffman codec, and apply only to data-parallel', () => {
    expect(dataParallelMethodOptions('data-parallel', {})).toEqual({ workers: 2, codec: 'huffman' });
    expect(dataParallelMethodOptions('data-parallel', { workers: 3, codec: 'none' })).toEqual({ workers: 3, codec: 'none' });
    expect(dataParallelMethodOptions('backprop', { workers: 3 })).toEqual({});
  });
});
