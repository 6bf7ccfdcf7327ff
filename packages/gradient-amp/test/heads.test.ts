import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, createRng, gradCheck, initBackend, matrix } from '@beyond-backprop/core-linalg';
import {
  DEFAULT_MAX_LOGIT,
  HeadOverflowError,
  canonicalHead,
  createHead,
  cubicOutput,
  encodeTargets,
  expGA,
  expOutput,
  flattenPixels,
  linearMse,
  negativeCorrelationLoss,
  pow3GA,
  predictClasses,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
  sparseCrossEntropyLoss,
  tanhCanonical,
  toProbabilities,
  type HeadName,
  type HeadOptions,
  type OutputHead,
  type Reduction,
} from '../src/index.js';
import { refGrad, refLoss, refTargets, type RefParams } from './reference.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

/** Every head with the settings the thesis used (exp-GA uncapped as in the thesis, plus with a cap active in range). */
const CASES: Array<{ label: string; name: HeadName; options: HeadOptions }> = [
  { label: 'softmax-ce', name: 'softmax-ce', options: {} },
  { label: 'linear-mse {−1, 1}', name: 'linear-mse', options: {} },
  { label: 'sigmoid {0, 1}', name: 'sigmoid', options: {} },
  { label: 'tanh {−1, 1}', name: 'tanh', options: { targets: { neg: -1, pos: 1 } } },
  { label: 'exp-ga α=0.1 {0, 16}', name: 'exp-ga', options: { alpha: 0.1, targets: { neg: 0, pos: 16 } } },
  { label: 'exp-ga α=0.5 {0, 2}, maxLogit 1', name: 'exp-ga', options: { alpha: 0.5, maxLogit: 1 } },
  { label: 'exp-ga dropConstant', name: 'exp-ga', options: { dropConstant: true, targets: { neg: 0, pos: 6 } } },
  { label: 'pow3-ga α=0.001 β=0.4 {−2, 10}', name: 'pow3-ga', options: { alpha: 0.001, beta: 0.4, targets: { neg: -2, pos: 10 } } },
  { label: 'pow3-ga α=0.3 β=0 {−1, 1}', name: 'pow3-ga', options: { alpha: 0.3 } },
];
const REDUCTIONS: Reduction[] = ['sum', 'mean', 'meanAll'];

const N = 4;
const K = 5;
const LABELS = [2, 0, -1, 4];

function logitsData(seed: number, scale = 2): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: N * K }, () => scale * rng.normal());
}

function refParams(head: OutputHead): RefParams {
  const { alpha, beta, maxLogit, dropConstant } = head.params;
  return { alpha, beta, maxLogit, dropConstant };
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `entry ${i}`).toBeLessThanOrEqual(relative * Math.max(scale, 1e-12));
}

describe('closed-form gradients Y − T (float64)', () => {
  it.each(CASES)('$label: the closed form matches central finite differences of the float64 loss', ({ name, options }) => {
    const head = createHead(name, options);
    const p = refParams(head);
    const t = refTargets(LABELS, K, head.params.targets.neg, head.params.targets.pos);
    const w = LABELS.map((l) => (l >= 0 ? 1 : 0));
    for (const reduction of REDUCTIONS) {
      const z = matrix(N, K, logitsData(11));
      const result = gradCheck((zm) => refLoss(name, zm.data, t, N, K, p, reduction, w), [z], {
        gradient: (zm) => [matrix(N, K, refGrad(name, zm.data, t, N, K, p, reduction, w))],
      });
      expect(result.passed, `${reduction}: ${result.maxRelativeError}`).toBe(true);
      expect(result.inputs[0].maxAbsError).toBeLessThan(1e-6);
    }
  });
});

describe('tfjs gradients with respect to the logits', () => {
  it.each(CASES)('$label: tf.grad of the loss matches the float64 reference (gradCheck), for every reduction', ({ name, options }) => {
    const head = createHead(name, options);
    const p = refParams(head);
    const t = refTargets(LABELS, K, head.params.targets.neg, head.params.targets.pos);
    const w = LABELS.map((l) => (l >= 0 ? 1 : 0));
    const labels = tf.tensor1d(LABELS, 'int32');
    for (const reduction of REDUCTIONS) {
      const z = tf.tensor2d(Float32Array.from(logitsData(5)), [N, K]);
      const result = gradCheck((zz) => head.loss(labels, zz, { reduction }), [z], {
        reference: (zf) => refLoss(name, zf, t, N, K, p, reduction, w),
        tolerance: 1e-4,
      });
      expect(result.passed, `${reduction}: ${result.maxRelativeError}`).toBe(true);
      tf.dispose(z);
    }
    labels.dispose();
  });

  it.each(CASES)('$label: head.grad is the closed form and equals tf.grad of the loss, for both routes', ({ name, options }) => {
    const head = createHead(name, options);
    const p = refParams(head);
    const t = refTargets(LABELS, K, head.params.targets.neg, head.params.targets.pos);
    const w = LABELS.map((l) => (l >= 0 ? 1 : 0));
    const zf = logitsData(7);
    const z = tf.tensor2d(Float32Array.from(zf), [N, K]);
    for (const reduction of REDUCTIONS) {
      const closed = refGrad(name, Float64Array.from(Float32Array.from(zf)), t, N, K, p, reduction, w);
      expectClose(values(head.grad(LABELS, z, { reduction })), closed, 1e-5);
      for (const path of ['autodiff', 'manual'] as const) {
        const g = tf.grad((zz: tf.Tensor) => head.loss(LABELS, zz, { reduction, path }))(z);
        expectClose(values(g), closed, 1e-5);
      }
    }
  });

  it.each(CASES)('$label: the manual route (tf.customGrad imposing Y − T) gives the autodiff route’s loss and gradient', ({ name, options }) => {
    const head = createHead(name, options);
    const z = tf.tensor2d(Float32Array.from(logitsData(3, 3)), [N, K]);
    const auto = tf.valueAndGrad((zz: tf.Tensor) => head.loss(LABELS, zz, { path: 'autodiff' }))(z);
    const manual = tf.valueAndGrad((zz: tf.Tensor) => head.loss(LABELS, zz, { path: 'manual' }))(z);
    const a = auto.value.dataSync()[0];
    expect(Math.abs(manual.value.dataSync()[0] - a)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a)));
    expectClose(values(manual.grad), values(auto.grad), 1e-6);
  });

  it('scales the gradient by 1, 1/n and 1/(n·k) for the sum, mean and meanAll reductions', () => {
    const z = tf.tensor2d(Float32Array.from(logitsData(9)), [N, K]);
    const labels = [1, 0, 3, 2];
    for (const head of [expGA(), pow3GA(), softmaxCrossEntropy(), linearMse()]) {
      const grad = (reduction: Reduction) => values(tf.grad((zz: tf.Tensor) => head.loss(labels, zz, { reduction }))(z));
      const sum = grad('sum');
      expectClose(
        grad('mean'),
        sum.map((v) => v / N),
        1e-6,
      );
      expectClose(
        grad('meanAll'),
        sum.map((v) => v / (N * K)),
        1e-6,
      );
    }
  });
});

describe('the thesis’ closed forms on fixed vectors (sum reduction)', () => {
  it('exp-GA α = 0.1, T = [0, 16, 0]: loss 69.2915953, gradient α·e^Z − T', () => {
    const head = expGA({ alpha: 0.1, targets: { neg: 0, pos: 16 } });
    const z = tf.tensor2d([[1, -2, 0.5]]);
    expect(head.loss([1], z, { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(69.2915953, 4);
    expectClose(values(tf.grad((zz: tf.Tensor) => head.loss([1], zz, { reduction: 'sum' }))(z)), [0.2718282, -15.9864665, 0.1648721], 1e-6);
    // The same with the thesis' targets passed directly.
    expect(head.loss(tf.tensor2d([[0, 16, 0]]), z, { reduction: 'sum', yFormat: 'targets' }).dataSync()[0]).toBeCloseTo(69.2915953, 4);
  });

  it('pow3-GA α = 0.001, β = 0.4, T = [0, 10, 0]: loss 19.8042656, gradient α·Z³ + β − T', () => {
    const head = pow3GA({ alpha: 0.001, beta: 0.4, targets: { neg: 0, pos: 10 } });
    const z = tf.tensor2d([[1, -2, 0.5]]);
    expect(head.loss([1], z, { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(19.8042656, 4);
    expectClose(values(head.grad([1], z, { reduction: 'sum' })), [0.401, -9.608, 0.400125], 1e-6);
  });

  it('expOutput and cubicOutput are the heads’ outputs α·e^Z and α·Z³ + β', () => {
    const z = tf.tensor2d([[1, -2, 0.5, 60]]);
    expectClose(values(expOutput(z, 0.1)), [0.1 * Math.E, 0.1 * Math.exp(-2), 0.1 * Math.exp(0.5), 0.1 * Math.exp(60)], 1e-6);
    expectClose(values(expOutput(z, 0.1, 50)), [0.1 * Math.E, 0.1 * Math.exp(-2), 0.1 * Math.exp(0.5), 0.1 * Math.exp(50)], 1e-6);
    expectClose(values(expOutput(z, 0.1)), values(expGA().output(z)), 1e-7);
    expectClose(values(cubicOutput(z, 0.001, 0.4)), [0.401, 0.392, 0.400125, 216.4], 1e-6);
    expectClose(values(cubicOutput(z, 0.001, 0.4)), values(pow3GA({ beta: 0.4 }).output(z)), 1e-7);
    expect(() => expOutput(z, -1)).toThrow(/expOutput: argument 'alpha'/);
    expect(() => cubicOutput(z, 0.001, -1)).toThrow(/cubicOutput: argument 'beta'/);
  });

  it('the loss aliases are the heads’ losses', () => {
    const z = tf.tensor2d([[1, -2, 0.5]]);
    const y = tf.tensor2d([[0, 1, 0]]);
    expect(sparseCrossEntropyLoss({ alpha: 0.1, targets: { neg: 0, pos: 16 } }, { reduction: 'sum' })(y, z).dataSync()[0]).toBeCloseTo(69.2915953, 4);
    expect(negativeCorrelationLoss({ alpha: 0.001, beta: 0.4, targets: { neg: 0, pos: 10 } }, { reduction: 'sum' })(y, z).dataSync()[0]).toBeCloseTo(
      19.8042656,
      4,
    );
  });
});

describe('agreement with tfjs’ own losses', () => {
  const z = () => tf.tensor2d(Float32Array.from(logitsData(21)), [N, K]);
  const labels = [1, 4, 0, 2];
  const hot = () => tf.oneHot(tf.tensor1d(labels, 'int32'), K).toFloat();

  it('softmax-ce (mean) equals tf.losses.softmaxCrossEntropy', () => {
    expect(softmaxCrossEntropy().loss(labels, z()).dataSync()[0]).toBeCloseTo(tf.losses.softmaxCrossEntropy(hot(), z()).dataSync()[0], 5);
  });

  it('sigmoid (meanAll) equals tf.losses.sigmoidCrossEntropy', () => {
    expect(sigmoidCrossEntropy().loss(labels, z(), { reduction: 'meanAll' }).dataSync()[0]).toBeCloseTo(
      tf.losses.sigmoidCrossEntropy(hot(), z()).dataSync()[0],
      5,
    );
  });

  it('linear-mse (sum) times 2/(n·k) equals tf.losses.meanSquaredError', () => {
    const head = linearMse({ targets: { neg: 0, pos: 1 } });
    const sum = head.loss(labels, z(), { reduction: 'sum' }).dataSync()[0];
    expect((2 * sum) / (N * K)).toBeCloseTo(tf.losses.meanSquaredError(hot(), z()).dataSync()[0], 5);
  });

  it('exp-GA (meanAll) is the Poisson loss of tfjs-layers on Y = α·e^Z', () => {
    const head = expGA({ alpha: 0.1, targets: { neg: 0, pos: 2 } });
    const identity = tf.sequential({ layers: [tf.layers.activation({ activation: 'linear', inputShape: [K] })] });
    identity.compile({ optimizer: 'sgd', loss: 'poisson' });
    const y = head.output(z());
    const poisson = (identity.evaluate(y, head.encodeTargets(labels, K)) as tf.Scalar).dataSync()[0];
    // Keras' poisson adds ε = 1e-7 inside the logarithm.
    expect(head.loss(labels, z(), { reduction: 'meanAll' }).dataSync()[0]).toBeCloseTo(poisson, 4);
    identity.dispose();
  });

  it('post-hoc normalisation of exp-GA outputs is softmax(Z), independent of α', () => {
    const logits = z();
    const soft = values(tf.softmax(logits));
    for (const alpha of [0.1, 1, 7]) {
      const y = expGA({ alpha }).output(logits);
      expectClose(values(tf.div(y, tf.sum(y, 1, true))), soft, 1e-6);
    }
    expectClose(values(toProbabilities(expGA({ alpha: 0.5 }), logits)), soft, 1e-6);
    expectClose(values(toProbabilities('softmax-ce', logits)), soft, 1e-6);
    expect(() => toProbabilities(pow3GA(), logits)).toThrow(InvalidArgumentError);
    expect(() => toProbabilities('linear-mse', logits)).toThrow(/argument 'head'/);
  });

  it('every head’s output decodes to the arg-max of the logits', () => {
    const logits = z();
    const expected = values(tf.argMax(logits, 1));
    for (const c of CASES) {
      const head = createHead(c.name, c.options);
      if (head.params.maxLogit < 5) continue; // the saturated continuation ties above maxLogit
      expect(values(predictClasses(head.output(logits))), c.label).toEqual(expected);
    }
    expect(values(predictClasses(logits))).toEqual(expected);
  });
});

describe('stationary points and convexity', () => {
  it('the per-element gradient vanishes at each head’s minimiser', () => {
    const checks: Array<[OutputHead, number[]]> = [
      [expGA({ alpha: 0.1, targets: { neg: 0, pos: 16 } }), [16, 2, 0.5]],
      [pow3GA({ alpha: 0.001, beta: 0.4, targets: { neg: 0, pos: 10 } }), [10, 0, -2]],
      [linearMse(), [-1, 0.3, 1]],
      [tanhCanonical(), [0.3, -0.7]],
      [sigmoidCrossEntropy(), [0.2, 0.9]],
    ];
    for (const [head, targets] of checks) {
      for (const t of targets) {
        const zStar = head.stationaryPoint(t);
        expect(Number.isFinite(zStar), `${head.name} at t = ${t}`).toBe(true);
        const g = head.grad(tf.tensor2d([[t]]), tf.tensor2d([[zStar]]), { reduction: 'sum', yFormat: 'targets' }).dataSync()[0];
        expect(Math.abs(g), `${head.name} at t = ${t}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(t)));
      }
    }
    // The thesis' examples: α = 0.001, β = 0.4 puts T = 10 at Z* ≈ 21.25 and T = 0 at Z* ≈ −7.37.
    const pow3 = pow3GA({ alpha: 0.001, beta: 0.4 });
    expect(pow3.stationaryPoint(10)).toBeCloseTo(21.25, 2);
    expect(pow3.stationaryPoint(0)).toBeCloseTo(-7.37, 2);
    // exp-GA has no finite minimiser for T = 0: the "inequality" relaxation of §4.5.
    expect(expGA().stationaryPoint(0)).toBe(-Infinity);
  });

  it('second derivatives are α·e^Z (exp-GA) and 3α·Z² (pow3-GA), both ≥ 0', () => {
    const zs = [-4, -1, 0, 0.5, 3];
    const t = tf.tensor2d([[6, 6, 6, 6, 6]]);
    const z = tf.tensor2d([zs]);
    const exp = expGA({ alpha: 0.1, targets: { neg: 0, pos: 6 } });
    const pow3 = pow3GA({ alpha: 0.001, beta: 0.4, targets: { neg: -2, pos: 10 } });
    // Element-wise heads have a diagonal Hessian: the derivative of the summed gradient is its diagonal.
    const diagonal = (head: OutputHead) => values(tf.grad((zz: tf.Tensor) => tf.sum(head.grad(t, zz, { reduction: 'sum', yFormat: 'targets' })))(z));
    expectClose(
      diagonal(exp),
      zs.map((v) => 0.1 * Math.exp(v)),
      1e-6,
    );
    expectClose(
      diagonal(pow3),
      zs.map((v) => 3 * 0.001 * v * v),
      1e-6,
    );
    // pow3-GA's loss is a polynomial, which tfjs differentiates twice directly (its Exp gradient reuses the output and cannot be).
    const second = tf.grad(tf.grad((zz: tf.Tensor) => pow3.loss(tf.tensor2d([[6]]), tf.reshape(zz, [1, 1]), { reduction: 'sum', yFormat: 'targets' })));
    for (const v of zs) {
      const h = second(tf.scalar(v)).dataSync()[0];
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeCloseTo(3 * 0.001 * v * v, 6);
    }
    expect(diagonal(exp).every((h) => h >= 0)).toBe(true);
  });
});

describe('numerical safety', () => {
  const extreme = () =>
    tf.tensor2d([
      [100, -100, 0, 3],
      [-100, 100, -3, 0],
      [100, 100, -100, -100],
    ]);
  const labels = [0, 0, 3];

  // Uncapped exp-GA (the thesis' formula, the default) overflows float32 above Z ≈ 88.7: tested below.
  const bounded = CASES.filter((c) => !(c.name === 'exp-ga' && c.options.maxLogit === undefined));
  it.each(bounded)('$label: logits of ±100 give a finite loss and gradient on both routes', ({ name, options }) => {
    const head = createHead(name, options);
    for (const path of ['autodiff', 'manual'] as const) {
      const { value, grad } = tf.valueAndGrad((zz: tf.Tensor) => head.loss(labels, zz, { path }))(extreme());
      expect(Number.isFinite(value.dataSync()[0]), path).toBe(true);
      expect(values(grad).every(Number.isFinite), path).toBe(true);
    }
    expect(values(head.grad(labels, extreme())).every(Number.isFinite)).toBe(true);
  });

  it('exp-GA keeps a downhill gradient above maxLogit instead of zeroing it like a clamp', () => {
    const head = expGA({ alpha: 0.1, maxLogit: 50 });
    const g = head.grad(tf.tensor2d([[0, 2]]), tf.tensor2d([[100, 60]]), { reduction: 'sum', yFormat: 'targets' });
    expectClose(values(g), [0.1 * Math.exp(50), 0.1 * Math.exp(50) - 2], 1e-5);
    // Continuation by the tangent: the loss keeps growing linearly.
    const at = (z: number) => head.loss(tf.tensor2d([[0]]), tf.tensor2d([[z]]), { reduction: 'sum', yFormat: 'targets' }).dataSync()[0];
    expect(at(100) - at(90)).toBeCloseTo(10 * 0.1 * Math.exp(50), -16);
  });

  it('exp-GA without a cap (the default) overflows at Z = 100, and debug mode names the logit', () => {
    const exact = expGA();
    expect(exact.loss(labels, extreme()).dataSync()[0]).toBe(Infinity);
    const debug = expGA({ debug: true });
    expect(() => debug.loss(labels, extreme())).toThrow(HeadOverflowError);
    expect(() => debug.loss(labels, extreme())).toThrow(/exp-ga\.loss: head output is Infinity at row 0, column 0 \(logit 100\)/);
    // With a cap the same logits are fine, also in debug mode.
    expect(Number.isFinite(expGA({ maxLogit: 50, debug: true }).loss(labels, extreme()).dataSync()[0])).toBe(true);
  });

  it('exp-GA has no logit cap by default, as in the thesis (§4.5–4.6)', () => {
    expect(DEFAULT_MAX_LOGIT).toBe(Infinity);
    expect(expGA().params.maxLogit).toBe(Infinity);
    expect(expGA({ maxLogit: 50 }).params.maxLogit).toBe(50);
  });

  // Logits far above the old default cap of 50, up to just below float32's overflow of e^Z (Z ≈ 88.7).
  const large = [
    [40, 60, 75, 85],
    [-30, 55.5, 80, 88],
  ];
  const largeTargets = [
    [0, 2, 0, 0],
    [0, 0, 0, 2],
  ];
  /** Float64 reference of ∂L/∂Z = α·e^Z − T (sum reduction) at the float32-rounded logits. */
  const referenceGrad = (alpha: number) => large.flatMap((row, i) => row.map((z, j) => alpha * Math.exp(Math.fround(z)) - largeTargets[i][j]));

  it('exp-GA (default) gradient matches a float64 reference α·e^Z − T for logits up to 88, on every route', () => {
    const head = expGA({ alpha: 0.1 });
    const reference = referenceGrad(0.1);
    const relErr = (got: number[]) => Math.max(...got.map((g, i) => Math.abs(g - reference[i]) / Math.max(1, Math.abs(reference[i]))));
    const closed = values(head.grad(tf.tensor2d(largeTargets), tf.tensor2d(large), { reduction: 'sum', yFormat: 'targets' }));
    expect(relErr(closed)).toBeLessThan(1e-6);
    for (const path of ['autodiff', 'manual'] as const) {
      const grad = tf.grad((zz: tf.Tensor) => head.loss(tf.tensor2d(largeTargets), zz, { reduction: 'sum', yFormat: 'targets', path }))(tf.tensor2d(large));
      expect(relErr(values(grad)), path).toBeLessThan(1e-6);
    }
  });

  it('a finite maxLogit leaves exp-GA output and gradient bit-identical to the uncapped form below the cap', () => {
    const z = tf.tensor2d(
      Array.from(logitsData(11, 12), (v) => Math.min(v, 49.9)),
      [N, K],
    );
    const capped = expGA({ alpha: 0.1, maxLogit: 50 });
    const uncapped = expGA({ alpha: 0.1 });
    expect(values(capped.output(z))).toEqual(values(uncapped.output(z)));
    expect(values(capped.grad(LABELS, z))).toEqual(values(uncapped.grad(LABELS, z)));
    for (const path of ['autodiff', 'manual'] as const) {
      const g = (head: OutputHead) => values(tf.grad((zz: tf.Tensor) => head.loss(LABELS, zz, { path }))(z));
      expect(g(capped), path).toEqual(g(uncapped));
    }
  });
});

describe('targets, masking and weights', () => {
  it('encodeTargets puts t_pos at the label column only, and a row of t_neg for -1', () => {
    expect(encodeTargets(Int32Array.from([1, -1, 2]), 3, { neg: -2, pos: 10 }).arraySync()).toEqual([
      [-2, 10, -2],
      [-2, -2, -2],
      [-2, -2, 10],
    ]);
    expect(pow3GA().encodeTargets([0], 2).arraySync()).toEqual([[1, -1]]);
  });

  it('rows labelled -1 (or all-zero one-hot rows) add no loss and get zero gradient; mean divides by scored rows', () => {
    const z = tf.tensor2d(Float32Array.from(logitsData(31)), [N, K]);
    const kept = tf.gather(z, [0, 1, 3]);
    for (const head of [expGA(), pow3GA(), softmaxCrossEntropy(), tanhCanonical()]) {
      const masked = head.loss(LABELS, z).dataSync()[0];
      expect(masked).toBeCloseTo(head.loss([2, 0, 4], kept).dataSync()[0], 5);
      const oneHot = tf.oneHot(tf.tensor1d(LABELS, 'int32'), K).toFloat();
      expect(head.loss(oneHot, z).dataSync()[0]).toBeCloseTo(masked, 5);
      const g = tf.grad((zz: tf.Tensor) => head.loss(LABELS, zz))(z);
      expect(
        values(g)
          .slice(2 * K, 3 * K)
          .map(Math.abs),
      ).toEqual([0, 0, 0, 0, 0]);
      expect(
        values(head.grad(LABELS, z))
          .slice(2 * K, 3 * K)
          .map(Math.abs),
      ).toEqual([0, 0, 0, 0, 0]);
    }
  });

  it('per-row weights multiply the rows and the mean divides by their sum', () => {
    const head = expGA();
    const z = tf.tensor2d(Float32Array.from(logitsData(41)), [N, K]);
    const labels = [1, 2, 3, 4];
    const rows = [0, 1, 2, 3].map((i) => head.loss([labels[i]], tf.slice(z, [i, 0], [1, K]), { reduction: 'sum' }).dataSync()[0]);
    const w = Float32Array.from([1, 0, 2, 0.5]);
    const expected = (rows[0] + 2 * rows[2] + 0.5 * rows[3]) / 3.5;
    expect(head.loss(labels, z, { weights: w }).dataSync()[0]).toBeCloseTo(expected, 4);
    expect(head.loss(labels, z, { weights: tf.tensor1d(w), reduction: 'meanAll' }).dataSync()[0]).toBeCloseTo(expected / K, 4);
    // All rows ignored: zero loss and gradient, not NaN.
    expect(head.loss([-1, -1, -1, -1], z).dataSync()[0]).toBe(0);
  });

  it('segmentation logits [n, h, w, k] are rows of pixels, with label 255 ignored', () => {
    const rng = createRng(4);
    const logits = rng.normalTensor([2, 3, 3, 4]);
    const raw = Int32Array.from({ length: 18 }, (_, i) => (i % 5 === 0 ? 255 : i % 4));
    const labels = tf.tensor3d(raw, [2, 3, 3], 'int32');
    const flat = flattenPixels(logits, labels);
    expect(flat.logits.shape).toEqual([18, 4]);
    expect(values(flat.labels)).toEqual(Array.from(raw, (l) => (l === 255 ? -1 : l)));
    const head = expGA();
    const direct = head
      .loss(
        tf.tensor3d(
          Array.from(raw, (l) => (l === 255 ? -1 : l)),
          [2, 3, 3],
          'int32',
        ),
        logits,
      )
      .dataSync()[0];
    expect(direct).toBeCloseTo(head.loss(flat.labels, flat.logits).dataSync()[0], 5);
    expect(head.grad(flat.labels, flat.logits).shape).toEqual([18, 4]);
  });
});

describe('generic canonical heads', () => {
  it('with an antiderivative: the matching loss and the imposed gradient Y − T (exp without the ln α constant)', () => {
    const alpha = 0.1;
    const head = canonicalHead(
      (z) => tf.mul(alpha, tf.exp(z)),
      (z) => tf.mul(alpha, tf.exp(z)),
      { name: 'my-exp', targets: { neg: 0, pos: 2 } },
    );
    const builtin = expGA({ alpha, targets: { neg: 0, pos: 2 }, dropConstant: true });
    const z = tf.tensor2d(Float32Array.from(logitsData(8)), [N, K]);
    expect(head.loss(LABELS, z).dataSync()[0]).toBeCloseTo(builtin.loss(LABELS, z).dataSync()[0], 4);
    expectClose(values(tf.grad((zz: tf.Tensor) => head.loss(LABELS, zz))(z)), values(builtin.grad(LABELS, z)), 1e-6);
    expect(head.builtin).toBeNull();
  });

  it('without one: ½‖f(Z) − T‖² as a monitoring value, still with the gradient Y − T', () => {
    const head = canonicalHead((z) => tf.mul(z, tf.square(z)), undefined, { targets: { neg: -1, pos: 1 } });
    const z = tf.tensor2d([[0.5, -1.5]]);
    const value = head.loss([0], z, { reduction: 'sum' }).dataSync()[0];
    expect(value).toBeCloseTo(0.5 * ((0.125 - 1) ** 2 + (-3.375 + 1) ** 2), 5);
    expectClose(values(tf.grad((zz: tf.Tensor) => head.loss([0], zz, { reduction: 'sum' }))(z)), [0.125 - 1, -3.375 + 1], 1e-6);
    expect(head.hasLoss).toBe(false);
    expect(() => canonicalHead('exp' as never)).toThrow(/argument 'f'/);
  });
});

describe('typed errors', () => {
  const z = () => tf.tensor2d(Float32Array.from(logitsData(1)), [N, K]);

  it('name the argument on shape and label mismatches', () => {
    const head = expGA();
    expect(() => head.loss([0, 1, 2], z())).toThrow(ShapeError);
    expect(() => head.loss([0, 1, 2], z())).toThrow(/exp-ga\.loss: argument 'y' must have shape \[n = 4\], got \[3\]/);
    expect(() => head.loss([0, 7, 2, 1], z())).toThrow(InvalidArgumentError);
    expect(() => head.loss([0, 7, 2, 1], z())).toThrow(/argument 'y\[1\]' must lie in \[0, 4\]/);
    expect(() => head.loss(tf.zeros([N, K + 1]), z())).toThrow(/argument 'y' must have shape \[4, 5\], got \[4, 6\]/);
    expect(() => head.loss([0], tf.tensor1d([1, 2]))).toThrow(/argument 'logits' must have shape \[n, k\]/);
    expect(() => head.loss([0, 1, 2, 3], z(), { weights: Float32Array.from([1, 1]) })).toThrow(/argument 'options.weights'/);
    expect(() => pow3GA().grad(tf.tensor1d([0, 1, 2, 3], 'float32'), z())).toThrow(/pow3-ga\.grad: argument 'y'/);
    expect(() => head.loss([0, 1, 2, 3], z(), { reduction: 'max' as Reduction })).toThrow(/argument 'options.reduction' must be 'sum', 'mean' or 'meanAll'/);
  });

  it('reject invalid hyperparameters by option name', () => {
    expect(() => expGA({ alpha: 0 })).toThrow(/expGA: argument 'options.alpha' must be a finite number > 0/);
    expect(() => pow3GA({ beta: -0.1 })).toThrow(/argument 'options.beta'/);
    expect(() => expGA({ targets: { neg: 2, pos: 0 } })).toThrow(/argument 'options.targets.pos' must be greater than targets.neg/);
    expect(() => softmaxCrossEntropy({ targets: { neg: 0, pos: 16 } })).toThrow(/argument 'options.targets' must be \{neg: 0, pos: 1\}/);
    expect(softmaxCrossEntropy({ targets: { neg: 0, pos: 2 }, allowNonOneHot: true }).params.targets.pos).toBe(2);
    expect(() => sigmoidCrossEntropy({ targets: { neg: -1, pos: 1 } })).toThrow(/must lie in \[0, 1\]/);
    expect(() => tanhCanonical({ targets: { neg: 0, pos: 2 } })).toThrow(/must lie in \[−1, 1\]/);
    expect(() => createHead('cubic' as HeadName)).toThrow(/argument 'name' must be one of: softmax-ce, exp-ga/);
  });
});
