import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@beyond-backprop/core-linalg';
import {
  CheckpointError,
  CheckpointReader,
  checkpointEnvelope,
  denseNetwork,
  decodeCheckpoint,
  disposeOptimizer,
  encodeCheckpoint,
  optimizerFromState,
  restoreOptimizerState,
  saveOptimizerState,
  type OptimizerState,
} from '../src/index.js';
import { fileSystemHandler, loadCheckpoint, loadLayersModel, saveCheckpoint, saveLayersModel } from '../src/node.js';

let dir = '';
beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  dir = await mkdtemp(join(tmpdir(), 'bbp-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample = () => ({
  ...checkpointEnvelope('Test'),
  iterations: 7,
  params: [
    { rows: 1, cols: 4, data: [0.1, -0, Number.NaN, 1e300] },
    { rows: 1, cols: 2, data: new Float32Array([0.5, Infinity]) },
  ],
  empty: [],
  names: ['a', 'b'],
  nested: { flag: true, label: null },
});

describe('binary checkpoint form', () => {
  it('keeps every bit, NaN and -0 included, which JSON turns into null and 0', () => {
    const back = decodeCheckpoint(encodeCheckpoint(sample())) as ReturnType<typeof sample>;
    expect(Array.from(back.params[0].data, (v) => Object.is(v, -0))).toEqual([false, true, false, false]);
    expect(back.params[0].data).toEqual([0.1, -0, Number.NaN, 1e300]);
    expect(back.params[1].data).toEqual([0.5, Infinity]);
    expect(back).toMatchObject({
      format: 'beyond-backprop/checkpoint',
      version: 1,
      kind: 'Test',
      iterations: 7,
      empty: [],
      names: ['a', 'b'],
      nested: { flag: true, label: null },
    });
    expect((JSON.parse(JSON.stringify(sample())) as ReturnType<typeof sample>).params[0].data[2]).toBeNull();
  });

  it('is compact: float32-exact arrays take 4 bytes a value, others 8', () => {
    const f32 = Array.from({ length: 1000 }, (_, i) => Math.fround(i / 7));
    const f64 = Array.from({ length: 1000 }, (_, i) => i / 7);
    expect(encodeCheckpoint({ a: f32 }).length).toBeLessThan(4200);
    expect(encodeCheckpoint({ a: f64 }).length).toBeGreaterThan(8000);
    expect(encodeCheckpoint({ a: f64 }).length).toBeLessThan(8200);
    expect(JSON.stringify({ a: f64 }).length).toBeGreaterThan(15000);
  });

  it('rejects truncated, padded or corrupt bytes with CheckpointError naming the field, never trusting a claimed size', () => {
    const bytes = encodeCheckpoint(sample());
    const fieldOf = (b: Uint8Array) => {
      try {
        decodeCheckpoint(b);
      } catch (e) {
        expect(CheckpointError.isInstance(e)).toBe(true);
        return (e as CheckpointError).field;
      }
      return 'accepted';
    };
    expect(fieldOf(bytes.subarray(0, bytes.length - 1))).toBe('header.blobBytes');
    expect(fieldOf(new Uint8Array([...bytes, 0]))).toBe('header.blobBytes');
    expect(fieldOf(bytes.subarray(0, 5))).toBe('magic');
    const version = bytes.slice();
    version[4] = 9;
    expect(fieldOf(version)).toBe('binaryVersion');
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(8, 0xffffffff, true);
    expect(fieldOf(huge)).toBe('headerLength');
    // A header claiming a 2^40-value array over a blob of a few bytes is refused before anything is allocated.
    const header = (claim: object) => {
      const h = new TextEncoder().encode(JSON.stringify({ blobBytes: 8, arrays: [claim], value: { a: { $array: 0 } } }));
      const start = Math.ceil((12 + h.length) / 8) * 8;
      const b = new Uint8Array(start + 8);
      b.set([0x42, 0x42, 0x50, 0x43]);
      new DataView(b.buffer).setUint32(4, 1, true);
      new DataView(b.buffer).setUint32(8, h.length, true);
      b.set(h, 12);
      return b;
    };
    expect(fieldOf(header({ dtype: 'float64', offset: 0, length: 2 ** 40 }))).toBe('header.arrays[0].length');
    expect(fieldOf(header({ dtype: 'float16', offset: 0, length: 1 }))).toBe('header.arrays[0].dtype');
    expect(fieldOf(header({ dtype: 'float32', offset: 2, length: 1 }))).toBe('header.arrays[0].offset');
    expect(decodeCheckpoint(header({ dtype: 'float64', offset: 0, length: 1 }))).toEqual({ a: [0] });
  });

  it('saveCheckpoint / loadCheckpoint round-trip through a file; missing files and folders give CheckpointError', async () => {
    const path = join(dir, 'sub', 'net.bbpc');
    await saveCheckpoint(path, sample());
    expect(await loadCheckpoint(path)).toEqual(decodeCheckpoint(encodeCheckpoint(sample())));
    await expect(loadCheckpoint(join(dir, 'missing.bbpc'))).rejects.toThrow(/loadCheckpoint: checkpoint field 'path' must name a readable file \(ENOENT\)/);
    await mkdir(join(dir, 'folder'));
    await expect(loadCheckpoint(join(dir, 'folder'))).rejects.toThrow(CheckpointError);
    await writeFile(join(dir, 'junk.bbpc'), 'not a checkpoint');
    await expect(loadCheckpoint(join(dir, 'junk.bbpc'))).rejects.toThrow(/'magic'/);
  });
});

describe('CheckpointReader', () => {
  const r = new CheckpointReader('Net.fromCheckpoint');
  it('checks the envelope, finite arrays, integer counters and shapes, naming the field', () => {
    expect(() => r.envelope({ ...checkpointEnvelope('Other') }, 'Net')).toThrow(/field 'kind' must be 'Net', got "Other"/);
    expect(() => r.envelope({ ...checkpointEnvelope('Net'), version: 2 }, 'Net')).toThrow(/'version'/);
    expect(() => r.envelope({ format: 'rec-lra/1' }, 'Net')).toThrow(/'format'/);
    expect(() => r.envelope(null, 'Net')).toThrow(/'checkpoint' is required/);
    expect(() => r.finiteArray('params[0].data', [1, null, 3], 3)).toThrow(/'params\[0\]\.data\[1\]' must be a finite number, got null/);
    expect(() => r.finiteArray('params[0].data', [1, 2], 3)).toThrow(/must have 3 entries/);
    expect(() => r.integer('iterations', 2.5)).toThrow(/'iterations' is required and must be an integer/);
    expect(() => r.integer('iterations', -1)).toThrow(/must lie in/);
    expect(() => r.shape('w.shape', [2, 3], [3, 2])).toThrow(/must be \[3, 2\]/);
    expect(r.matrix('m', { rows: 1, cols: 2, data: [1, 2] }, 1, 2).data).toEqual(Float64Array.from([1, 2]));
  });
});

describe('optimiser state', () => {
  const shapes = [[3, 2], [2]];
  const run = (opt: tf.Optimizer, vars: tf.Variable[], steps: number, from: number) => {
    for (let s = from; s < from + steps; s++) {
      const grads: Record<string, tf.Tensor> = {};
      vars.forEach((v, i) => (grads[v.name] = tf.tidy(() => tf.sin(tf.add(tf.range(0, v.size).reshape(v.shape), s + i)))));
      opt.applyGradients(grads);
      tf.dispose(Object.values(grads));
    }
  };
  const makeVars = (tag: string) => shapes.map((s, i) => tf.variable(tf.fill(s, 0.5 + i), true, `${tag}_${i}_${Math.random()}`));

  it.each([
    ['adam', () => tf.train.adam(0.05)],
    ['sgd', () => tf.train.sgd(0.1)],
    ['momentum', () => tf.train.momentum(0.1, 0.9, true)],
    ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.5)],
    ['adagrad', () => tf.train.adagrad(0.1)],
  ])('%s resumes bit-identically and a save/restore round trip leaks no tensors', async (_name, make) => {
    const full = make();
    const fullVars = makeVars('f');
    run(full, fullVars, 6, 0);
    const first = make();
    const vars = makeVars('a');
    run(first, vars, 3, 0);
    const saved = JSON.parse(JSON.stringify(await saveOptimizerState(first))) as OptimizerState;
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) {
      const again = optimizerFromState('t', saved);
      await restoreOptimizerState('t', again, saved, shapes);
      disposeOptimizer(again);
    }
    expect(tf.memory().numTensors).toBe(before);
    const resumed = optimizerFromState('t', saved);
    await restoreOptimizerState('t', resumed, saved, shapes);
    run(resumed, vars, 3, 3);
    fullVars.forEach((v, i) => expect(Array.from(vars[i].dataSync())).toEqual(Array.from(v.dataSync())));
    tf.dispose([...vars, ...fullVars]);
    [full, first, resumed].forEach(disposeOptimizer);
  });

  it('rejects a bad class, wrong slot shapes, a non-finite slot or a non-integer step counter with CheckpointError', async () => {
    const opt = tf.train.adam(0.05);
    const vars = makeVars('b');
    run(opt, vars, 1, 0);
    const saved = JSON.parse(JSON.stringify(await saveOptimizerState(opt))) as OptimizerState;
    expect(() => optimizerFromState('Net.fromCheckpoint', { ...saved, className: 'Nope' })).toThrow(/'optimizer\.className' must name a registered/);
    const before = tf.memory().numTensors;
    const attempt = async (state: OptimizerState, sh = shapes) => {
      const o = optimizerFromState('t', saved);
      try {
        await restoreOptimizerState('t', o, state, sh);
      } finally {
        o.dispose();
      }
    };
    await expect(attempt(saved, [[2, 3], [2]])).rejects.toThrow(/'optimizer\.weights\[1\]\.shape' must be \[2, 3\]/);
    await expect(attempt(saved, [[3, 2], [2], [1]])).rejects.toThrow(/whole groups of 3 slots/);
    const nan = structuredClone(saved);
    nan.weights[2].data[1] = null as unknown as number;
    await expect(attempt(nan)).rejects.toThrow(/'optimizer\.weights\[2\]\.data\[1\]' must be a finite number, got null/);
    const step = structuredClone(saved);
    step.weights[0].data[0] = 1.5;
    await expect(attempt(step)).rejects.toThrow(/'optimizer\.weights\[0\]\.data\[0\]' is required and must be an integer/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(vars);
    opt.dispose();
  });
});

describe('Node file IO for tf.LayersModel', () => {
  it('model.save(fileSystemHandler(dir)) writes model.json + weights.bin that tf.loadLayersModel reads back identically', async () => {
    const model = denseNetwork({ inputSize: 3, hidden: [4, 4], outputs: 2, activation: 'relu', shortcuts: true, seed: 5 });
    const x = tf.tensor2d([
      [0.1, -0.2, 0.3],
      [1, 2, -3],
    ]);
    const target = join(dir, 'model');
    await model.save(fileSystemHandler(`file://${target}`));
    const manifest = JSON.parse(await readFile(join(target, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(manifest.weightsManifest[0].paths).toEqual(['./weights.bin']);
    const bytes = (await readFile(join(target, 'weights.bin'))).length;
    expect(bytes).toBe(4 * model.countParams());
    const start = tf.memory().numTensors;
    const loaded = await tf.loadLayersModel(fileSystemHandler(target));
    const again = await loadLayersModel(target);
    const out = (m: tf.LayersModel) => tf.tidy(() => Array.from((m.predict(x) as tf.Tensor).dataSync()));
    expect(out(loaded)).toEqual(out(model));
    expect(out(again)).toEqual(out(model));
    loaded.dispose();
    again.dispose();
    expect(tf.memory().numTensors).toBe(start);
    await saveLayersModel(model, join(dir, 'model2'));
    expect((await readFile(join(dir, 'model2', 'weights.bin'))).length).toBe(bytes);
    model.dispose();
    x.dispose();
  });

  it('refuses a missing folder, a truncated weights.bin and junk model.json with InvalidArgumentError naming dir', async () => {
    await expect(loadLayersModel(join(dir, 'nowhere'))).rejects.toThrow(
      /fileSystemHandler\.load: argument 'dir' must hold a readable .*model\.json \(ENOENT\)/,
    );
    const model = denseNetwork({ inputSize: 2, hidden: [3], outputs: 1, seed: 1 });
    const target = join(dir, 'truncated');
    await saveLayersModel(model, target);
    const weights = await readFile(join(target, 'weights.bin'));
    await writeFile(join(target, 'weights.bin'), weights.subarray(0, weights.length - 4));
    await expect(loadLayersModel(target)).rejects.toThrow(/must hold 52 weight bytes as the manifest describes, got "48 bytes"/);
    await writeFile(join(target, 'model.json'), '{"modelTopology":');
    await expect(loadLayersModel(target)).rejects.toThrow(/must hold a valid model\.json/);
    expect(() => fileSystemHandler('')).toThrow(/argument 'dir'/);
    model.dispose();
  });
});

/** A binary container with the given header (any JSON) and `blobBytes` zero bytes of blob. */
const container = (header: unknown, blobBytes = 0, headerText = JSON.stringify(header)) => {
  const h = new TextEncoder().encode(headerText);
  const start = Math.ceil((12 + h.length) / 8) * 8;
  const b = new Uint8Array(start + blobBytes);
  b.set([0x42, 0x42, 0x50, 0x43]);
  new DataView(b.buffer).setUint32(4, 1, true);
  new DataView(b.buffer).setUint32(8, h.length, true);
  b.set(h, 12);
  return b;
};

/** The CheckpointError `fn` throws: its field and message. */
const failure = (fn: () => unknown): { field: string; message: string } => {
  try {
    fn();
  } catch (e) {
    expect(CheckpointError.isInstance(e)).toBe(true);
    expect((e as CheckpointError).code).toBe('checkpoint');
    return { field: (e as CheckpointError).field, message: (e as CheckpointError).message };
  }
  return { field: 'accepted', message: '' };
};

describe('binary checkpoint form: exactness and validation', () => {
  it('round-trips mixed float32/float64 arrays, aligning each array, and any header length', () => {
    const value = {
      a: [0.5],
      b: [0.1, 0.2],
      c: [1.5, 0.1],
      d: new Float64Array([2, -0]),
      e: [
        [1, 'x'],
        [null, true],
      ],
      n: null,
      s: 'é',
    };
    const back = decodeCheckpoint(encodeCheckpoint(value)) as Record<string, unknown>;
    expect(back).toEqual({
      a: [0.5],
      b: [0.1, 0.2],
      c: [1.5, 0.1],
      d: [2, -0],
      e: [
        [1, 'x'],
        [null, true],
      ],
      n: null,
      s: 'é',
    });
    expect(Object.is((back.d as number[])[1], -0)).toBe(true);
    // A float32 first value does not make the whole array float32.
    expect((back.c as number[])[1]).toBe(0.1);
    // Header lengths of every residue mod 8, so one of them ends exactly where the blob begins.
    for (let k = 0; k < 8; k++) {
      const v = { s: 'x'.repeat(k), a: [Math.fround(0.1), 3], b: [0.3] };
      expect(decodeCheckpoint(encodeCheckpoint(v))).toEqual(v);
      expect(decodeCheckpoint(encodeCheckpoint({ s: 'x'.repeat(k) }))).toEqual({ s: 'x'.repeat(k) });
    }
    expect(decodeCheckpoint(encodeCheckpoint(7))).toBe(7);
    expect(decodeCheckpoint(encodeCheckpoint([]))).toEqual([]);
  });

  it('writes the documented layout: magic, container version, header length, little-endian float32 data', () => {
    const bytes = encodeCheckpoint({ a: [1.5] });
    const view = new DataView(bytes.buffer);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x42, 0x42, 0x50, 0x43]);
    expect(view.getUint32(4, true)).toBe(1);
    const headerLength = view.getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
    expect(header).toEqual({ blobBytes: 4, arrays: [{ dtype: 'float32', offset: 0, length: 1 }], value: { a: { $array: 0 } } });
    const blobStart = Math.ceil((12 + headerLength) / 8) * 8;
    expect(bytes.length).toBe(blobStart + 4);
    expect(view.getFloat32(blobStart, true)).toBe(1.5);
    const f64 = encodeCheckpoint({ a: [0.5], b: [0.1] });
    const h64 = JSON.parse(new TextDecoder().decode(f64.subarray(12, 12 + new DataView(f64.buffer).getUint32(8, true))));
    expect(h64.arrays).toEqual([
      { dtype: 'float32', offset: 0, length: 1 },
      { dtype: 'float64', offset: 8, length: 1 },
    ]);
    expect(h64.blobBytes).toBe(16);
  });

  it('decodes bytes that are a view into a larger buffer', () => {
    const bytes = encodeCheckpoint({ a: [0.1, 2], b: [0.5] });
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 5);
    expect(decodeCheckpoint(padded.subarray(5))).toEqual({ a: [0.1, 2], b: [0.5] });
  });

  it('encodeCheckpoint refuses a reserved $array key and a non-finite scalar, naming the path', () => {
    expect(failure(() => encodeCheckpoint({ x: { y: [{ $array: 0 }] } }))).toEqual({
      field: 'x.y[0].$array',
      message: "encodeCheckpoint: checkpoint field 'x.y[0].$array' is a reserved key",
    });
    expect(failure(() => encodeCheckpoint({ $array: 1 })).field).toBe('.$array');
    expect(failure(() => encodeCheckpoint({ a: { b: Number.NaN } }))).toEqual({
      field: 'a.b',
      message: "encodeCheckpoint: checkpoint field 'a.b' must be finite (a scalar outside a numeric array), got NaN",
    });
    expect(failure(() => encodeCheckpoint({ a: [1, 'x', Infinity] })).field).toBe('a[2]');
    expect(failure(() => encodeCheckpoint(-Infinity)).field).toBe('');
  });

  it('decodeCheckpoint names each malformed part of the container', () => {
    expect(failure(() => decodeCheckpoint([0x42] as unknown as Uint8Array))).toEqual({
      field: 'bytes',
      message: "decodeCheckpoint: checkpoint field 'bytes' must be a Uint8Array, got an array of length 1",
    });
    const good = container({ blobBytes: 0, arrays: [], value: 1 });
    expect(decodeCheckpoint(good)).toBe(1);
    expect(failure(() => decodeCheckpoint(good.subarray(0, 11)))).toEqual({
      field: 'magic',
      message: `decodeCheckpoint: checkpoint field 'magic' must be 'BBPC' (not a binary beyond-backprop checkpoint), got "11 bytes"`,
    });
    for (const i of [0, 1, 2, 3]) {
      const bad = good.slice();
      bad[i] ^= 1;
      expect(failure(() => decodeCheckpoint(bad)).field).toBe('magic');
    }
    const v2 = good.slice();
    new DataView(v2.buffer).setUint32(4, 2, true);
    expect(failure(() => decodeCheckpoint(v2)).message).toBe("decodeCheckpoint: checkpoint field 'binaryVersion' must be 1, got 2");
    // Exactly 12 bytes: the magic fits, an empty header is not JSON.
    const empty = container(undefined, 0, '');
    expect(empty.length).toBe(16);
    expect(failure(() => decodeCheckpoint(empty.subarray(0, 12))).field).toBe('header');
    const long = good.slice();
    new DataView(long.buffer).setUint32(8, long.length - 11, true);
    expect(failure(() => decodeCheckpoint(long)).message).toBe(
      `decodeCheckpoint: checkpoint field 'headerLength' must fit in the ${long.length - 12} bytes present, got ${long.length - 11}`,
    );
    expect(failure(() => decodeCheckpoint(container(null, 0, '{"blobBytes":0,')))).toMatchObject({ field: 'header' });
    expect(failure(() => decodeCheckpoint(container(null, 0, '{"a":'))).message).toMatch(
      /^decodeCheckpoint: checkpoint field 'header' must be UTF-8 JSON, got "/,
    );
    const badUtf8 = container(null, 0, '"ab"');
    badUtf8[13] = 0xff;
    // Invalid UTF-8 is refused as such, not decoded with replacement characters into a JSON string.
    expect(failure(() => decodeCheckpoint(badUtf8)).message).toMatch(/^decodeCheckpoint: checkpoint field 'header' must be UTF-8 JSON, got "/);
    expect(failure(() => decodeCheckpoint(container([1])))).toMatchObject({ field: 'header' });
    expect(failure(() => decodeCheckpoint(container(null))).field).toBe('header');
    expect(failure(() => decodeCheckpoint(container({ blobBytes: 0.5, arrays: [] }))).field).toBe('header.blobBytes');
    expect(failure(() => decodeCheckpoint(container({ blobBytes: 16, arrays: [] }, 8))).message).toBe(
      "decodeCheckpoint: checkpoint field 'header.blobBytes' must equal the 8 bytes present, got 16",
    );
    // Bytes cut inside the padding before the blob: fewer bytes than the blob's start.
    const padded = [0, 1, 2, 3, 4, 5, 6, 7]
      .map((k) => JSON.stringify({ blobBytes: 0, arrays: [], value: 'x'.repeat(k) }))
      .find((t) => t.length % 8 === 0) as string;
    const cut = container(null, 0, padded);
    expect(cut.length).toBe(12 + padded.length + 4);
    expect(failure(() => decodeCheckpoint(cut.subarray(0, cut.length - 4))).message).toMatch(/must equal the 0 bytes present, got 0$/);
    expect(failure(() => decodeCheckpoint(container({ blobBytes: 0, arrays: {} }))).field).toBe('header.arrays');
    expect(failure(() => decodeCheckpoint(container({ blobBytes: 0, arrays: [7] }))).field).toBe('header.arrays[0]');
  });

  it('decodeCheckpoint checks every array reference against the blob', () => {
    const ref =
      (arrays: object[], value: unknown, blobBytes = 16) =>
      () =>
        decodeCheckpoint(container({ blobBytes, arrays, value }, blobBytes));
    expect(ref([{ dtype: 'float64', offset: 8, length: 1 }], { $array: 0 })()).toEqual([0]);
    expect(ref([{ dtype: 'float32', offset: 12, length: 1 }], { $array: 0 })()).toEqual([0]);
    expect(ref([{ dtype: 'float32', offset: 0, length: 4 }], { $array: 0 })()).toEqual([0, 0, 0, 0]);
    expect(ref([{ dtype: 'float32', offset: 16, length: 0 }], { $array: 0 })()).toEqual([]);
    expect(failure(ref([{ dtype: 'float32', offset: 0, length: 5 }], { $array: 0 }))).toEqual({
      field: 'header.arrays[0].length',
      message: "decodeCheckpoint: checkpoint field 'header.arrays[0].length' must lie in [0, 4], got 5",
    });
    expect(failure(ref([{ dtype: 'float64', offset: 8, length: 2 }], { $array: 0 })).message).toMatch(/must lie in \[0, 1\], got 2$/);
    expect(failure(ref([{ dtype: 'float32', offset: 20, length: 0 }], { $array: 0 })).message).toMatch(
      /'header.arrays\[0\].offset' must lie in \[0, 16\], got 20$/,
    );
    expect(failure(ref([{ dtype: 'float32', offset: -4, length: 0 }], { $array: 0 })).field).toBe('header.arrays[0].offset');
    expect(failure(ref([{ dtype: 'float64', offset: 4, length: 1 }], { $array: 0 })).message).toMatch(
      /'header.arrays\[0\].offset' must be a multiple of 8, got 4$/,
    );
    expect(failure(ref([{ dtype: 'float32', offset: 2, length: 1 }], { $array: 0 })).message).toMatch(/must be a multiple of 4, got 2$/);
    expect(failure(ref([{ offset: 0, length: 1 }], { $array: 0 })).message).toMatch(/'header.arrays\[0\].dtype' is required and must be a string/);
    expect(failure(ref([{ dtype: 'int8', offset: 0, length: 1 }], { $array: 0 })).message).toMatch(/must be one of 'float32', 'float64', got "int8"$/);
    const twice = [
      { dtype: 'float32', offset: 0, length: 1 },
      { dtype: 'float32', offset: 4, length: 1 },
    ];
    expect(ref(twice, [{ $array: 1 }, { k: { $array: 0 } }])()).toEqual([[0], { k: [0] }]);
    expect(failure(ref(twice, { a: [{ $array: 0 }, { $array: 0 }] }))).toEqual({
      field: 'a[1].$array',
      message: "decodeCheckpoint: checkpoint field 'a[1].$array' must be an unused array index below 2, got 0",
    });
    for (const bad of [2, -1, 0.5, '0', null]) expect(failure(ref(twice, { a: { $array: bad } })).field).toBe('a.$array');
    expect(failure(ref(twice, { $array: 9 })).field).toBe('.$array');
    expect(failure(ref(twice, { x: { y: { $array: 9 } } })).field).toBe('x.y.$array');
  });

  it('decodes the stored dtype: float64 bits and float32 bits, little-endian', () => {
    const b = container(
      {
        blobBytes: 16,
        arrays: [
          { dtype: 'float64', offset: 0, length: 1 },
          { dtype: 'float32', offset: 8, length: 2 },
        ],
        value: [{ $array: 0 }, { $array: 1 }],
      },
      16,
    );
    const view = new DataView(b.buffer);
    const start = b.length - 16;
    view.setFloat64(start, 0.1, true);
    view.setFloat32(start + 8, 1.5, true);
    view.setFloat32(start + 12, -2, true);
    expect(decodeCheckpoint(b)).toEqual([[0.1], [1.5, -2]]);
  });
});

describe('CheckpointError and CheckpointReader messages', () => {
  it('CheckpointError carries fn and field and describes what it received', () => {
    const e = new CheckpointError('Net.fromCheckpoint', 'iterations', 'is required');
    expect([e.name, e.code, e.fn, e.field, e.message]).toEqual([
      'CheckpointError',
      'checkpoint',
      'Net.fromCheckpoint',
      'iterations',
      "Net.fromCheckpoint: checkpoint field 'iterations' is required",
    ]);
    const got = (v: unknown) => new CheckpointError('f', 'x', 'is bad', v).message.replace("f: checkpoint field 'x' is bad", '');
    expect([got(undefined), got(null), got(3), got(false), got('s'), got([1, 2]), got({}), got(() => 1)]).toEqual([
      ', got undefined',
      ', got null',
      ', got 3',
      ', got false',
      ', got "s"',
      ', got an array of length 2',
      ', got object',
      ', got function',
    ]);
    expect(got('y'.repeat(60))).toBe(`, got "${'y'.repeat(60)}"`);
    expect(got('y'.repeat(61))).toBe(`, got "${'y'.repeat(60)}…"`);
  });

  it('envelope checks format, version and kind in turn and returns the body', () => {
    const r = new CheckpointReader('Net.fromCheckpoint');
    const ok = { ...checkpointEnvelope('Net'), extra: 1 };
    expect(r.envelope(ok, 'Net')).toBe(ok);
    expect(checkpointEnvelope('Net')).toEqual({ format: 'beyond-backprop/checkpoint', version: 1, kind: 'Net' });
    expect(failure(() => r.envelope({ ...ok, format: 'x' }, 'Net')).message).toBe(
      "Net.fromCheckpoint: checkpoint field 'format' must be 'beyond-backprop/checkpoint', got \"x\"",
    );
    expect(failure(() => r.envelope({ ...ok, version: 2 }, 'Net')).message).toBe(
      "Net.fromCheckpoint: checkpoint field 'version' must be 1 (the version this release reads), got 2",
    );
    expect(failure(() => r.envelope(ok, 'Other')).field).toBe('kind');
    for (const bad of [null, [ok], 'ckpt', 3]) {
      expect(failure(() => r.envelope(bad, 'Net')).message).toMatch(
        /^Net\.fromCheckpoint: checkpoint field 'checkpoint' is required and must be an object, got /,
      );
    }
  });

  it('every accessor returns the value it accepted and names the field of one it refuses', () => {
    const r = new CheckpointReader('f');
    expect(r.array('a', [1, 'x'])).toEqual([1, 'x']);
    expect(r.array('a', [], 0)).toEqual([]);
    expect(failure(() => r.array('a', 'no')).message).toBe('f: checkpoint field \'a\' is required and must be an array, got "no"');
    expect(failure(() => r.array('a', [1], 2)).message).toBe("f: checkpoint field 'a' must have 2 entries, got an array of length 1");
    expect(r.number('x', -3.5)).toBe(-3.5);
    expect(r.number('x', 2, 2, 2)).toBe(2);
    for (const bad of [Number.NaN, Infinity, '1', null])
      expect(failure(() => r.number('x', bad)).message).toMatch(/^f: checkpoint field 'x' is required and must be a finite number, got /);
    expect(failure(() => r.number('x', 1.5, 2)).message).toBe("f: checkpoint field 'x' must lie in [2, Infinity], got 1.5");
    expect(failure(() => r.number('x', 3, 0, 2.5)).message).toBe("f: checkpoint field 'x' must lie in [0, 2.5], got 3");
    expect(r.integer('n', 0)).toBe(0);
    expect(r.integer('n', 5, 5, 5)).toBe(5);
    expect(failure(() => r.integer('n', '3')).message).toBe('f: checkpoint field \'n\' is required and must be an integer, got "3"');
    expect(failure(() => r.integer('n', -1)).message).toBe(`f: checkpoint field 'n' must lie in [0, ${Number.MAX_SAFE_INTEGER}], got -1`);
    expect(failure(() => r.integer('n', 2 ** 53)).field).toBe('n');
    expect(failure(() => r.integer('n', 6, 0, 5)).message).toMatch(/must lie in \[0, 5\], got 6$/);
    expect(r.string('s', 'anything')).toBe('anything');
    expect(r.string('s', 'b', ['a', 'b'])).toBe('b');
    expect(failure(() => r.string('s', 1)).message).toBe("f: checkpoint field 's' is required and must be a string, got 1");
    expect(failure(() => r.string('s', 'c', ['a', 'b'])).message).toBe("f: checkpoint field 's' must be one of 'a', 'b', got \"c\"");
    expect([r.boolean('b', true), r.boolean('b', false)]).toEqual([true, false]);
    expect(failure(() => r.boolean('b', 0)).message).toBe("f: checkpoint field 'b' is required and must be a boolean, got 0");
    expect(r.finiteArray('v', [1, -2], 2)).toEqual([1, -2]);
    expect(failure(() => r.finiteArray('v', [1, Infinity], 2)).message).toBe("f: checkpoint field 'v[1]' must be a finite number, got Infinity");
    expect(failure(() => r.finiteArray('v', ['1'], 1)).field).toBe('v[0]');
    expect(failure(() => r.finiteArray('v', [1, 2], 1)).field).toBe('v');
    expect(r.shape('s', [2, 3], [2, 3])).toEqual([2, 3]);
    expect(r.shape('s', [], [])).toEqual([]);
    expect(failure(() => r.shape('s', [2, 3], [2, 4])).message).toBe("f: checkpoint field 's' must be [2, 4] (the architecture's), got \"[2, 3]\"");
    expect(failure(() => r.shape('s', [2], [2, 1])).field).toBe('s');
    expect(failure(() => r.shape('s', [2, 1], [2])).field).toBe('s');
    expect(failure(() => r.shape('s', 'x', [2])).message).toMatch(/'s' is required and must be an array/);
    const m = r.matrix('w', { rows: 2, cols: 1, data: [1, 2] }, 2, 1);
    expect([m.rows, m.cols, Array.from(m.data), m.data instanceof Float64Array]).toEqual([2, 1, [1, 2], true]);
    expect(failure(() => r.matrix('w', { rows: 1, cols: 2, data: [1, 2] }, 2, 1)).message).toBe(
      "f: checkpoint field 'w.[rows, cols]' must be [2, 1] (the architecture's), got \"[1, 2]\"",
    );
    expect(failure(() => r.matrix('w', { rows: 2, cols: 1, data: [1] }, 2, 1)).field).toBe('w.data');
    expect(failure(() => r.matrix('w', [1, 2], 2, 1)).field).toBe('w');
    expect(failure(() => r.fail('q', 'is odd', 1))).toEqual({ field: 'q', message: "f: checkpoint field 'q' is odd, got 1" });
    expect(r.object('o', { a: 1 })).toEqual({ a: 1 });
  });
});

describe('optimiser state: layout and validation', () => {
  const shapes2 = [[3, 2], [2]];
  const vars2 = (tag: string) => shapes2.map((s, i) => tf.variable(tf.fill(s, 0.5 + i), true, `${tag}_${i}_${Math.random()}`));
  const step = (opt: tf.Optimizer, vars: tf.Variable[]) => {
    const grads: Record<string, tf.Tensor> = {};
    vars.forEach((v, i) => (grads[v.name] = tf.fill(v.shape, 0.25 * (i + 1))));
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  };

  it('saves the int32 step counter first, float32 slots, Adam β-powers only for Adam, and frees its temporaries', async () => {
    const adam = tf.train.adam(0.05);
    const vars = vars2('s');
    step(adam, vars);
    step(adam, vars);
    const before = tf.memory().numTensors;
    const saved = await saveOptimizerState(adam);
    expect(tf.memory().numTensors).toBe(before);
    expect(saved.className).toBe('Adam');
    expect(saved.config).toMatchObject({ learningRate: 0.05 });
    expect(saved.weights.map((w) => [w.dtype, w.shape])).toEqual([
      ['int32', []],
      ['float32', [3, 2]],
      ['float32', [2]],
      ['float32', [3, 2]],
      ['float32', [2]],
    ]);
    expect(saved.weights[0].data).toEqual([2]);
    expect(Object.keys(saved.powers ?? {}).sort()).toEqual(['accBeta1', 'accBeta2']);
    expect(saved.powers?.accBeta1).toBeCloseTo(0.9 ** 3, 6);
    const sgd = tf.train.sgd(0.1);
    step(sgd, vars);
    const plain = await saveOptimizerState(sgd);
    expect('powers' in plain).toBe(false);
    expect(plain.weights).toEqual([{ name: 'iter', shape: [], dtype: 'int32', data: [1] }]);
    // The optimiser still works after saving (its live slots were not freed).
    step(adam, vars);
    expect(Array.from(vars[0].dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose(vars);
    adam.dispose();
    sgd.dispose();
  });

  it('restores without saved β-powers, without dtypes, and into an optimiser with no variables', async () => {
    const adam = tf.train.adam(0.05);
    const vars = vars2('r');
    step(adam, vars);
    const saved = JSON.parse(JSON.stringify(await saveOptimizerState(adam))) as OptimizerState;
    const { powers: _unused, ...noPowers } = saved;
    const untyped = { ...noPowers, weights: noPowers.weights.map(({ dtype: _d, ...w }) => w) } as unknown as OptimizerState;
    const again = optimizerFromState('t', saved);
    await restoreOptimizerState('t', again, untyped, shapes2);
    const restored = await saveOptimizerState(again);
    expect(restored.weights.map((w) => w.data)).toEqual(saved.weights.map((w) => w.data));
    // setWeights recomputes the powers from the step counter when none are saved.
    expect(restored.powers?.accBeta1).toBeCloseTo(0.9 ** 2, 6);
    again.dispose();
    const withPowers = optimizerFromState('t', saved);
    await restoreOptimizerState('t', withPowers, { ...saved, powers: { accBeta1: 0.5, accBeta2: 0.25 } }, shapes2);
    expect((await saveOptimizerState(withPowers)).powers).toEqual({ accBeta1: 0.5, accBeta2: 0.25 });
    withPowers.dispose();
    const idle = tf.train.sgd(0.1);
    await restoreOptimizerState('t', idle, { className: 'SGD', config: {}, weights: [{ name: 'iter', shape: [], dtype: 'int32', data: [4] }] }, []);
    expect((await saveOptimizerState(idle)).weights[0].data).toEqual([4]);
    idle.dispose();
    tf.dispose(vars);
    adam.dispose();
  });

  it('pairs slots with variables in order for three variables; one variable still needs the step counter', async () => {
    const shapes3 = [[2, 2], [3], [1, 4]];
    const vars = shapes3.map((sh, i) => tf.variable(tf.fill(sh, i + 1), true, `three_${i}_${Math.random()}`));
    const adam = tf.train.adam(0.05);
    step(adam, vars);
    const saved = JSON.parse(JSON.stringify(await saveOptimizerState(adam))) as OptimizerState;
    expect(saved.weights.map((w) => w.shape)).toEqual([[], ...shapes3, ...shapes3]);
    const again = optimizerFromState('t', saved);
    await restoreOptimizerState('t', again, saved, shapes3);
    expect((await saveOptimizerState(again)).weights).toEqual(saved.weights);
    again.dispose();
    const one = tf.train.sgd(0.1);
    await expect(restoreOptimizerState('t', one, { ...saved, weights: [] }, [[2]])).rejects.toThrow(
      /'optimizer\.weights' must hold the step counter and whole groups of 1 slots/,
    );
    one.dispose();
    tf.dispose(vars);
    adam.dispose();
  });

  it('names the field of a malformed optimiser state', async () => {
    const adam = tf.train.adam(0.05);
    const vars = vars2('v');
    step(adam, vars);
    const saved = JSON.parse(JSON.stringify(await saveOptimizerState(adam))) as OptimizerState;
    const fieldOf = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (e) {
        expect(CheckpointError.isInstance(e)).toBe(true);
        return (e as CheckpointError).message;
      }
      return 'accepted';
    };
    const restore =
      (state: unknown, sh = shapes2, field?: string) =>
      async () => {
        const o = tf.train.adam(0.05);
        try {
          await restoreOptimizerState('Net.fromCheckpoint', o, state as OptimizerState, sh, field);
        } finally {
          o.dispose();
        }
      };
    expect(await fieldOf(() => optimizerFromState('Net.fromCheckpoint', null as unknown as OptimizerState))).toMatch(
      /^Net\.fromCheckpoint: checkpoint field 'optimizer' is required and must be an object/,
    );
    expect(await fieldOf(() => optimizerFromState('f', { ...saved, className: 3 } as unknown as OptimizerState))).toMatch(
      /'optimizer\.className' is required and must be a string/,
    );
    expect(await fieldOf(() => optimizerFromState('f', { ...saved, config: 'x' } as unknown as OptimizerState))).toMatch(/'optimizer\.config' is required/);
    expect(await fieldOf(() => optimizerFromState('f', { ...saved, className: 'Nope' }, 'state.opt'))).toBe(
      'f: checkpoint field \'state.opt.className\' must name a registered tf.train optimiser, got "Nope"',
    );
    expect(optimizerFromState('f', saved).getClassName()).toBe('Adam');
    expect(await fieldOf(restore(null))).toMatch(/'optimizer' is required and must be an object/);
    expect(await fieldOf(restore({ ...saved, weights: 'x' }))).toMatch(/'optimizer\.weights' is required and must be an array/);
    expect(await fieldOf(restore({ ...saved, weights: [] }))).toMatch(/'optimizer\.weights' must hold the step counter and whole groups of 2 slots/);
    expect(await fieldOf(restore({ ...saved, weights: saved.weights.slice(0, 4) }))).toMatch(/whole groups of 2 slots/);
    expect(await fieldOf(restore({ ...saved, weights: saved.weights.slice(0, 2) }, []))).toMatch(/whole groups of 0 slots/);
    expect(await fieldOf(restore({ ...saved, weights: [7, ...saved.weights.slice(1)] }))).toMatch(
      /'optimizer\.weights\[0\]' is required and must be an object/,
    );
    const w = (k: number, patch: object) => ({ ...saved, weights: saved.weights.map((e, i) => (i === k ? { ...e, ...patch } : e)) });
    expect(await fieldOf(restore(w(1, { name: 5 })))).toMatch(/'optimizer\.weights\[1\]\.name' is required and must be a string/);
    expect(await fieldOf(restore(w(0, { shape: [1] })))).toMatch(/'optimizer\.weights\[0\]\.shape' must be \[\]/);
    expect(await fieldOf(restore(w(4, { shape: [3, 2] })))).toMatch(/'optimizer\.weights\[4\]\.shape' must be \[2\]/);
    expect(await fieldOf(restore(w(2, { dtype: 'float16' })))).toMatch(/'optimizer\.weights\[2\]\.dtype' must be one of 'float32', 'int32', got "float16"/);
    expect(await fieldOf(restore(w(3, { data: [1, 2] })))).toMatch(/'optimizer\.weights\[3\]\.data' must have 6 entries/);
    expect(await fieldOf(restore(w(0, { data: [-1] })))).toMatch(/'optimizer\.weights\[0\]\.data\[0\]' must lie in/);
    expect(await fieldOf(restore({ ...saved, powers: 'x' }))).toMatch(/'optimizer\.powers' is required and must be an object/);
    expect(await fieldOf(restore({ ...saved, powers: { accBeta1: null } }))).toMatch(
      /'optimizer\.powers\.accBeta1' is required and must be a finite number, got null/,
    );
    expect(await fieldOf(restore({ ...saved, weights: 'x' }, shapes2, 'state.opt'))).toMatch(/'state\.opt\.weights'/);
    expect(await fieldOf(restore(saved))).toBe('accepted');
    tf.dispose(vars);
    adam.dispose();
  });
});
