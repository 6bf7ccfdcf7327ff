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
