import { describe, expect, it } from 'vitest';
import { dataParallelControlValues, dataParallelLinkEntries, showsDataParallelControls } from '../src/data-parallel-controls.js';
import { dataParallelMethodOptions } from '../src/data-parallel-method.js';
import { DEFAULT_STATE, formatHash, parseHash } from '../src/hash-state.js';
import { isReplicaBackendMessage, replicaBackendOrder, replicaOrderFromName, replicaWorkerName, summariseReplicaBackends } from '../src/replica-backend.js';

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

  it("carry the panel's resolved backend for the replicas when given", () => {
    expect(dataParallelMethodOptions('data-parallel', { workers: 3 }, 'cpu')).toEqual({ workers: 3, codec: 'huffman', replicaBackend: 'cpu' });
    expect(dataParallelMethodOptions('backprop', {}, 'cpu')).toEqual({});
  });
});

describe('the data-parallel controls ↔ the link', () => {
  it('show only while either panel trains data-parallel', () => {
    expect(showsDataParallelControls(['data-parallel'])).toBe(true);
    expect(showsDataParallelControls(['backprop', 'data-parallel'])).toBe(true);
    expect(showsDataParallelControls(['backprop', 'target-space'])).toBe(false);
    expect(showsDataParallelControls([])).toBe(false);
  });

  it('show what the link says, empty for the defaults', () => {
    const { state } = parseHash('#dataset=two-moons&method=data-parallel&workers=3&codec=fixed8', METHODS);
    expect(dataParallelControlValues(state)).toEqual({ workers: '3', codec: 'fixed8' });
    expect(dataParallelControlValues(parseHash('#method=data-parallel', METHODS).state)).toEqual({ workers: '', codec: '' });
  });

  /** The state the page reads back from control values (as `readControls` does: link entries through `parseHash`). */
  const fromControls = (workers: string, codec: string) =>
    parseHash(new URLSearchParams([['method', 'data-parallel'], ...dataParallelLinkEntries({ workers, codec })]).toString(), METHODS);

  it('write changed values into the link and leave defaults out', () => {
    expect(dataParallelLinkEntries({ workers: ' 2 ', codec: '' })).toEqual([['workers', '2']]);
    expect(dataParallelLinkEntries({ workers: '', codec: '' })).toEqual([]);
    const { state, errors } = fromControls('2', 'none');
    expect(errors).toEqual([]);
    expect(formatHash(state)).toMatch(/&workers=2&codec=none$/);
    expect(formatHash(fromControls('', '').state)).not.toMatch(/workers|codec/);
  });

  it('round-trip: link → controls → link', () => {
    for (const hash of ['workers=1&codec=none', 'workers=8&codec=huffman', 'workers=5', 'codec=fixed8', '']) {
      const { state } = parseHash(`method=data-parallel&${hash}`, METHODS);
      const values = dataParallelControlValues(state);
      const back = fromControls(values.workers, values.codec);
      expect(back.errors).toEqual([]);
      expect({ workers: back.state.workers, codec: back.state.codec }, hash).toEqual({ workers: state.workers, codec: state.codec });
    }
  });

  it('reject an out-of-range replica count typed into the control', () => {
    expect(fromControls('9', '').errors).toEqual(["workers must be a whole number from 1 to 8, got '9'"]);
  });
});

describe("the replicas' backend", () => {
  it("is the panel's resolved backend, then the browser order after it", () => {
    expect(replicaBackendOrder('cpu')).toEqual(['cpu']);
    expect(replicaBackendOrder('wasm')).toEqual(['wasm', 'cpu']);
    expect(replicaBackendOrder('webgl')).toEqual(['webgl', 'wasm', 'cpu']);
    expect(replicaBackendOrder('webgpu')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(replicaBackendOrder('tfjs-node')).toEqual(['wasm', 'cpu']);
  });

  it("travels in the replica worker's name", () => {
    expect(replicaWorkerName(1, ['cpu'])).toBe('replica-1 [cpu]');
    expect(replicaOrderFromName(replicaWorkerName(0, ['webgl', 'wasm', 'cpu']))).toEqual(['webgl', 'wasm', 'cpu']);
    expect(replicaOrderFromName('replica-0')).toEqual(['wasm', 'cpu']);
    expect(replicaOrderFromName('replica-0 [cpu,tpu]')).toEqual(['wasm', 'cpu']);
  });

  it('is reported by each replica and summarised for the panel', () => {
    expect(isReplicaBackendMessage({ t: 'bbp-replica-backend', backend: 'cpu', skipped: [] })).toBe(true);
    expect(isReplicaBackendMessage({ t: 'm', kind: 'ready' })).toBe(false);
    expect(isReplicaBackendMessage(null)).toBe(false);
    expect(summariseReplicaBackends(['cpu', undefined, 'cpu'])).toBe('cpu');
    expect(summariseReplicaBackends(['webgl', 'wasm', 'webgl'])).toBe('webgl,wasm');
    expect(summariseReplicaBackends([])).toBe('');
  });
});
