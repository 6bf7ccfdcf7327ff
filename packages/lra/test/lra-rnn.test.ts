import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NonFiniteError, createRng, gradCheck, initBackend, readValues, type Matrix } from '@beyond-backprop/core-linalg';
import { randomPermutation, temporalOrder, toTensors } from '@beyond-backprop/datasets';
import { decodeCheckpoint, encodeCheckpoint } from '@beyond-backprop/training';
import { BpttRnn, LraRnn, directionPenalty, localLoss, localLossGradient, type LraRnnConfig, type RnnCheckpoint } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const closeTo = (actual: tf.Tensor, expected: number[][] | number[], tol = 1e-5) => {
  const flat = (expected as number[]).flat();
  expect(actual.size).toBe(flat.length);
  values(actual).forEach((v, i) => expect(Math.abs(v - flat[i]), `entry ${i}: ${v} vs ${flat[i]}`).toBeLessThan(tol));
};
const relErr = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / Math.max(tf.norm(b).dataSync()[0], 1e-30));

function sequences(seed: number, n: number, T: number, p: number, k: number): { x: tf.Tensor3D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const xs = new Float32Array(n * T * p);
  for (let i = 0; i < n * T; i++) xs[i * p + rng.int(p)] = 1;
  return {
    x: tf.tensor3d(xs, [n, T, p]),
    y: tf.tensor1d(
      Array.from({ length: n }, () => rng.int(k)),
      'int32',
    ),
  };
}

const small = (config: Partial<LraRnnConfig> = {}) => new LraRnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4, ...config });

describe('Elman forward (P3 Eqs. 1–2)', () => {
  it('R1: zero initial state, shapes, and the hand-rolled loop; both trainers start from the same orthogonal weights', () => {
    const rnn = small();
    const twin = new BpttRnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4 });
    expect(values(twin.whh)).toEqual(values(rnn.whh));
    const orth = tf.tidy(() => tf.matMul(rnn.whh, rnn.whh, true));
    closeTo(orth, tf.eye(5).arraySync() as number[][], 1e-5);
    const { x } = sequences(1, 4, 6, 3, 2);
    const p = rnn.predict(x);
    expect(p.shape).toEqual([4, 2]);
    const hand = tf.tidy(() => {
      let z = tf.zeros([4, 5]);
      for (let t = 0; t < 6; t++) z = tf.tanh(tf.add(tf.add(tf.matMul(z, rnn.whh), tf.matMul(x.slice([0, t, 0], [4, 1, 3]).reshape([4, 3]), rnn.wxh)), rnn.bh));
      return tf.softmax(tf.add(tf.matMul(z, rnn.why), rnn.by));
    });
    expect(relErr(p, hand)).toBeLessThan(1e-6);
    tf.dispose([x, p, hand, orth]);
    rnn.dispose();
    twin.dispose();
  });
});

describe('local losses (P3 Eq. 8)', () => {
  it('closed-form gradients equal tf.grad and float64 finite differences, for both losses and every reduction', () => {
    const rng = createRng(2);
    const z = rng.normalTensor([3, 4]);
    const target = rng.normalTensor([3, 4]);
    for (const loss of ['mse', 'logPenalty'] as const) {
      for (const reduction of ['mean', 'sumUnitsMeanBatch', 'sum'] as const) {
        const g = localLossGradient(z, target, loss, reduction);
        const [auto] = tf.grads((a: tf.Tensor) => localLoss(a, target, loss, reduction))([z]);
        expect(relErr(g, auto!), `${loss}/${reduction}`).toBeLessThan(1e-5);
        const t = Float64Array.from(target.dataSync());
        const div = reduction === 'mean' ? 12 : reduction === 'sumUnitsMeanBatch' ? 3 : 1;
        const f = (m: Matrix) => m.data.reduce((s, v, i) => s + (loss === 'mse' ? (v - t[i]) ** 2 : Math.log1p((v - t[i]) ** 2)), 0) / div;
        const check = gradCheck(f, [{ rows: 3, cols: 4, data: Float64Array.from(z.dataSync()) }], {
          gradient: () => [{ rows: 3, cols: 4, data: Float64Array.from(g.dataSync()) }],
          tolerance: 1e-5,
        });
        expect(check.passed, `${loss}/${reduction}: ${check.maxRelativeError}`).toBe(true);
        tf.dispose([g, auto!]);
      }
    }
    tf.dispose([z, target]);
  });
});

/** Ω and its closed-form gradients in float64 (P3 Eqs. 5–7), for the finite-difference checks. */
function omegaF64(delta: Matrix, w: Matrix, zPrev: Matrix, x: Matrix, wxh: Matrix) {
  const n = delta.rows;
  const m = w.rows;
  const h = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let a = 0;
      for (let k = 0; k < m; k++) a += zPrev.data[i * m + k] * w.data[k * m + j];
      for (let k = 0; k < x.cols; k++) a += x.data[i * x.cols + k] * wxh.data[k * m + j];
      h[i * m + j] = a;
    }
  const u = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let a = 0;
      for (let k = 0; k < m; k++) a += delta.data[i * m + k] * w.data[j * m + k];
      u[i * m + j] = a;
    }
  const s = h.map((v) => 1 - Math.tanh(v) ** 2);
  const v = u.map((a, i) => a * s[i]);
  const nv = Math.hypot(...v);
  const nd = Math.hypot(...delta.data);
  const r = nv / nd;
  const omega = (r - 1) ** 2;
  const g = v.map((a) => (2 * (r - 1) * a) / (nv * nd));
  const dH = g.map((a, i) => a * u[i] * -2 * Math.tanh(h[i]) * s[i]);
  const dW = new Float64Array(m * m);
  for (let j = 0; j < m; j++)
    for (let k = 0; k < m; k++) {
      let a = 0;
      for (let i = 0; i < n; i++) a += g[i * m + j] * s[i * m + j] * delta.data[i * m + k] + zPrev.data[i * m + j] * dH[i * m + k];
      dW[j * m + k] = a;
    }
  return { omega, dW, dH };
}

describe('regularisation in the direction of the update (P3 Eqs. 5–7, Alg. 2)', () => {
  it('every number of a hand-worked Ω example (n = 1, m = 2, p = 1, tanh), including Regularize then Normalize', () => {
    tf.tidy(() => {
      const whh = tf.tensor2d([
        [0.5, -0.3],
        [0.2, 0.4],
      ]);
      const wxh = tf.tensor2d([[0.1, -0.1]]);
      const zPrev = tf.tensor2d([[0.3, -0.6]]);
      const xt = tf.tensor2d([[1]]);
      const h = tf.add(tf.matMul(zPrev, whh), tf.matMul(xt, wxh)) as tf.Tensor2D;
      closeTo(h, [0.13, -0.43]);
      const { omega, dH, dWDirect } = directionPenalty(tf.tensor2d([[1.0, -0.25]]), whh, h);
      expect(Math.abs(omega.dataSync()[0] - 0.198497)).toBeLessThan(1e-5);
      closeTo(dH, [0.125007, -0.008563]);
      closeTo(dWDirect, [
        [-0.840874, 0.210218],
        [-0.105637, 0.026409],
      ]);
      const dW = tf.add(dWDirect, tf.matMul(zPrev, dH, true));
      closeTo(dW, [
        [-0.803372, 0.207649],
        [-0.180642, 0.031547],
      ]);
      closeTo(tf.matMul(xt, dH, true), [[0.125007, -0.008563]]);
      const z = tf.tanh(h);
      closeTo(z, [0.129273, -0.405321]);
      const delta = tf.mul(localLossGradient(z, tf.tensor2d([[0.2, -0.5]]), 'mse', 'mean'), tf.sub(1, tf.square(z)));
      closeTo(delta, [-0.069545, 0.079124]);
      const grad = tf.matMul(zPrev, delta, true);
      closeTo(grad, [
        [-0.020864, 0.023737],
        [0.041727, -0.047475],
      ]);
      const reg = tf.add(grad, tf.mul(0.1, dW));
      closeTo(reg, [
        [-0.101201, 0.044502],
        [0.023663, -0.04432],
      ]);
      closeTo(tf.div(tf.mul(reg, 0.05), tf.norm(reg)), [
        [-0.041669, 0.018324],
        [0.009743, -0.018249],
      ]);
    });
  });

  it('R7–R9: closed forms match tf.grad and float64 finite differences; Ω is scale-invariant in δ; zero δ gives no NaN', () => {
    const rng = createRng(7);
    const [n, m, p] = [3, 4, 2];
    const mats = [
      rng.normalTensor([n, m]),
      rng.normalTensor([m, m], { std: 0.5 }),
      rng.normalTensor([n, m], { std: 0.5 }),
      rng.normalTensor([n, p]),
      rng.normalTensor([p, m], { std: 0.5 }),
    ];
    const [delta, whh, zPrev, x, wxh] = mats as tf.Tensor2D[];
    const asMatrix = (t: tf.Tensor): Matrix => ({ rows: t.shape[0]!, cols: t.shape[1]!, data: Float64Array.from(t.dataSync()) });
    // Ω of Eq. 5 written directly (δ a constant), for tf.grad to differentiate.
    const omegaOf = (w: tf.Tensor, zp: tf.Tensor, wx: tf.Tensor) => {
      const hh = tf.add(tf.matMul(zp, w), tf.matMul(x!, wx));
      const v = tf.mul(tf.matMul(delta!, w, false, true), tf.sub(1, tf.square(tf.tanh(hh))));
      return tf.square(tf.sub(tf.div(tf.norm(v), tf.norm(delta!)), 1)) as tf.Scalar;
    };
    const [gW, gZ, gWx] = tf.grads(omegaOf)([whh!, zPrev!, wxh!]);
    const h = tf.add(tf.matMul(zPrev!, whh!), tf.matMul(x!, wxh!)) as tf.Tensor2D;
    const pen = directionPenalty(delta!, whh!, h);
    const closedW = tf.add(pen.dWDirect, tf.matMul(zPrev!, pen.dH, true));
    expect(relErr(closedW, gW!)).toBeLessThan(1e-4);
    expect(relErr(tf.matMul(x!, pen.dH, true), gWx!)).toBeLessThan(1e-4);
    expect(relErr(tf.matMul(pen.dH, whh!, false, true), gZ!)).toBeLessThan(1e-4);
    // float64: the closed form against central differences of Ω, to 1e-8.
    const [dM, wM, zM, xM, wxM] = mats.map(asMatrix);
    const check = gradCheck((w) => omegaF64(dM!, w, zM!, xM!, wxM!).omega, [wM!], {
      gradient: (w) => [{ rows: m, cols: m, data: omegaF64(dM!, w, zM!, xM!, wxM!).dW }],
      tolerance: 1e-8,
    });
    expect(check.passed, `rel. err ${check.maxRelativeError}`).toBe(true);
    const f64 = omegaF64(dM!, wM!, zM!, xM!, wxM!);
    expect(Math.abs(pen.omega.dataSync()[0] - f64.omega)).toBeLessThan(1e-5);
    expect(relErr(closedW, tf.tensor2d(Array.from(f64.dW), [m, m]))).toBeLessThan(1e-4);
    // R8: scaling δ by s > 0 changes nothing.
    for (const s of [1e-6, 3, 1e4]) {
      const scaled = directionPenalty(tf.mul(delta!, s) as tf.Tensor2D, whh!, h);
      expect(Math.abs(scaled.omega.dataSync()[0] - pen.omega.dataSync()[0])).toBeLessThan(1e-5);
      expect(relErr(scaled.dH, pen.dH)).toBeLessThan(1e-5);
      expect(relErr(scaled.dWDirect, pen.dWDirect)).toBeLessThan(1e-5);
      tf.dispose([scaled.omega, scaled.dH, scaled.dWDirect]);
    }
    // R9: a zero δ has no direction: Ω and every gradient are 0, not NaN.
    const zero = directionPenalty(tf.zeros([n, m]) as tf.Tensor2D, whh!, h);
    expect([...values(zero.omega), ...values(zero.dH), ...values(zero.dWDirect)].every((v) => v === 0)).toBe(true);
    tf.dispose([...mats, gW!, gZ!, gWx!, h, pen.omega, pen.dH, pen.dWDirect, closedW, zero.omega, zero.dH, zero.dWDirect]);
  });
});

describe('LRA RNN step (P3 Alg. 1)', () => {
  it('R2: with T = 1 the hidden gradients are tf.grad of the local loss toward the hand-computed top target', () => {
    for (const localLossName of ['mse', 'logPenalty'] as const) {
      const rnn = small({ K: 2, targetStep: 3, clipW: 0, clipTarget: 0, localLoss: localLossName });
      const { x, y } = sequences(3, 4, 1, 3, 2);
      const { grads } = rnn.computeUpdates(x, y);
      const x1 = x.reshape([4, 3]) as tf.Tensor2D;
      const yHot = tf.oneHot(y, 2).toFloat();
      const target = tf.tidy(() => {
        // K = 2 steps of the global loss on H_T (Alg. 1 lines 8–13).
        let hBar: tf.Tensor = tf.add(tf.matMul(x1, rnn.wxh), rnn.bh);
        for (let k = 0; k < 2; k++) {
          const [g] = tf.grads(
            (hb: tf.Tensor) => tf.mean(tf.neg(tf.sum(tf.mul(yHot, tf.logSoftmax(tf.add(tf.matMul(tf.tanh(hb), rnn.why), rnn.by))), 1))) as tf.Scalar,
          )([hBar]);
          hBar = tf.sub(hBar, tf.mul(3, g!));
        }
        return tf.tanh(hBar);
      });
      const [gWxh, gBh] = tf.grads((w: tf.Tensor, b: tf.Tensor) => localLoss(tf.tanh(tf.add(tf.matMul(x1, w), b)), target, localLossName, 'mean'))([
        rnn.wxh,
        rnn.bh,
      ]);
      expect(relErr(grads!.wxh, gWxh!), localLossName).toBeLessThan(1e-4);
      expect(relErr(grads!.bh, gBh!), localLossName).toBeLessThan(1e-4);
      expect(values(grads!.whh).every((v) => v === 0)).toBe(true); // Z_0 = 0
      const [gWhy] = tf.grads(
        (w: tf.Tensor) => tf.losses.softmaxCrossEntropy(yHot, tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x1, rnn.wxh), rnn.bh)), w), rnn.by)) as tf.Scalar,
      )([rnn.why]);
      expect(relErr(grads!.why, gWhy!)).toBeLessThan(1e-5);
      tf.dispose([x, y, x1, yHot, target, gWxh!, gBh!, gWhy!, ...Object.values(grads!)]);
      rnn.dispose();
    }
  });

  it('R3: at K = 1 the target is Eq. 4 and both inner-loop readings agree; at K = 3 they differ', () => {
    const { x, y } = sequences(5, 6, 2, 3, 2);
    const run = (K: number, mode: 'intended' | 'literal') => {
      const rnn = small({ K, mode, targetStep: 5, clipTarget: 0.05 });
      const u = rnn.computeUpdates(x, y, { diagnostics: true });
      const out = { losses: u.diagnostics!.localLosses, rnn };
      tf.dispose(Object.values(u.grads!));
      return out;
    };
    const a = run(1, 'intended');
    const b = run(1, 'literal');
    expect(b.losses).toEqual(a.losses);
    // Eq. 4 by hand for step 1: ẑ_1 = tanh(H_1 − γ·Normalize(∂ℒ(z_2, ẑ_2)/∂H_1, c1)), with ẑ_2 from the top loop.
    const rnn = a.rnn;
    const expected = tf.tidy(() => {
      const x1 = x.slice([0, 0, 0], [6, 1, 3]).reshape([6, 3]);
      const x2 = x.slice([0, 1, 0], [6, 1, 3]).reshape([6, 3]);
      const h1 = tf.add(tf.matMul(x1, rnn.wxh), rnn.bh);
      const h2 = tf.add(tf.add(tf.matMul(tf.tanh(h1), rnn.whh), tf.matMul(x2, rnn.wxh)), rnn.bh);
      const yHot = tf.oneHot(y, 2).toFloat();
      const [gTop] = tf.grads(
        (hb: tf.Tensor) => tf.mean(tf.neg(tf.sum(tf.mul(yHot, tf.logSoftmax(tf.add(tf.matMul(tf.tanh(hb), rnn.why), rnn.by))), 1))) as tf.Scalar,
      )([h2]);
      const zHat2 = tf.tanh(tf.sub(h2, tf.mul(5, gTop!)));
      const [g1] = tf.grads((hb: tf.Tensor) =>
        localLoss(tf.tanh(tf.add(tf.add(tf.matMul(tf.tanh(hb), rnn.whh), tf.matMul(x2, rnn.wxh)), rnn.bh)), zHat2, 'mse', 'mean'),
      )([h1]);
      const step = tf.mul(g1!, tf.div(0.05, tf.maximum(tf.norm(g1!), 0.05)));
      return localLoss(tf.tanh(h1), tf.tanh(tf.sub(h1, tf.mul(5, step))), 'mse', 'mean').dataSync()[0];
    });
    expect(Math.abs(a.losses[0] - expected) / expected).toBeLessThan(1e-3);
    const c = run(3, 'intended');
    const d = run(3, 'literal');
    expect(d.losses[0]).not.toBe(c.losses[0]);
    for (const r of [a, b, c, d]) r.rnn.dispose();
    tf.dispose([x, y]);
  });

  it('R4: targetStep = 0 leaves every target at the actual state; only W_hy and b_y change', () => {
    const rnn = small({ targetStep: 0 });
    const { x, y } = sequences(6, 5, 4, 3, 2);
    const u = rnn.computeUpdates(x, y, { diagnostics: true });
    expect(u.diagnostics!.localLosses.every((l) => l === 0)).toBe(true);
    expect([...values(u.grads!.whh), ...values(u.grads!.wxh), ...values(u.grads!.bh)].every((v) => v === 0)).toBe(true);
    expect(values(u.grads!.why).some((v) => v !== 0)).toBe(true);
    tf.dispose(Object.values(u.grads!));
    tf.dispose([x, y]);
    rnn.dispose();
  });

  it('R5: clipW = 0 leaves gradients as they are; forced normalisation gives exactly norm c', () => {
    const { x, y } = sequences(8, 5, 1, 3, 2);
    const free = small({ clipW: 0, clipTarget: 0, targetStep: 50 });
    const huge = small({ clipW: 1e9, clipTarget: 0, targetStep: 50 });
    const forced = small({ clipW: 0.3, clipTarget: 0, targetStep: 50, forceNormalize: true });
    const [a, b, c] = [free, huge, forced].map((r) => r.computeUpdates(x, y).grads!);
    expect(values(a!.wxh)).toEqual(values(b!.wxh));
    expect(tf.norm(c!.wxh).dataSync()[0]).toBeCloseTo(0.3, 5);
    expect(tf.norm(c!.bh).dataSync()[0]).toBeCloseTo(0.3, 5);
    expect(values(c!.whh).every((v) => v === 0)).toBe(true); // a zero update stays zero
    for (const g of [a, b, c]) tf.dispose(Object.values(g!));
    for (const r of [free, huge, forced]) r.dispose();
    tf.dispose([x, y]);
  });

  it('R11: local losses collapse backwards in time, and the regulariser keeps early targets moving (P3 Figs. 2 and 4)', () => {
    const data = randomPermutation({ length: 10, trainSize: 20, testSize: 1, seed: 1 });
    const { x, y } = toTensors(data.train);
    const run = (lambdaReg: number) => {
      const rnn = new LraRnn({ inputSize: 100, outputs: 100, hidden: 100, K: 1, targetStep: 1, mode: 'literal', lambdaReg, seed: 1 });
      const u = rnn.computeUpdates(x as tf.Tensor3D, y, { diagnostics: true });
      tf.dispose(Object.values(u.grads!));
      rnn.dispose();
      return u.diagnostics!;
    };
    const vanilla = run(0);
    // float32 resolves only the last few steps (earlier losses are exactly 0: underflow); take every pair.
    const ratios = vanilla.localLosses
      .slice(0, 9)
      .map((l, t) => [l, vanilla.localLosses[t + 1]] as const)
      .filter(([a, b]) => a > 1e-30 && b > 1e-30)
      .map(([a, b]) => a / b);
    expect(ratios.length, JSON.stringify(vanilla.localLosses)).toBeGreaterThanOrEqual(2);
    const median = ratios.sort((p, q) => p - q)[Math.floor(ratios.length / 2)];
    const predicted = ((2 * 1 * 1) / (20 * 100)) ** 2;
    expect(median).toBeGreaterThan(predicted / 10);
    expect(median).toBeLessThan(predicted * 10);
    const regular = run(0.1);
    expect(regular.targetDisplacements[2]).toBeGreaterThan(1e3 * vanilla.targetDisplacements[2]);
    tf.dispose([x, y]);
  });
});

describe('LRA RNN and its BPTT twin learn and behave (temporal order, P3 Sec. IV)', () => {
  it('temporal order T = 10: regularised LRA reaches 100% on 1000 validation sequences; so does BPTT', async () => {
    const data = temporalOrder({ length: 10, trainSize: 1000, testSize: 1000, seed: 3 });
    const train = toTensors(data.train);
    const test = toTensors(data.test);
    for (const rnn of [
      new LraRnn({ inputSize: 6, outputs: 4, hidden: 100, K: 3, lambdaReg: 0.1, seed: 2 }),
      new BpttRnn({ inputSize: 6, outputs: 4, hidden: 100, seed: 2 }),
    ]) {
      // Stop at the first epoch that solves it, as the paper's protocol does.
      const stop = new AbortController();
      const onEpochEnd = (_: number, logs: Record<string, number>) => void (logs.valAccuracy === 1 && stop.abort());
      const history = await rnn.fit(train.x as tf.Tensor3D, train.y, {
        epochs: 10,
        batchSize: 20,
        seed: 2,
        validationData: [test.x, test.y],
        signal: stop.signal,
        callbacks: { onEpochEnd },
      });
      expect(Math.max(...history.history.valAccuracy!), rnn.constructor.name).toBe(1);
      rnn.dispose();
    }
    tf.dispose([train.x, train.y, test.x, test.y]);
  });

  it('tensors flat across epochs, zero after dispose; same seed same weights; checkpoints resume exactly', async () => {
    const { x, y } = sequences(9, 40, 5, 3, 2);
    const start = tf.memory().numTensors;
    const weightsAfter = async (make: () => LraRnn | BpttRnn, epochs = 3) => {
      const rnn = make();
      const counts: number[] = [];
      await rnn.fit(x, y, {
        epochs,
        batchSize: 10,
        seed: 1,
        validationData: [x, y],
        callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
      });
      expect(new Set(counts).size).toBe(1);
      const w = Array.from(readValues(() => tf.concat([rnn.whh, rnn.wxh, rnn.why, rnn.bh, rnn.by].map((v) => v.flatten()))));
      rnn.dispose();
      return w;
    };
    const lra = () => small({ lambdaReg: 0.1, K: 2, regularize: { output: true }, normalizeOutput: true });
    const adams: tf.Optimizer[] = [];
    const bptt = () => new BpttRnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4, optimizer: adams[adams.push(tf.train.adam(0.01)) - 1] });
    const full = await weightsAfter(lra);
    expect(await weightsAfter(lra)).toEqual(full);
    const fullTwin = await weightsAfter(bptt);
    adams.forEach((a) => a.dispose());
    expect(tf.memory().numTensors).toBe(start);
    for (const [make, expected, restore] of [
      [lra, full, (c: RnnCheckpoint<LraRnnConfig>) => LraRnn.fromCheckpoint(c)],
      [bptt, fullTwin, (c: RnnCheckpoint<LraRnnConfig>) => BpttRnn.fromCheckpoint(c)],
    ] as const) {
      const first = make();
      let saved: RnnCheckpoint<LraRnnConfig> | null = null;
      await first.fit(x, y, {
        epochs: 1,
        batchSize: 10,
        seed: 1,
        checkpoint: { save: async () => void (saved = decodeCheckpoint(encodeCheckpoint(await first.checkpoint())) as RnnCheckpoint<LraRnnConfig>) },
      });
      first.dispose();
      const resumed = await restore(saved!);
      await resumed.fit(x, y, { epochs: 3, initialEpoch: 1, batchSize: 10, seed: 1 });
      expect(Array.from(readValues(() => tf.concat([resumed.whh, resumed.wxh, resumed.why, resumed.bh, resumed.by].map((v) => v.flatten()))))).toEqual(
        expected,
      );
      resumed.dispose();
    }
    adams.forEach((a) => a.dispose());
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([x, y]);
  });

  it('checkpoint round trips leak nothing; a bad checkpoint throws CheckpointError naming the field and frees what it built', async () => {
    const { x, y } = sequences(5, 20, 4, 3, 2);
    for (const [net, restore] of [
      [small(), (c: RnnCheckpoint<LraRnnConfig>) => LraRnn.fromCheckpoint(c)],
      [new BpttRnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4 }), (c: RnnCheckpoint<LraRnnConfig>) => BpttRnn.fromCheckpoint(c)],
    ] as const) {
      await net.fit(x, y, { epochs: 1, batchSize: 10 });
      const saved = (await net.checkpoint()) as RnnCheckpoint<LraRnnConfig>;
      const start = tf.memory().numTensors;
      for (let round = 0; round < 5; round++) (await restore(decodeCheckpoint(encodeCheckpoint(saved)) as RnnCheckpoint<LraRnnConfig>)).dispose();
      expect(tf.memory().numTensors).toBe(start);
      const bad = (edit: (c: Record<string, any>) => void) => {
        const c = JSON.parse(JSON.stringify(saved)) as Record<string, any>;
        edit(c);
        return restore(c as RnnCheckpoint<LraRnnConfig>);
      };
      await expect(bad((c) => (c.params[0].data[0] = null))).rejects.toThrow(/'params\[0\]\.data\[0\]' must be a finite number, got null/);
      await expect(bad((c) => (c.params[1].shape = [5, 4]))).rejects.toThrow(/'params\[1\]\.shape' must be \[5, 5\]/);
      await expect(bad((c) => (c.iterations = -1))).rejects.toThrow(/'iterations'/);
      await expect(bad((c) => (c.kind = 'Other'))).rejects.toThrow(/'kind'/);
      await expect(bad((c) => (c.optimizer.weights[0].data = [1, 2]))).rejects.toThrow(/'optimizer\.weights\[0\]\.data' must have 1 entries/);
      await expect(bad((c) => (c.config.hidden = 6))).rejects.toThrow(/'params\[0\]\.shape'/);
      expect(tf.memory().numTensors).toBe(start);
      net.dispose();
    }
    tf.dispose([x, y]);
  });

  it('bad input and configuration give typed errors; NaN in x is a NonFiniteError that leaves the weights untouched', async () => {
    expect(() => new LraRnn({ inputSize: 3, outputs: 2, K: 0 })).toThrow(/config.K' must be an integer ≥ 1/);
    expect(() => new LraRnn({ inputSize: 3, outputs: 2, mode: 'exact' as 'literal' })).toThrow(/config.mode/);
    expect(() => new LraRnn({ inputSize: 3, outputs: 2, localLoss: 'l1' as 'mse' })).toThrow(/localLoss/);
    expect(() => new BpttRnn({ inputSize: 0, outputs: 2 })).toThrow(/config.inputSize/);
    const rnn = small();
    const { x, y } = sequences(10, 4, 3, 3, 2);
    const wrong = tf.zeros([4, 3, 5]);
    expect(() => rnn.trainStep(wrong as tf.Tensor3D, y)).toThrow(/argument 'x' must have shape \[n, T, 3\], got \[4, 3, 5\]/);
    expect(() => rnn.trainStep(x, tf.zeros([3], 'int32'))).toThrow(/argument 'y' must have shape \[n = 4\]/);
    const bad = tf.tidy(() => tf.concat([x.slice([0, 0, 0], [3, 3, 3]), tf.fill([1, 3, 3], Number.NaN)]) as tf.Tensor3D);
    const before = values(rnn.whh);
    await expect(rnn.fit(bad, y, { epochs: 1 })).rejects.toThrow(NonFiniteError);
    expect(values(rnn.whh)).toEqual(before);
    rnn.dispose();
    tf.dispose([x, y, wrong, bad]);
  });
});
