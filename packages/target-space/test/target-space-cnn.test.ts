import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, extractPatches, gradCheck, initBackend, readValues } from '@beyond-backprop/core-linalg';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, fitBackprop, paperAdam } from '@beyond-backprop/training';
import { TargetSpaceCnn, convForward, realiseConv, weightSpaceCnn, type ConvShape, type TargetSpaceCnnCheckpoint } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

/** 6×6 single-channel images of a vertical (class 0) or horizontal (class 1) bar at a random position, plus noise. */
function bars(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const x = new Float32Array(n * 36);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = rng.int(2);
    const pos = rng.int(6);
    y[i] = cls;
    for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) x[i * 36 + r * 6 + c] = ((cls === 0 ? c : r) === pos ? 1 : 0) + rng.normal(0, 0.1);
  }
  return { x: tf.tensor4d(x, [n, 6, 6, 1]), y: tf.tensor1d(y, 'int32') };
}

const arch = { input: [6, 6, 1] as [number, number, number], conv: [{ kernel: 3, channels: 4, pool: 2 }], dense: [6], outputs: 2 };

describe('TargetSpaceCnn', () => {
  it('recovers a conv teacher from T = [1 | im2col(X̄)]·W* (λ → 0) — §4.2.1', () => {
    const { x } = bars(20, 1);
    const shape: ConvShape = { input: [6, 6, 1], conv: [{ kernel: 3, channels: 3, pool: 1 }], dense: [], outputs: 2, activation: 'leakyRelu' };
    const rng = createRng(2);
    const wStar = tf.tensor2d(
      Float32Array.from({ length: 10 * 3 }, () => rng.normal()),
      [10, 3],
    );
    tf.tidy(() => {
      const p = extractPatches(x, 3);
      const t = tf.matMul(tf.concat([tf.ones([p.shape[0], 1]), p], 1), wStar) as tf.Tensor2D;
      const dense = tf.zeros([20, 2]) as tf.Tensor2D;
      const r = realiseConv(shape, x, [t, dense], 1e-9, 'float64', [null]);
      const err = tf.max(tf.abs(tf.sub(r.weights[0], wStar))).dataSync()[0];
      expect(err).toBeLessThan(1e-3);
    });
    tf.dispose([x, wStar]);
  });

  it('target gradients agree with finite differences (float32, λ = 0.1)', () => {
    const { x, y } = bars(8, 3);
    const net = new TargetSpaceCnn(
      { input: [6, 6, 1], conv: [{ kernel: 3, channels: 2, pool: 2 }], dense: [], outputs: 2 },
      { realisationInputs: x, seed: 4, targetStd: 0.5 },
    );
    const targets = net.getTargets().map((t) => tf.tensor2d(Float32Array.from(t.data), [t.rows, t.cols]));
    const shape = net.architecture;
    const loss = (...ts: tf.Tensor[]) =>
      tf.tidy(() => {
        const r = realiseConv(shape, x, ts as tf.Tensor2D[], 0.1, 'float64', [null]);
        return tf.losses.softmaxCrossEntropy(tf.oneHot(y, 2), convForward(shape, x, r.weights)) as tf.Scalar;
      });
    // The class's own gradient must equal tf.grads of the same loss…
    const { gradients } = net.lossAndGradients(x, y);
    const direct = tf.grads(loss)(targets);
    gradients.forEach((g, j) => {
      const d = direct[j].dataSync();
      const scale = Math.max(...Array.from(d, Math.abs));
      expect(Math.max(...Array.from(g.data, (v, i) => Math.abs(v - d[i]))) / scale).toBeLessThan(1e-3);
    });
    // …and finite differences, within float32 differencing accuracy.
    const check = gradCheck(loss, targets, { h: 1e-2, tolerance: 5e-2, maxEntries: 12, seed: 1 });
    expect(check.passed, String(check.maxRelativeError)).toBe(true);
    tf.dispose([x, y, ...targets, ...direct]);
    net.dispose();
  });

  it('learns to tell vertical from horizontal bars, and exports to an equivalent tfjs model', async () => {
    const train = bars(120, 5);
    const test = bars(60, 6);
    const xBar = tf.slice(train.x, [0, 0, 0, 0], [40, 6, 6, 1]) as tf.Tensor4D;
    const net = new TargetSpaceCnn(arch, { realisationInputs: xBar, seed: 7 });
    const h = await net.fit(train.x, train.y, { epochs: 25, batchSize: 40, validationData: [test.x, test.y], trackAccuracy: true });
    expect(h.history.valAccuracy!.at(-1)!).toBeGreaterThanOrEqual(0.95);
    // trackAccuracy reports the training accuracy per epoch, as the other trainers do.
    expect(h.history.accuracy).toHaveLength(25);
    expect(h.history.accuracy!.at(-1)!).toBeGreaterThanOrEqual(0.95);
    const model = net.toLayersModel();
    const ours = net.predict(test.x);
    const theirs = model.predict(test.x) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0])).toBeLessThan(1e-3);
    tf.dispose([train.x, train.y, test.x, test.y, xBar, ours, theirs]);
    model.dispose();
    net.dispose();
  });

  it('the weight-space twin has the same layers, He-initialised from the seed, and learns the bars by backprop', async () => {
    const train = bars(120, 5);
    const test = bars(60, 6);
    const twin = weightSpaceCnn(arch, { seed: 3 });
    // Same layer stack and weight shapes as the exported target-space model.
    const xBar = tf.slice(train.x, [0, 0, 0, 0], [40, 6, 6, 1]) as tf.Tensor4D;
    const net = new TargetSpaceCnn(arch, { realisationInputs: xBar, seed: 7 });
    const exported = net.toLayersModel();
    expect(twin.getWeights().map((w) => w.shape)).toEqual(exported.getWeights().map((w) => w.shape));
    // He init: kernel std √(2 / (k²·C_in + 1)), random biases; the same seed gives the same weights.
    const kernel = twin.layers[0].getWeights()[0].dataSync() as Float32Array;
    const std = Math.sqrt(kernel.reduce((a, v) => a + v * v, 0) / kernel.length);
    expect(std).toBeGreaterThan(0.5 * Math.sqrt(2 / 10));
    expect(std).toBeLessThan(1.5 * Math.sqrt(2 / 10));
    expect(Array.from(weightSpaceCnn(arch, { seed: 3 }).layers[0].getWeights()[0].dataSync())).toEqual(Array.from(kernel));
    const withBn = weightSpaceCnn(arch, { seed: 3, batchNorm: true, dropout: 0.2 });
    expect(withBn.layers.map((l) => l.getClassName())).toEqual(expect.arrayContaining(['BatchNormalization', 'Dropout']));
    const optimizer = paperAdam(0.01);
    await fitBackprop(twin, train.x, train.y, { epochs: 25, batchSize: 40, optimizer, seed: 1 });
    const acc = readValues(() => tf.mean(tf.cast(tf.equal(tf.argMax(twin.predict(test.x) as tf.Tensor, 1), test.y), 'float32')))[0];
    expect(acc).toBeGreaterThanOrEqual(0.9);
    expect(() => weightSpaceCnn(arch, { dropout: 1 })).toThrow(/argument 'options.dropout'/);
    tf.dispose([train.x, train.y, test.x, test.y, xBar]);
    [twin, exported, withBn].forEach((m) => m.dispose());
    optimizer.dispose();
    net.dispose();
  });

  it('patch subsampling solves kernels from a fixed subset of patch rows and still trains', async () => {
    const train = bars(80, 8);
    const xBar = tf.slice(train.x, [0, 0, 0, 0], [40, 6, 6, 1]) as tf.Tensor4D;
    const net = new TargetSpaceCnn(arch, { realisationInputs: xBar, seed: 9, patchRows: 200 });
    expect(net.getTargets()[0].rows).toBe(200);
    const before = net.lossAndGradients(train.x, train.y).loss;
    await net.fit(train.x, train.y, { epochs: 15, batchSize: 40 });
    expect(net.lossAndGradients(train.x, train.y).loss).toBeLessThan(before);
    tf.dispose([train.x, train.y, xBar]);
    net.dispose();
  });

  it('keeps tensors flat across epochs (with dropout) and resumes exactly from a checkpoint', async () => {
    const train = bars(40, 10);
    const xBar = tf.slice(train.x, [0, 0, 0, 0], [20, 6, 6, 1]) as tf.Tensor4D;
    const opts = { realisationInputs: xBar, seed: 11, dropout: 0.2 };
    const counts: number[] = [];
    const straight = new TargetSpaceCnn(arch, opts);
    await straight.fit(train.x, train.y, { epochs: 4, batchSize: 20, seed: 1, callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) } });
    expect(new Set(counts.slice(1)).size).toBe(1);
    const first = new TargetSpaceCnn(arch, opts);
    await first.fit(train.x, train.y, { epochs: 2, batchSize: 20, seed: 1 });
    const ckpt = decodeCheckpoint(encodeCheckpoint(await first.checkpoint())) as TargetSpaceCnnCheckpoint;
    const start = tf.memory().numTensors;
    for (let round = 0; round < 5; round++) (await TargetSpaceCnn.fromCheckpoint(ckpt)).dispose();
    expect(tf.memory().numTensors).toBe(start);
    const bad = (edit: (c: Record<string, any>) => void) => {
      const c = structuredClone(ckpt) as Record<string, any>;
      edit(c);
      return TargetSpaceCnn.fromCheckpoint(c as TargetSpaceCnnCheckpoint);
    };
    await expect(bad((c) => (c.realisationInputs.data[5] = Number.NaN))).rejects.toThrow(/'realisationInputs\.data\[5\]' must be a finite number/);
    await expect(bad((c) => (c.state.params[0].cols += 1))).rejects.toThrow(CheckpointError);
    await expect(bad((c) => (c.state.optimizer.weights[0].data = [0.5]))).rejects.toThrow(
      /'state\.optimizer\.weights\[0\]\.data\[0\]' is required and must be an integer/,
    );
    expect(tf.memory().numTensors).toBe(start);
    const resumed = await TargetSpaceCnn.fromCheckpoint(ckpt);
    await resumed.fit(train.x, train.y, { epochs: 4, initialEpoch: 2, batchSize: 20, seed: 1 });
    const a = resumed.getTargets();
    const b = straight.getTargets();
    expect(Math.max(...a.flatMap((t, j) => Array.from(t.data, (v, i) => Math.abs(v - b[j].data[i]))))).toBe(0);
    [straight, first, resumed].forEach((n) => n.dispose());
    tf.dispose([train.x, train.y, xBar]);
  });

  it('rejects bad architectures and data by name', async () => {
    const { x, y } = bars(10, 12);
    expect(() => new TargetSpaceCnn({ ...arch, input: [6, 6] as unknown as [number, number, number] }, { realisationInputs: x })).toThrow(/architecture.input/);
    expect(() => new TargetSpaceCnn({ ...arch, conv: [{ kernel: 0, channels: 2 }] }, { realisationInputs: x })).toThrow(/architecture.conv\[0\].kernel/);
    expect(() => new TargetSpaceCnn(arch, { realisationInputs: tf.zeros([4, 5, 5, 1]) as tf.Tensor4D })).toThrow(
      /argument 'options.realisationInputs' must have shape \[\?, 6, 6, 1\]/,
    );
    const net = new TargetSpaceCnn(arch, { realisationInputs: x });
    await expect(net.fit(x, tf.tensor1d([0, 1], 'int32'), { epochs: 1 })).rejects.toThrow(/argument 'y' must have shape \[n = 10\]/);
    await expect(net.fit(x, tf.fill([10], 5, 'int32') as tf.Tensor1D, { epochs: 1 })).rejects.toThrow(/must be a class index in \[0, 2\)/);
    net.dispose();
    tf.dispose([x, y]);
  });
});
