import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, gradCheck, initBackend } from '@beyond-backprop/core-linalg';
import { toTensors, twoSpirals } from '@beyond-backprop/datasets';
import {
  FUSED_ADAM_KERNEL,
  SOFTMAX_CROSS_ENTROPY_KERNEL,
  FusedAdamOptimizer,
  TrainingDivergedError,
  accuracy,
  denseNetwork,
  fitBackprop,
  meanSquaredError,
  paperAdam,
  runFitLoop,
  softmaxCrossEntropy,
  variableSnapshots,
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

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

describe('denseNetwork', () => {
  it('builds the 2-5-5-5-2 all-shortcut net with fan-ins 3, 8, 13, 18 (counting the bias)', () => {
    const model = denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2, shortcuts: true });
    const kernels = model.getWeights().filter((w) => w.rank === 2);
    expect(kernels.map((k) => k.shape[0] + 1)).toEqual([3, 8, 13, 18]);
    expect(kernels.map((k) => k.shape[1])).toEqual([5, 5, 5, 2]);
    const plain = denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2 });
    expect(
      plain
        .getWeights()
        .filter((w) => w.rank === 2)
        .map((k) => k.shape),
    ).toEqual([
      [2, 5],
      [5, 5],
      [5, 5],
      [5, 2],
    ]);
    model.dispose();
    plain.dispose();
  });

  it('initialises reproducibly from the seed, with each scheme’s scale', () => {
    const a = denseNetwork({ inputSize: 3, hidden: [40], outputs: 40, seed: 5 });
    const b = denseNetwork({ inputSize: 3, hidden: [40], outputs: 40, seed: 5 });
    const c = denseNetwork({ inputSize: 3, hidden: [40], outputs: 40, seed: 6 });
    expect(weightsOf(a)).toEqual(weightsOf(b));
    expect(weightsOf(a)[0]).not.toEqual(weightsOf(c)[0]);
    // glorot-uniform: |w| ≤ √(6/(fanIn+fanOut)), zero bias.
    const limit = Math.sqrt(6 / (40 + 40));
    const w = weightsOf(a)[2];
    expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...Array.from(weightsOf(a)[3], Math.abs))).toBe(0);
    const he = denseNetwork({ inputSize: 3, hidden: [40], outputs: 400, init: 'he-normal', seed: 1 });
    const hv = weightsOf(he)[2];
    const std = Math.sqrt(hv.reduce((s, v) => s + v * v, 0) / hv.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 41), 2);
    const tn = denseNetwork({ inputSize: 3, hidden: [40], outputs: 40, init: 'glorot-truncated', seed: 1 });
    const tv = weightsOf(tn)[2];
    expect(Math.max(...Array.from(tv, Math.abs))).toBeLessThanOrEqual(2 * Math.sqrt(6 / 81) + 1e-6);
    expect(Math.max(...Array.from(weightsOf(tn)[3], Math.abs))).toBeGreaterThan(0);
    [a, b, c, he, tn].forEach((m) => m.dispose());
  });

  it('is a standard LayersModel: save and load round-trip with identical predictions', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [5, 5], outputs: 3, shortcuts: true, seed: 2 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const x = tf.tensor2d([
      [0.1, -0.3],
      [2, 1],
    ]);
    const p1 = model.predict(x) as tf.Tensor;
    const p2 = loaded.predict(x) as tf.Tensor;
    expect(Array.from(p2.dataSync())).toEqual(Array.from(p1.dataSync()));
    tf.dispose([x, p1, p2]);
    model.dispose();
    loaded.dispose();
  });

  it('with batchNorm, normalises after each hidden activation and learns with batch statistics', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [6, 6], outputs: 2, batchNorm: true, seed: 4 });
    expect(model.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(2);
    const [x, y] = [xorX(), xorY()];
    const before = weightsOf(model).map((w) => w.slice());
    // BN's moving averages (momentum 0.99) need several hundred updates to settle on four examples.
    await fitBackprop(model, x, y, { epochs: 1000, optimizer: paperAdam(0.02) });
    // Moving statistics were updated during training, so inference mode predicts the training labels.
    const moving = model.getWeights().filter((_, i) => model.weights[i].name.includes('moving_mean'));
    expect(moving.some((m) => Array.from(m.dataSync()).some((v) => v !== 0))).toBe(true);
    expect(accuracy(model.predict(x) as tf.Tensor, y)).toBe(1);
    expect(weightsOf(model)[0]).not.toEqual(before[0]);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('rejects an invalid architecture by name', () => {
    expect(() => denseNetwork({ inputSize: 0, hidden: [], outputs: 1 })).toThrow(/argument 'inputSize'/);
    expect(() => denseNetwork({ inputSize: 2, hidden: [5, -1], outputs: 1 })).toThrow(/argument 'hidden\[1\]'/);
    expect(() => denseNetwork({ inputSize: 2, hidden: [5], outputs: 1, activation: 'swish' as 'tanh' })).toThrow(/argument 'activation'/);
    expect(() => denseNetwork({ inputSize: 2, hidden: [5], outputs: 1, init: 'zeros' as 'he-normal' })).toThrow(/argument 'init'/);
  });
});

describe('losses and metrics', () => {
  it('softmaxCrossEntropy is the mean −log p(label), equal for int labels and one-hot, stable at logits ±100', () => {
    const logits = tf.tensor2d([
      [2, 0, -1],
      [0.5, 0.5, 3],
    ]);
    const manual = -(Math.log(Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1))) + Math.log(Math.exp(3) / (2 * Math.exp(0.5) + Math.exp(3)))) / 2;
    const fromInts = softmaxCrossEntropy(tf.tensor1d([0, 2], 'int32'), logits).dataSync()[0];
    const fromOneHot = softmaxCrossEntropy(
      tf.tensor2d([
        [1, 0, 0],
        [0, 0, 1],
      ]),
      logits,
    ).dataSync()[0];
    expect(fromInts).toBeCloseTo(manual, 5);
    expect(fromOneHot).toBeCloseTo(manual, 5);
    const extreme = softmaxCrossEntropy(
      tf.tensor1d([1, 0], 'int32'),
      tf.tensor2d([
        [100, -100],
        [-100, 100],
      ]),
    ).dataSync()[0];
    expect(extreme).toBeCloseTo(200, 3);
    expect(() => softmaxCrossEntropy(tf.tensor1d([0], 'int32'), logits)).toThrow(ShapeError);
    expect(() => softmaxCrossEntropy(tf.tensor2d([[1, 0]]), logits)).toThrow(/argument 'labels'/);
  });

  it('softmaxCrossEntropy gradient matches float64 finite differences', () => {
    const labels = tf.tensor2d([
      [0.2, 0.8, 0],
      [0, 0, 1],
    ]);
    const l = [0.2, 0.8, 0, 0, 0, 1];
    const logits = tf.tensor2d([
      [0.3, -1.2, 0.7],
      [1.5, 0.1, -0.4],
    ]);
    const reference = (z: Float64Array) => {
      let total = 0;
      for (let r = 0; r < 2; r++) {
        const row = [z[3 * r], z[3 * r + 1], z[3 * r + 2]];
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        for (let k = 0; k < 3; k++) total -= l[3 * r + k] * (row[k] - lse);
      }
      return total / 2;
    };
    const result = gradCheck((z) => softmaxCrossEntropy(labels, z), [logits], { reference, tolerance: 1e-5 });
    expect(result.passed).toBe(true);
  });

  it('the fused softmaxCrossEntropy kernel equals the logSoftmax composite in loss and gradient, on wasm and cpu, leaking nothing', async () => {
    const composite = (labels: tf.Tensor, logits: tf.Tensor) =>
      tf.tidy(() => {
        const target = labels.dtype === 'int32' ? tf.oneHot(labels as tf.Tensor1D, logits.shape[1]!) : labels;
        return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      });
    const z = [0.3, -1.2, 0.7, 40, 0.1, -0.4, 2, 2, 2, -3, 5, 1];
    const cases: Array<[string, () => tf.Tensor]> = [
      // 7 and −1 are outside [0, 3): zero target rows, as tf.oneHot makes them.
      ['class indices', () => tf.tensor1d([2, 0, 7, -1], 'int32')],
      ['probability rows', () => tf.tensor2d([0.2, 0.8, 0, 0, 0, 1, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0.5], [4, 3])],
    ];
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      for (const [name, makeLabels] of cases) {
        const labels = makeLabels();
        const logits = tf.tensor2d(z, [4, 3]);
        // Scaled by 3 so that the gradient must use the upstream dy, not assume 1.
        const fused = tf.valueAndGrad((x: tf.Tensor) => tf.mul(3, softmaxCrossEntropy(labels, x)) as tf.Scalar)(logits);
        const want = tf.valueAndGrad((x: tf.Tensor) => tf.mul(3, composite(labels, x)) as tf.Scalar)(logits);
        const profile = await tf.profile(() => tf.dispose(softmaxCrossEntropy(labels, logits)));
        expect(profile.kernels.map((k) => k.name)).toContain(SOFTMAX_CROSS_ENTROPY_KERNEL);
        expect(fused.value.dataSync()[0], `${backend} ${name} loss`).toBeCloseTo(want.value.dataSync()[0], 5);
        const g = fused.grad.dataSync();
        const w = want.grad.dataSync();
        for (let i = 0; i < w.length; i++) expect(g[i], `${backend} ${name} grad[${i}]`).toBeCloseTo(w[i], 6);
        if (name === 'class indices') expect(Array.from(g.slice(6))).toEqual([0, 0, 0, 0, 0, 0]);
        tf.dispose([fused.value, fused.grad, want.value, want.grad]);
        const before = tf.memory().numTensors;
        for (let r = 0; r < 3; r++) {
          tf.dispose(softmaxCrossEntropy(labels, logits));
          const v = tf.variable(logits);
          const step = tf.variableGrads(() => softmaxCrossEntropy(labels, v));
          tf.dispose([step.value, ...Object.values(step.grads), v]);
        }
        expect(tf.memory().numTensors, `${backend} ${name} tensors`).toBe(before);
        const nan = softmaxCrossEntropy(labels, tf.tensor2d([Number.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [4, 3]));
        expect(Number.isNaN(nan.dataSync()[0])).toBe(true);
        tf.dispose([labels, logits, nan]);
      }
    }
    await tf.setBackend('wasm');
  });

  it('the fused softmaxCrossEntropy stays finite at logits ±1000 in rows of different scales, skips zero targets at −∞, and scores only labels in [0, k)', async () => {
    expect(SOFTMAX_CROSS_ENTROPY_KERNEL).toBe('BbpSoftmaxCrossEntropy');
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      tf.tidy(() => {
        // Each row's maximum, and only its own, keeps exp() finite: row 0 is near 0, row 1 near ±1000 (e^1000 = ∞), its
        // maximum first and its minimum last.
        const logits = tf.tensor2d([0.5, -0.25, 0, 1000, 999, -1000], [2, 3]);
        const fromIndices = tf.valueAndGrad((z: tf.Tensor) => softmaxCrossEntropy(tf.tensor1d([1, 1], 'int32'), z))(logits);
        const lse0 = Math.log(Math.exp(0.5) + Math.exp(-0.25) + 1);
        const lse1 = 1000 + Math.log(1 + Math.exp(-1));
        expect(fromIndices.value.dataSync()[0]).toBeCloseTo((lse0 + 0.25 + (lse1 - 999)) / 2, 5);
        expect(Array.from(fromIndices.grad.dataSync()).every(Number.isFinite)).toBe(true);
        // A class with probability 0 and logit −∞ adds nothing (0·∞ would make the loss NaN).
        const withMinusInf = tf.tensor2d([Number.NEGATIVE_INFINITY, 1, 2], [1, 3]);
        const soft = softmaxCrossEntropy(tf.tensor2d([0, 0.5, 0.5], [1, 3]), withMinusInf).dataSync()[0];
        const lse = Math.log(Math.E + Math.E ** 2);
        expect(soft).toBeCloseTo(0.5 * (lse - 1) + 0.5 * (lse - 2), 5);
        // Label k (one past the last class) is out of range like any other: a zero row, still counted in n.
        const edge = softmaxCrossEntropy(tf.tensor1d([3, 0], 'int32'), tf.tensor2d([1, 2, 3, 1, 2, 3], [2, 3])).dataSync()[0];
        expect(edge).toBeCloseTo((Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 1) / 2, 5);
      });
    }
    await tf.setBackend('wasm');
  });

  it('meanSquaredError and accuracy', () => {
    expect(meanSquaredError(tf.tensor2d([[1, 2]]), tf.tensor2d([[2, 4]])).dataSync()[0]).toBeCloseTo(2.5, 6);
    expect(() => meanSquaredError(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[2, 4]]))).toThrow(/argument 'targets'/);
    expect(
      accuracy(
        tf.tensor2d([
          [0.1, 0.9],
          [2, 1],
          [0, 3],
        ]),
        Int32Array.from([1, 0, 0]),
      ),
    ).toBeCloseTo(2 / 3, 6);
    expect(() => accuracy(tf.tensor2d([[0.1, 0.9]]), Int32Array.from([1, 0]))).toThrow(ShapeError);
  });
});

describe('fitBackprop', () => {
  it('solves XOR with a 2-3-2 tanh net', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [3], outputs: 2, seed: 1 });
    const [x, y] = [xorX(), xorY()];
    await fitBackprop(model, x, y, { epochs: 300, optimizer: paperAdam(0.05) });
    expect(accuracy(model.predict(x) as tf.Tensor, y)).toBe(1);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('learns most of two-spirals in 400 epochs and reports accuracy and validation metrics', async () => {
    const ds = twoSpirals();
    const train = toTensors(ds.train);
    const test = toTensors(ds.test);
    const model = denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2, shortcuts: true, seed: 2 });
    const history = await fitBackprop(model, train.x, train.y, {
      epochs: 400,
      optimizer: paperAdam(0.01),
      trackAccuracy: true,
      validationData: [test.x, test.y],
    });
    expect(history.history.loss!.at(-1)!).toBeLessThan(history.history.loss![0] / 2);
    expect(history.history.accuracy!.at(-1)!).toBeGreaterThan(0.7);
    expect(history.history.valAccuracy).toHaveLength(400);
    expect(history.history.valLoss).toHaveLength(400);
    model.dispose();
    tf.dispose([train.x, train.y, test.x, test.y]);
  });

  it('is reproducible: the same seed gives the same loss history', async () => {
    const run = async () => {
      const model = denseNetwork({ inputSize: 2, hidden: [4], outputs: 2, seed: 9 });
      const [x, y] = [xorX(), xorY()];
      const h = await fitBackprop(model, x, y, { epochs: 20, batchSize: 2, seed: 4, optimizer: paperAdam(0.01) });
      model.dispose();
      tf.dispose([x, y]);
      return h.history.loss;
    };
    expect(await run()).toEqual(await run());
  });

  it('keeps the number of tensors flat across epochs', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [5, 5], outputs: 2, shortcuts: true, seed: 3 });
    const [x, y] = [xorX(), xorY()];
    const counts: number[] = [];
    await fitBackprop(model, x, y, {
      epochs: 12,
      batchSize: 2,
      trackAccuracy: true,
      validationData: [x, y],
      callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
    });
    // Adam creates its slot variables during the first update; from then on nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('stops on a NaN loss with TrainingDivergedError and leaves the weights whose loss was last finite', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [3], outputs: 2, seed: 1 });
    const [x, y] = [xorX(), xorY()];
    let calls = 0;
    let before: Float32Array[] = [];
    // Call 3's loss is NaN: it is measured on the weights update 2 produced, so the state to keep is the one call 2's
    // (finite) loss was measured on.
    const loss = (yt: tf.Tensor, yp: tf.Tensor) => {
      calls++;
      if (calls === 2) before = weightsOf(model);
      const l = softmaxCrossEntropy(yt, yp);
      return (calls >= 3 ? tf.mul(l, Number.NaN) : l) as tf.Scalar;
    };
    await expect(fitBackprop(model, x, y, { epochs: 10, loss })).rejects.toBeInstanceOf(TrainingDivergedError);
    expect(weightsOf(model)).toEqual(before);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('rejects mismatched, non-finite or empty data by argument name', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [3], outputs: 2 });
    await expect(fitBackprop(model, xorX(), tf.tensor1d([0, 1, 1], 'int32'), { epochs: 1 })).rejects.toThrow(/fitBackprop: argument 'y' must have shape \[4\]/);
    await expect(fitBackprop(model, tf.tensor2d([[0, Number.NaN]]), tf.tensor1d([0], 'int32'), { epochs: 1 })).rejects.toThrow(/argument 'x' contains NaN/);
    await expect(fitBackprop(model, tf.tensor2d([[0, 1]], [1, 2], 'int32'), tf.tensor1d([0], 'int32'), { epochs: 1 })).rejects.toBeInstanceOf(DTypeError);
    await expect(fitBackprop(model, tf.zeros([0, 2]), tf.zeros([0], 'int32'), { epochs: 1 })).rejects.toThrow(/at least one example/);
    await expect(fitBackprop({} as tf.LayersModel, xorX(), xorY(), { epochs: 1 })).rejects.toThrow(/argument 'model'/);
    model.dispose();
  });
});

describe('FusedAdamOptimizer', () => {
  const shapes = [[7, 5], [5], [3, 1], [1]];
  /** Seeded pseudo-random float32 values (no tfjs RNG, so both backends see the same numbers). */
  const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 3);

  /** Runs `steps` Adam updates of fresh variables with fixed gradients; returns parameters and moments. */
  function run(
    make: () => tf.Optimizer,
    steps: number,
    prefix: string,
  ): { params: Float32Array[]; state: Float32Array[]; optimizer: tf.Optimizer; vars: tf.Variable[] } {
    const vars = shapes.map((s, i) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(s), i + 1), s), true, `${prefix}_${i}`));
    const optimizer = make();
    for (let t = 0; t < steps; t++) {
      const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(values(v.size, 100 * t + i), v.shape).mul(t % 2 === 0 ? 1 : 1e-3) }));
      optimizer.applyGradients(grads);
      tf.dispose(grads.map((g) => g.tensor));
    }
    const state = optimizer as unknown as {
      accumulatedFirstMoment: Array<{ variable: tf.Variable }>;
      accumulatedSecondMoment: Array<{ variable: tf.Variable }>;
    };
    return {
      params: vars.map((v) => v.dataSync().slice() as Float32Array),
      state: [...state.accumulatedFirstMoment, ...state.accumulatedSecondMoment].map((m) => m.variable.dataSync().slice() as Float32Array),
      optimizer,
      vars,
    };
  }

  it('gives exactly tf.train.adam’s float32 parameters and moments over several steps, on wasm and cpu', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      for (const eps of [1e-8, null]) {
        const ref = run(() => tf.train.adam(0.05, 0.9, 0.999, eps ?? undefined), 6, `ref_${backend}_${eps}`);
        const fused = run(() => new FusedAdamOptimizer(0.05, 0.9, 0.999, eps), 6, `fused_${backend}_${eps}`);
        expect(fused.params, `${backend} ε=${eps}`).toEqual(ref.params);
        expect(fused.state, `${backend} ε=${eps}`).toEqual(ref.state);
        expect(fused.optimizer.iterations).toBe(6);
        for (const r of [ref, fused]) {
          r.optimizer.dispose();
          tf.dispose(r.vars);
        }
      }
    }
    await tf.setBackend('wasm');
  });

  it('runs as one kernel per variable and keeps the tensor count flat', async () => {
    const r = run(() => new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8), 2, 'count');
    const before = tf.memory().numTensors;
    const grads = r.vars.map((v) => ({ name: v.name, tensor: tf.onesLike(v) }));
    const info = await tf.profile(() => r.optimizer.applyGradients(grads));
    const kernels = info.kernels.map((k) => k.name);
    expect(kernels.filter((k) => k === FUSED_ADAM_KERNEL)).toHaveLength(shapes.length);
    expect(kernels).not.toContain('Sqrt');
    tf.dispose(grads.map((g) => g.tensor));
    expect(tf.memory().numTensors).toBe(before);
    r.optimizer.dispose();
    tf.dispose(r.vars);
  });

  it('checkpoints interchangeably with tf.train.adam through getWeights/setWeights', async () => {
    const a = run(() => new FusedAdamOptimizer(0.02, 0.9, 0.999, 1e-8), 3, 'ckpt_a');
    const saved = await a.optimizer.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['iter', ...a.vars.map((v) => `${v.name}/m`), ...a.vars.map((v) => `${v.name}/v`)]);
    // Resume the same state in a fresh tfjs Adam and in a fresh fused Adam: the next steps agree exactly.
    const resumed = [tf.train.adam(0.02, 0.9, 0.999, 1e-8), new FusedAdamOptimizer(0.02, 0.9, 0.999, 1e-8)].map((opt, k) => {
      const vars = a.vars.map((v, i) => tf.variable(v.clone(), true, `ckpt_r${k}_${i}`));
      return { opt, vars };
    });
    for (const { opt, vars } of resumed) {
      await opt.setWeights(saved.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
      for (let t = 0; t < 3; t++) {
        const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(values(v.size, 7 * t + i), v.shape) }));
        opt.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
      }
    }
    const [ref, fused] = resumed.map(({ vars }) => vars.map((v) => v.dataSync().slice()));
    expect(fused).toEqual(ref);
    expect(resumed[1].opt.iterations).toBe(6);
    for (const r of [a, ...resumed.map(({ opt, vars }) => ({ optimizer: opt, vars }))]) {
      r.optimizer.dispose();
      tf.dispose(r.vars);
    }
  });
});

describe('robustness of the shared training path', () => {
  it('divergence restores the parameters whose loss was last finite (variableSnapshots)', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const seen: number[][] = [];
    // Each step doubles w; the loss is finite on [1, 2] and [2, 4] and NaN on [4, 8]. The state to keep is [2, 4]: the
    // last one whose loss was finite (the update from it produced the NaN state).
    const trainBatch = () => {
      const v = Array.from(w.dataSync());
      seen.push(v);
      if (v[1] > 5) return Number.NaN;
      tf.tidy(() => w.assign(tf.mul(w, 2)));
      return v[1];
    };
    const before = tf.memory().numTensors;
    const error = await runFitLoop('t', 1, { epochs: 10 }, { trainBatch, state: variableSnapshots(() => [w]) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(seen).toEqual([
      [1, 2],
      [2, 4],
      [4, 8],
    ]);
    expect(Array.from(w.dataSync())).toEqual([2, 4]);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it('a divergence on the very first step keeps the initial parameters and frees its snapshot', async () => {
    const w = tf.variable(tf.tensor1d([3]));
    const before = tf.memory().numTensors;
    await expect(runFitLoop('t', 2, { epochs: 1 }, { trainBatch: () => Number.NaN, state: variableSnapshots(() => [w]) })).rejects.toThrow(
      TrainingDivergedError,
    );
    expect(Array.from(w.dataSync())).toEqual([3]);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it('fitBackprop disposes its default optimiser: repeated calls leave no tensors behind', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [3], outputs: 2, seed: 1 });
    const x = tf.tensor2d([0, 1, 1, 0, 1, 1], [3, 2]);
    const y = tf.tensor1d([0, 1, 1], 'int32');
    await fitBackprop(model, x, y, { epochs: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await fitBackprop(model, x, y, { epochs: 2 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
