import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, Tape, initBackend, readValues, type Matrix } from '@beyond-backprop/core-linalg';
import { twoSpirals } from '@beyond-backprop/datasets';
import { fileSystemHandler, saveLayersModel } from '@beyond-backprop/training/node';
import { CheckpointError, TrainingDivergedError, decodeCheckpoint, earlyStopping, encodeCheckpoint } from '@beyond-backprop/training';
import {
  Float64Ops,
  TargetSpaceMlp,
  WeightSpaceMlp,
  feedForward,
  resolveDenseArchitecture,
  targetGradients,
  type TargetSpaceMlpCheckpoint,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const xorX = () =>
  tf.tensor2d([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
const xorY = () => tf.tensor1d([0, 1, 1, 0], 'int32');
const spirals = twoSpirals();
const spiralX = () => tf.tensor2d(spirals.train.x, [194, 2]);
const spiralY = () => tf.tensor1d(spirals.train.y, 'int32');

function accuracy(logits: tf.Tensor, labels: ArrayLike<number>): number {
  const p = readValues(() => tf.argMax(logits, 1));
  let c = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) c++;
  return c / p.length;
}

function maxDiff(a: Matrix[], b: Matrix[]): number {
  let m = 0;
  a.forEach((x, j) => x.data.forEach((v, i) => (m = Math.max(m, Math.abs(v - b[j].data[i])))));
  return m;
}

describe('TargetSpaceMlp — small problems it must solve (XOR, two spirals of §5.1)', () => {
  it('solves XOR (2-3-2 tanh, n̄_b = 4, λ = 1e-3, Adam 0.01) within 1,000 iterations for several seeds', async () => {
    const x = xorX();
    const y = xorY();
    for (const seed of [1, 2, 3]) {
      const net = new TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: x, lambda: 1e-3, seed });
      let solvedAt = -1;
      await net.fit(x, y, {
        epochs: 1000,
        trackAccuracy: true,
        callbacks: { onEpochEnd: (e, l) => void (solvedAt < 0 && l.accuracy === 1 && (solvedAt = e)) },
      });
      expect(solvedAt, `seed ${seed}`).toBeGreaterThanOrEqual(0);
      const logits = net.predict(x);
      expect(accuracy(logits, [0, 1, 1, 0])).toBe(1);
      logits.dispose();
    }
    tf.dispose([x, y]);
  });

  it('fits the two-spirals training set and generalises (2-5-5-5-2, all shortcuts, SCU, Adam 0.01, 1,500 epochs)', async () => {
    const [x, y] = [spiralX(), spiralY()];
    const net = new TargetSpaceMlp({ layers: [2, 5, 5, 5, 2], shortcuts: true }, { realisationInputs: x, seed: 1 });
    expect(net.engine).toBe('float64');
    const h = await net.fit(x, y, { epochs: 1500, trackAccuracy: true });
    expect(h.history.accuracy!.at(-1)).toBe(1);
    const xt = tf.tensor2d(spirals.test.x, [194, 2]);
    const logits = net.predict(xt);
    expect(accuracy(logits, spirals.test.y)).toBeGreaterThanOrEqual(0.95);
    tf.dispose([x, y, xt, logits]);
  });
});

describe('TargetSpaceMlp — engines, projection, dropout', () => {
  it('projection (eq. 13) makes the initial targets exactly the sums they achieve', () => {
    const x = spiralX();
    const net = new TargetSpaceMlp({ layers: [2, 5, 5, 5, 2], shortcuts: true }, { realisationInputs: x, seed: 3 });
    const raw = new TargetSpaceMlp({ layers: [2, 5, 5, 5, 2], shortcuts: true }, { realisationInputs: x, seed: 3, projection: false });
    // T ← S̄ of the first realisation: the projected targets are the raw targets' achieved sums.
    expect(maxDiff(net.getTargets(), raw.achievedSums())).toBe(0);
    expect(maxDiff(net.getTargets(), raw.getTargets())).toBeGreaterThan(0.1);
    x.dispose();
  });

  it('the tfjs engine computes the same target gradients as the float64 engine (to float32 accuracy)', () => {
    const x = spiralX();
    const y = spiralY();
    const xb = tf.slice(x, [0, 0], [40, 2]) as tf.Tensor2D;
    for (const shortcuts of [true, false]) {
      const opts = { realisationInputs: xb, seed: 5, lambda: 0.1 } as const;
      const f64 = new TargetSpaceMlp({ layers: [2, 5, 5, 2], shortcuts }, { ...opts, engine: 'float64' });
      const gpu = new TargetSpaceMlp({ layers: [2, 5, 5, 2], shortcuts }, { ...opts, engine: 'tfjs', precision: 'float64' });
      const batch = tf.slice(x, [50, 0], [30, 2]) as tf.Tensor2D;
      const labels = tf.slice(y, [50], [30]);
      const a = f64.lossAndGradients(batch, labels);
      const b = gpu.lossAndGradients(batch, labels);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      const scale = Math.max(...a.gradients.flatMap((g) => Array.from(g.data, Math.abs)));
      expect(maxDiff(a.gradients, b.gradients) / scale).toBeLessThan(1e-3);
      tf.dispose([batch, labels]);
      gpu.dispose();
    }
    tf.dispose([x, y, xb]);
  });

  it('the float64 engine takes float64 x (Float64Array, number[][], Matrix) without rounding it to float32', async () => {
    // Inputs that float32 cannot hold: every value carries a 1e-9 offset, below float32's resolution near 1.
    const rows = Array.from({ length: 12 }, (_, i) => [Math.cos(i) + 1e-9 * (i + 1), Math.sin(i) - 1e-9 * (i + 2)]);
    const flat = Float64Array.from(rows.flat());
    expect(Array.from(Float32Array.from(flat))).not.toEqual(Array.from(flat));
    const labels = tf.tensor1d(
      rows.map((_, i) => i % 2),
      'int32',
    );
    const make = () => new TargetSpaceMlp({ layers: [2, 4, 2] }, { realisationInputs: flat, lambda: 1e-3, seed: 8, engine: 'float64' });
    const net = make();
    const viaFlat = net.lossAndGradients(flat, labels);
    const viaRows = net.lossAndGradients(rows, labels);
    const viaMatrix = net.lossAndGradients({ rows: 12, cols: 2, data: flat }, labels);
    expect(viaRows).toEqual(viaFlat);
    expect(viaMatrix).toEqual(viaFlat);
    // The same batch through a float32 tensor is rounded first, so its loss differs; float64 x is what was passed.
    const x32 = tf.tensor2d(rows);
    expect(net.lossAndGradients(x32, labels).loss).not.toBe(viaFlat.loss);
    // …and the rounding is the only difference: float64 x holding the float32 values gives the tensor's result.
    expect(net.lossAndGradients(Float64Array.from(x32.dataSync()), labels)).toEqual(net.lossAndGradients(x32, labels));
    // fit takes float64 x too (here the whole X̄, the fused path): rows and a flat Float64Array train identically.
    const fitted = make();
    await fitted.fit(rows, labels, { epochs: 3, seed: 1 });
    const again = make();
    await again.fit(flat, labels, { epochs: 3, seed: 1 });
    expect(fitted.getTargets()).toEqual(again.getTargets());
    expect(() => net.lossAndGradients([[1, 2, 3]], labels)).toThrow(ShapeError);
    tf.dispose([labels, x32]);
  });

  it('two-stage (∂L/∂W then Alg. 4) equals the trainer’s gradient, weight decay included', () => {
    const x = spiralX();
    const y = spiralY();
    const xb = tf.slice(x, [0, 0], [30, 2]) as tf.Tensor2D;
    const net = new TargetSpaceMlp({ layers: [2, 5, 5, 2], shortcuts: true }, { realisationInputs: xb, seed: 6, weightDecay: 0.01 });
    const batch = tf.slice(x, [60, 0], [7, 2]) as tf.Tensor2D;
    const labels = tf.slice(y, [60], [7]);
    const { gradients } = net.lossAndGradients(batch, labels);
    // ∂L/∂W by backprop through the twin at the realised weights, plus 2·wd·W (bias rows excluded).
    const weights = net.realiseWeights();
    const arch = resolveDenseArchitecture('t', { layers: [2, 5, 5, 2], shortcuts: true });
    const g = weightSpaceGradients(arch, Float64Array.from(batch.dataSync()), 7, Int32Array.from(labels.dataSync()), weights).map((gw, j) => ({
      ...gw,
      data: gw.data.map((v, i) => (i >= weights[j].cols ? v + 2 * 0.01 * weights[j].data[i] : v)),
    }));
    const alg4 = targetGradients(arch, net.getRealisationInputs(), net.getTargets(), g, { lambda: 1e-3, cascade: 'scu' });
    expect(maxDiff(gradients, alg4)).toBeLessThan(1e-9);
    tf.dispose([x, y, xb, batch, labels]);
  });

  it('dropout off is the identity; with dropout the two passes use independent masks; evaluation uses none', () => {
    const x = spiralX();
    const y = spiralY();
    const xb = tf.slice(x, [0, 0], [40, 2]) as tf.Tensor2D;
    const batch = tf.slice(x, [0, 0], [40, 2]) as tf.Tensor2D;
    const labels = tf.slice(y, [0], [40]);
    const plain = new TargetSpaceMlp({ layers: [2, 8, 8, 2] }, { realisationInputs: xb, seed: 7 });
    const zero = new TargetSpaceMlp({ layers: [2, 8, 8, 2] }, { realisationInputs: xb, seed: 7, dropout: 0 });
    expect(maxDiff(plain.lossAndGradients(batch, labels).gradients, zero.lossAndGradients(batch, labels).gradients)).toBe(0);
    const drop = new TargetSpaceMlp({ layers: [2, 8, 8, 2] }, { realisationInputs: xb, seed: 7, dropout: 0.2 });
    const d1 = drop.lossAndGradients(batch, labels, 0);
    const d2 = drop.lossAndGradients(batch, labels, 1);
    expect(maxDiff(d1.gradients, d2.gradients)).toBeGreaterThan(0);
    expect(d1.loss).not.toBe(plain.lossAndGradients(batch, labels).loss);
    // Same iteration → same masks (reproducible); predictions ignore dropout entirely.
    expect(maxDiff(drop.lossAndGradients(batch, labels, 0).gradients, d1.gradients)).toBe(0);
    const p1 = drop.predict(batch);
    const p2 = plain.predict(batch);
    expect(Array.from(p1.dataSync())).toEqual(Array.from(p2.dataSync()));
    tf.dispose([x, y, xb, batch, labels, p1, p2]);
  });
});

/** ∂L/∂W of the mean cross-entropy on a batch at given weights (Alg. 2 on the tape). */
function weightSpaceGradients(arch: ReturnType<typeof resolveDenseArchitecture>, x: Float64Array, n: number, labels: Int32Array, weights: Matrix[]): Matrix[] {
  const ops = new Float64Ops(new Tape());
  const w = weights.map((m) => ops.variable(m));
  const loss = ops.softmaxCrossEntropy(feedForward(ops, arch, ops.constant(x, n, arch.layers[0]), w), labels);
  return ops.tape.gradients(loss, w);
}

describe('TargetSpaceMlp — interop, checkpoints, memory', () => {
  it('toLayersModel() returns a standard tfjs model whose predictions match, and it survives save/load', async () => {
    const x = spiralX();
    const y = spiralY();
    const net = new TargetSpaceMlp({ layers: [2, 5, 5, 5, 2], shortcuts: true }, { realisationInputs: x, seed: 2 });
    await net.fit(x, y, { epochs: 30 });
    const model = net.toLayersModel();
    const ours = net.predict(x);
    const theirs = model.predict(x) as tf.Tensor;
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]);
    expect(d).toBeLessThan(1e-4);
    const dir = await mkdtemp(join(tmpdir(), 'bbp-mlp-'));
    await saveLayersModel(model, dir);
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    await rm(dir, { recursive: true, force: true });
    const named = net.toLayersModel({ name: 'spirals' });
    const oldStyle = net.toLayersModel('old_style');
    expect([named.name, oldStyle.name]).toEqual(['spirals', 'old_style']);
    expect(() => net.toLayersModel({ name: '' })).toThrow(/TargetSpaceMlp\.toLayersModel: argument 'options\.name'/);
    named.dispose();
    oldStyle.dispose();
    const again = loaded.predict(x) as tf.Tensor;
    expect(Array.from(again.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([x, y, ours, theirs, again]);
    model.dispose();
    loaded.dispose();
  });

  it.each([
    ['float64', 0],
    ['float64', 0.2],
    ['tfjs', 0],
    ['tfjs', 0.2],
  ] as const)('a checkpoint at epoch k resumes bit-identically to the uninterrupted run (%s engine, Adam, dropout %s)', async (engine, dropout) => {
    const x = spiralX();
    const y = spiralY();
    const opts = { realisationInputs: x, seed: 4, dropout, engine, optimizer: { kind: 'adam' as const, learningRate: 0.01 } };
    const straight = new TargetSpaceMlp({ layers: [2, 5, 5, 2], shortcuts: true }, opts);
    await straight.fit(x, y, { epochs: 6, batchSize: 64, seed: 9 });
    const first = new TargetSpaceMlp({ layers: [2, 5, 5, 2], shortcuts: true }, opts);
    await first.fit(x, y, { epochs: 3, batchSize: 64, seed: 9 });
    const ckpt = decodeCheckpoint(encodeCheckpoint(await first.checkpoint())) as TargetSpaceMlpCheckpoint;
    first.dispose();
    const start = tf.memory().numTensors;
    for (let round = 0; round < 5; round++) (await TargetSpaceMlp.fromCheckpoint(ckpt)).dispose();
    expect(tf.memory().numTensors).toBe(start);
    const resumed = await TargetSpaceMlp.fromCheckpoint(ckpt);
    await resumed.fit(x, y, { epochs: 6, initialEpoch: 3, batchSize: 64, seed: 9 });
    expect(maxDiff(resumed.getTargets(), straight.getTargets())).toBe(0);
    resumed.dispose();
    straight.dispose();
    tf.dispose([x, y]);
  });

  it('fromCheckpoint rejects a bad checkpoint with CheckpointError naming the field and frees what it built', async () => {
    const x = xorX();
    const y = xorY();
    const net = new TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: x, engine: 'tfjs', seed: 1 });
    await net.fit(x, y, { epochs: 2 });
    const saved = await net.checkpoint();
    const f64 = new TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: x, engine: 'float64', seed: 1 });
    await f64.fit(x, y, { epochs: 2 });
    const savedF64 = await f64.checkpoint();
    const start = tf.memory().numTensors;
    const bad = (edit: (c: Record<string, any>) => void, from: object = saved) => {
      const c = JSON.parse(JSON.stringify(from)) as Record<string, any>;
      edit(c);
      return TargetSpaceMlp.fromCheckpoint(c as TargetSpaceMlpCheckpoint);
    };
    await expect(bad((c) => (c.state.params[0].data[1] = null))).rejects.toThrow(/field 'state\.params\[0\]\.data\[1\]' must be a finite number, got null/);
    await expect(bad((c) => (c.state.params[1].cols = 5))).rejects.toThrow(/'state\.params\[1\]\.\[rows, cols\]' must be/);
    await expect(bad((c) => c.state.params.pop())).rejects.toThrow(/'state\.params' must have 2 entries/);
    await expect(bad((c) => (c.state.iterations = 1.5))).rejects.toThrow(/'state\.iterations'/);
    await expect(bad((c) => (c.realisationInputs.data[0] = null))).rejects.toThrow(/'realisationInputs\.data\[0\]'/);
    await expect(bad((c) => (c.state.optimizer.powers.accBeta1 = null))).rejects.toThrow(/'state\.optimizer\.powers\.accBeta1'/);
    await expect(bad((c) => (c.state.optimizer.weights[1].shape = [3, 9]))).rejects.toThrow(/'state\.optimizer\.weights\[1\]\.shape'/);
    await expect(bad((c) => (c.version = 7))).rejects.toThrow(CheckpointError);
    await expect(bad((c) => delete c.architecture)).rejects.toThrow(/'architecture' is required/);
    await expect(bad((c) => (c.architecture.layers = [2, 4, 2]))).rejects.toThrow(/'state\.params\[0\]/);
    await expect(bad((c) => (c.state.optimizer.state.slots[0][1][0] = null), savedF64)).rejects.toThrow(/'state\.optimizer\.state\.slots\[0\]\[1\]\[0\]'/);
    await expect(bad((c) => (c.state.optimizer.state.step = -2), savedF64)).rejects.toThrow(/'state\.optimizer\.state\.step'/);
    expect(tf.memory().numTensors).toBe(start);
    net.dispose();
    f64.dispose();
    tf.dispose([x, y]);
  });

  it('scores validationData as valLoss and valAccuracy every epoch (it was silently ignored), and metrics: [accuracy]', async () => {
    const x = spiralX();
    const y = spiralY();
    const net = new TargetSpaceMlp({ layers: [2, 5, 5, 2], shortcuts: true }, { realisationInputs: x, seed: 3 });
    const h = await net.fit(x, y, { epochs: 3, batchSize: 97, validationData: [x, y], metrics: ['accuracy'] });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'valAccuracy', 'valLoss']);
    // Validating on the training set: same accuracy; the loss after the epoch is below the epoch's mean batch loss.
    expect(h.history.valAccuracy).toEqual(h.history.accuracy);
    expect(h.history.valLoss!.at(-1)!).toBeLessThan(h.history.loss![0]);
    await expect(net.fit(x, y, { epochs: 1, validationData: [x, tf.zeros([3], 'int32')] })).rejects.toThrow(/TargetSpaceMlp\.fit: argument 'y'/);
    net.dispose();
    tf.dispose([x, y]);
  });

  it("earlyStopping stops on a stalled valLoss and restoreBestWeights puts back the best epoch's targets", async () => {
    const x = xorX();
    const y = xorY();
    const best: Matrix[][] = [];
    const losses: number[] = [];
    // Validation labels opposite to the training labels: the better the fit, the worse valLoss.
    const flipped = tf.tensor1d([1, 0, 0, 1], 'int32');
    const net = new TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: x, seed: 1 });
    const h = await net.fit(x, y, {
      epochs: 40,
      validationData: [x, flipped],
      callbacks: [
        { onEpochEnd: (_, logs) => void (losses.push(logs.valLoss!), best.push(net.getTargets())) },
        earlyStopping({ monitor: 'valLoss', patience: 2, restoreBestWeights: true }),
      ],
    });
    expect(h.stopReason).toBe('stopped');
    const bestEpoch = losses.indexOf(Math.min(...losses));
    expect(h.epoch.length).toBe(bestEpoch + 3);
    expect(maxDiff(net.getTargets(), best[bestEpoch])).toBe(0);
    expect(maxDiff(net.getTargets(), best.at(-1)!)).toBeGreaterThan(0);
    net.dispose();
    tf.dispose([x, y, flipped]);
  });

  it('keeps the number of tensors flat across epochs on both engines', async () => {
    const x = xorX();
    const y = xorY();
    for (const engine of ['float64', 'tfjs'] as const) {
      const net = new TargetSpaceMlp({ layers: [2, 4, 2] }, { realisationInputs: x, engine, seed: 1 });
      const counts: number[] = [];
      await net.fit(x, y, { epochs: 8, batchSize: 2, trackAccuracy: true, callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) } });
      expect(new Set(counts.slice(1)).size, engine).toBe(1);
      net.dispose();
    }
    tf.dispose([x, y]);
  });

  it('is reproducible: the same seed gives bit-identical targets after training', async () => {
    const x = xorX();
    const y = xorY();
    const run = async () => {
      const net = new TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: x, seed: 11, dropout: 0.1 });
      await net.fit(x, y, { epochs: 20, batchSize: 2, seed: 3 });
      return net.getTargets();
    };
    expect(maxDiff(await run(), await run())).toBe(0);
    tf.dispose([x, y]);
  });
});

describe('TargetSpaceMlp — bad input and divergence', () => {
  it('rejects inconsistent shapes and invalid hyperparameters by name', async () => {
    const x = xorX();
    const y = xorY();
    expect(() => new TargetSpaceMlp({ layers: [3, 2] }, { realisationInputs: x })).toThrow(/argument 'options.realisationInputs' must have shape \[\?, 3\]/);
    expect(() => new TargetSpaceMlp({ layers: [2] }, { realisationInputs: x })).toThrow(/architecture.layers/);
    expect(() => new TargetSpaceMlp({ layers: [2, 2] }, { realisationInputs: x, lambda: 0 })).toThrow(/argument 'options.lambda' must be a finite number > 0/);
    expect(() => new TargetSpaceMlp({ layers: [2, 2] }, { realisationInputs: x, cascade: 'xcu' as 'scu' })).toThrow(/options.cascade/);
    expect(() => new TargetSpaceMlp({ layers: [2, 2] }, { realisationInputs: x, dropout: 1 })).toThrow(/options.dropout/);
    expect(() => new TargetSpaceMlp({ layers: [2, 2] }, { realisationInputs: tf.tensor2d([[0, Number.NaN]]) })).toThrow(/contains NaN/);
    expect(() => new TargetSpaceMlp({ layers: [2, 2] }, {} as never)).toThrow(/options.realisationInputs/);
    const net = new TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: x });
    await expect(net.fit(tf.zeros([4, 3]) as tf.Tensor2D, y, { epochs: 1 })).rejects.toBeInstanceOf(ShapeError);
    await expect(net.fit(x, tf.tensor1d([0, 1, 1], 'int32'), { epochs: 1 })).rejects.toThrow(/argument 'y' must have shape \[n = 4\]/);
    await expect(net.fit(x, tf.tensor1d([0, 1, 2, 0], 'int32'), { epochs: 1 })).rejects.toThrow(/argument 'y\[2\]' must be a class index in \[0, 1\]/);
    await expect(net.fit(x, y, { epochs: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    tf.dispose([x, y]);
  });

  it('stops on divergence with TrainingDivergedError, never applying the NaN update or checkpointing it', async () => {
    const x = spiralX();
    const y = spiralY();
    const net = new TargetSpaceMlp(
      { layers: [2, 5, 5, 2], shortcuts: true },
      { realisationInputs: x, seed: 1, weightDecay: 1e300, optimizer: { kind: 'sgd', learningRate: 1 } },
    );
    const saved: TargetSpaceMlpCheckpoint[] = [];
    await expect(net.fit(x, y, { epochs: 50, checkpoint: { save: async () => void saved.push(await net.checkpoint()) } })).rejects.toBeInstanceOf(
      TrainingDivergedError,
    );
    expect(net.getTargets().every((t) => t.data.every(Number.isFinite))).toBe(true);
    expect(saved.every((c) => c.state.params.every((t) => t.data.every(Number.isFinite)))).toBe(true);
    tf.dispose([x, y]);
  });
});

describe('WeightSpaceMlp (the backprop twin)', () => {
  it('solves XOR on both engines, which agree, from the authors’ Glorot initialisation', async () => {
    const x = xorX();
    const y = xorY();
    const f64 = new WeightSpaceMlp({ layers: [2, 4, 2] }, { seed: 3, engine: 'float64', optimizer: { kind: 'adam', learningRate: 0.05 } });
    const tfe = new WeightSpaceMlp({ layers: [2, 4, 2] }, { seed: 3, engine: 'tfjs', optimizer: { kind: 'adam', learningRate: 0.05 } });
    const h1 = await f64.fit(x, y, { epochs: 300 });
    const h2 = await tfe.fit(x, y, { epochs: 300 });
    expect(Math.abs(h1.history.loss![50] - h2.history.loss![50])).toBeLessThan(1e-3);
    const logits = f64.predict(x);
    expect(accuracy(logits, [0, 1, 1, 0])).toBe(1);
    const model = f64.toLayersModel();
    const theirs = model.predict(x) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(logits, theirs))).dataSync()[0])).toBeLessThan(1e-4);
    tfe.dispose();
    model.dispose();
    tf.dispose([x, y, logits, theirs]);
  });
});
