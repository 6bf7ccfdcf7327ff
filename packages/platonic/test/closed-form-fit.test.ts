import { describe, expect, it } from 'vitest';
import { createRng, fromRows, lstsqF64, matmulF64, pinvF64, transpose, type Matrix } from '@beyond-backprop/core-linalg';
import {
  augmentedMatrix,
  fitPlatonic,
  fullyDeterministicConfig,
  gaussianProjection,
  leastSquaresDistance,
  platonicTargets,
  type SolverSpec,
} from '../src/index.js';
import { twoSpirals } from '@beyond-backprop/datasets';
import { jacobiSvd } from '../src/jacobi-svd.js';
import { prepareSolver } from '../src/least-squares-solver.js';
import { arithmeticFor } from '../src/precision.js';
import { accuracy, mean, median, relErr, sine, spirals, withOnes } from './problems.js';

const f64 = arithmeticFor('float64');
const noWarn = () => {};

function randn(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}

function hcat(a: Matrix, b: Matrix): Matrix {
  const c = a.cols + b.cols;
  const d = new Float64Array(a.rows * c);
  for (let i = 0; i < a.rows; i++) {
    d.set(a.data.subarray(i * a.cols, (i + 1) * a.cols), i * c);
    d.set(b.data.subarray(i * b.cols, (i + 1) * b.cols), i * c + a.cols);
  }
  return { rows: a.rows, cols: c, data: d };
}

function oneHot(labels: Int32Array, k: number): Matrix {
  const d = new Float64Array(labels.length * k);
  labels.forEach((l, i) => (d[i * k + l] = 1));
  return { rows: labels.length, cols: k, data: d };
}

function sub(a: Matrix, b: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: Float64Array.from(a.data, (v, i) => v - b.data[i]) };
}

function frob(a: Matrix): number {
  return Math.sqrt(a.data.reduce((s, v) => s + v * v, 0));
}

const elu = (m: Matrix): Matrix => ({ rows: m.rows, cols: m.cols, data: m.data.map((v) => (v > 0 ? v : Math.expm1(v))) });

describe('the Platonic recurrence (§7.3.2, Fig. 7.3)', () => {
  it('has the batch-first shapes of Fig. 7.3 and its forward pass reproduces the training-time representations exactly', async () => {
    const { x, labels } = spirals(300, 1);
    const model = await fitPlatonic(x, labels, { hiddenWidths: [12, 7], activation: 'tanh', alpha: 1, beta: 2 }, { seed: 4 });
    expect(model.weights.map((w) => [w.rows, w.cols])).toEqual([
      [3, 12],
      [13, 7],
    ]);
    expect([model.readout.rows, model.readout.cols]).toEqual([8, 1]);
    expect(model.parameterCount).toBe(3 * 12 + 13 * 7 + 8);
    const { hidden, output } = model.forward(x);
    const y = { rows: 300, cols: 1, data: Float64Array.from(labels, (l) => (l ? 1 : -1)) };
    // The LSD the fit recorded is recomputed bit for bit from the forward pass's representations.
    hidden.forEach((z, i) => expect(leastSquaresDistance(z, y)).toBe(model.diagnostics.layerLSD[i]));
    let sse = 0;
    for (let i = 0; i < 300; i++) sse += (output.data[i] - y.data[i]) ** 2;
    expect(sse / 300).toBe(model.diagnostics.trainMSE);
  });

  it('matches a literal translation of the thesis listing (Fig. 7.3) with the same projection matrices', async () => {
    const { x, y } = sine(1000);
    const seed = 3;
    const model = await fitPlatonic(x, y, { hiddenWidths: [16, 16], activation: 'elu' }, { seed });
    // b = ones; Z_0 = [b | x]; P_1 = randn(1 + Z_0.shape[1], 16); T_1 = [Z_0 | y] @ P_1; W_1 = pinv(Z_0) @ T_1; …
    const z0 = withOnes(x);
    const p1 = gaussianProjection(seed, 1, 1, 1 + z0.cols, 16);
    const w1 = matmulF64(pinvF64(z0), matmulF64(hcat(z0, y), p1));
    const z1 = withOnes(elu(matmulF64(z0, w1)));
    const p2 = gaussianProjection(seed, 2, 1, 1 + z1.cols, 16);
    const w2 = matmulF64(pinvF64(z1), matmulF64(hcat(z1, y), p2));
    const z2 = withOnes(elu(matmulF64(z1, w2)));
    const w3 = matmulF64(pinvF64(z2), y);
    expect(relErr(model.weights[0], w1)).toBeLessThan(1e-12);
    // Z̄_1 is ill-conditioned (smooth ELU features of a 1-D input), so later layers agree to its condition number × ε.
    expect(relErr(model.weights[1], w2)).toBeLessThan(1e-9);
    expect(relErr(model.readout, w3)).toBeLessThan(1e-9);
    expect(relErr(model.predictMatrix(x), matmulF64(z2, w3))).toBeLessThan(1e-9);
  });

  it('keeps Y exactly recoverable from a non-reducing projection (Def. 9) and loses it when reducing', () => {
    const rng = createRng(9);
    const m = 200;
    const zb = withOnes(randn(m, 5, 10));
    const labels = Int32Array.from({ length: m }, () => rng.int(3));
    const y = oneHot(labels, 3);
    const d = zb.cols + 3;
    const wide = platonicTargets(zb, y, gaussianProjection(1, 1, 1, d, d + 2));
    const residual = (t: Matrix) => frob(sub(y, matmulF64(t, lstsqF64(t, y).x)));
    expect(residual(wide)).toBeLessThan(1e-9 * frob(y));
    const narrow = platonicTargets(zb, y, gaussianProjection(1, 1, 1, d, 5));
    expect(residual(narrow)).toBeGreaterThan(1e-2 * frob(y));
  });

  it('gives W = α(P_Z + β·Z̄⁺Y·P_Y) for full-rank Z̄ (Eq. 7.2), and the fit uses exactly that projection', async () => {
    const { x, labels } = spirals(400, 2);
    const zb = withOnes(x);
    const y = { rows: 400, cols: 1, data: Float64Array.from(labels, (l) => (l ? 1 : -1)) };
    const [alpha, beta, h, seed] = [0.1, 10, 9, 5];
    const p = gaussianProjection(seed, 1, 1, zb.cols + 1, h);
    const literal = matmulF64(pinvF64(zb), platonicTargets(zb, y, p, alpha, beta));
    const pz = { rows: zb.cols, cols: h, data: p.data.slice(0, zb.cols * h) };
    const py = { rows: 1, cols: h, data: p.data.slice(zb.cols * h) };
    const eq72 = matmulF64(pinvF64(zb), y);
    const expected = { rows: pz.rows, cols: h, data: new Float64Array(pz.rows * h) };
    const lsPart = matmulF64(eq72, py);
    for (let i = 0; i < expected.data.length; i++) expected.data[i] = alpha * (pz.data[i] + beta * lsPart.data[i]);
    expect(relErr(literal, expected)).toBeLessThan(1e-10);
    const model = await fitPlatonic(x, labels, { hiddenWidths: [h], activation: 'tanh', alpha, beta }, { seed });
    expect(relErr(model.weights[0], literal)).toBeLessThan(1e-10);
  });

  it('scales the first layer linearly in α, and without Y (β = 0) its weights do not depend on the labels', async () => {
    const { x, labels } = spirals(200, 3);
    const cfg = { hiddenWidths: [8], activation: 'tanh' as const, beta: 3 };
    const w1 = (await fitPlatonic(x, labels, { ...cfg, alpha: 1 }, { seed: 2 })).weights[0];
    const w2 = (await fitPlatonic(x, labels, { ...cfg, alpha: 2.5 }, { seed: 2 })).weights[0];
    expect(relErr(w2, { ...w1, data: w1.data.map((v) => 2.5 * v) })).toBeLessThan(1e-12);
    const flipped = Int32Array.from(labels, (l) => 1 - l);
    const a = (await fitPlatonic(x, labels, { ...cfg, beta: 0 }, { seed: 2 })).weights[0];
    const b = (await fitPlatonic(x, flipped, { ...cfg, beta: 0 }, { seed: 2 })).weights[0];
    expect(b.data).toEqual(a.data);
    const c = (await fitPlatonic(x, flipped, { ...cfg, beta: 3 }, { seed: 2 })).weights[0];
    expect(c.data).not.toEqual(a.data);
  });

  it('puts the bias column inside the projection and gives every layer and the readout a bias (row 0)', async () => {
    // y = 5 + 2·x is fitted exactly by the readout's bias row alone when there are no hidden layers.
    const x = { rows: 50, cols: 1, data: Float64Array.from({ length: 50 }, (_, i) => i / 10) };
    const y = { rows: 50, cols: 1, data: x.data.map((v) => 5 + 2 * v) };
    const linear = await fitPlatonic(x, y, { hiddenWidths: [] });
    expect(linear.readout.data[0]).toBeCloseTo(5, 12);
    expect(linear.readout.data[1]).toBeCloseTo(2, 12);
    // P has n + 1 + k rows: the row for the bias column is the first of the listing's projection.
    const model = await fitPlatonic(x, y, { hiddenWidths: [4], activation: 'relu', beta: 0 }, { seed: 7 });
    const p = gaussianProjection(7, 1, 1, 1 + 1 + 1, 4);
    expect(relErr(model.weights[0], { rows: 2, cols: 4, data: p.data.slice(0, 8) })).toBeLessThan(1e-12);
  });

  it('fits the readout by least squares of Y on [1 | Z_L]', async () => {
    const { x, labels } = spirals(500, 4);
    const model = await fitPlatonic(x, labels, { hiddenWidths: [20, 20], activation: 'tanh', beta: 2 }, { seed: 1 });
    const zl = withOnes(model.forward(x).hidden[1]);
    const y = { rows: 500, cols: 1, data: Float64Array.from(labels, (l) => (l ? 1 : -1)) };
    expect(relErr(model.readout, lstsqF64(zl, y).x)).toBeLessThan(1e-9);
  });
});

describe('solvers (§7.6.2, Table 7.1)', () => {
  // 60 × 6 with a duplicated and a zero column: rank 4.
  const rankDeficient = (() => {
    const a = randn(60, 3, 21);
    const d = new Float64Array(60 * 6);
    for (let i = 0; i < 60; i++) d.set([1, a.data[3 * i], a.data[3 * i], 0, a.data[3 * i + 1], a.data[3 * i + 2]], 6 * i);
    return { rows: 60, cols: 6, data: d } as Matrix;
  })();
  const eye = (n: number): Matrix => ({ rows: n, cols: n, data: Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)) });

  it('the pinv solver applies a Moore–Penrose inverse, also for rank-deficient Z̄', () => {
    const solver = prepareSolver(rankDeficient, { kind: 'pinv' }, f64, noWarn);
    expect(solver.rank).toBe(4);
    const a = rankDeficient;
    const ap = solver.solve(eye(60));
    const aapa = matmulF64(matmulF64(a, ap), a);
    const apaap = matmulF64(matmulF64(ap, a), ap);
    expect(relErr(aapa, a)).toBeLessThan(1e-10);
    expect(relErr(apaap, ap)).toBeLessThan(1e-10);
    const aap = matmulF64(a, ap);
    const apa = matmulF64(ap, a);
    const sym = (m: Matrix) => relErr(m, transpose(m));
    expect(sym(aap)).toBeLessThan(1e-10);
    expect(sym(apa)).toBeLessThan(1e-10);
    expect(relErr(solver.solveSelf(), apa)).toBeLessThan(1e-10);
  });

  it("uses torch's cut-off: relative by default, absolute-only once atol > 0 is given", () => {
    // A = Q·diag(10, 1, 1e-7) with orthonormal columns Q (Gram–Schmidt), so its singular values are exactly those.
    const g = randn(40, 3, 5);
    const q: number[][] = [];
    for (let j = 0; j < 3; j++) {
      let v = Array.from({ length: 40 }, (_, i) => g.data[i * 3 + j]);
      for (const c of q) {
        const d = v.reduce((acc, x, i) => acc + x * c[i], 0);
        v = v.map((x, i) => x - d * c[i]);
      }
      const norm = Math.hypot(...v);
      q.push(v.map((x) => x / norm));
    }
    const s = [10, 1, 1e-7];
    const a = { rows: 40, cols: 3, data: new Float64Array(120) };
    for (let i = 0; i < 40; i++) for (let j = 0; j < 3; j++) a.data[i * 3 + j] = s[j] * q[j][i];
    const rank = (spec: SolverSpec) => prepareSolver(a, spec, f64, noWarn).rank;
    expect(rank({ kind: 'pinv' })).toBe(3);
    expect(rank({ kind: 'pinv', atol: 1e-5 })).toBe(2);
    expect(rank({ kind: 'pinv', atol: 1e-5, rtol: 0.5 })).toBe(1);
    expect(rank({ kind: 'pinv', rtol: 0.05 })).toBe(2);
  });

  it('lstsq agrees with pinv on full-rank Z̄ and falls back to the minimum-norm solution when it is rank-deficient', () => {
    const zb = withOnes(randn(80, 4, 3));
    const t = randn(80, 6, 4);
    expect(relErr(prepareSolver(zb, { kind: 'lstsq' }, f64, noWarn).solve(t), prepareSolver(zb, { kind: 'pinv' }, f64, noWarn).solve(t))).toBeLessThan(1e-10);
    const warnings: string[] = [];
    const rd = prepareSolver(rankDeficient, { kind: 'lstsq' }, f64, (w) => warnings.push(w));
    expect(warnings.join()).toMatch(/rank-deficient/);
    const t2 = randn(60, 2, 8);
    expect(relErr(rd.solve(t2), matmulF64(pinvF64(rankDeficient), t2))).toBeLessThan(1e-9);
  });

  it('ridge solves the regularised normal equations, tends to least squares as λ → 0 and can leave the bias unpenalised', () => {
    const zb = withOnes(randn(100, 5, 6));
    const t = randn(100, 3, 7);
    const lambda = 0.7;
    const w = prepareSolver(zb, { kind: 'ridge', lambda }, f64, noWarn).solve(t);
    const g = matmulF64(zb, zb, { transposeA: true });
    for (let i = 0; i < 6; i++) g.data[i * 6 + i] += lambda;
    expect(relErr(matmulF64(g, w), matmulF64(zb, t, { transposeA: true }))).toBeLessThan(1e-12);
    const tiny = prepareSolver(zb, { kind: 'ridge', lambda: 1e-12 }, f64, noWarn).solve(t);
    expect(relErr(tiny, lstsqF64(zb, t).x)).toBeLessThan(1e-9);
    // A constant target: with a huge λ the penalised bias shrinks to ~0, the unpenalised one stays at the mean.
    const c = { rows: 100, cols: 1, data: new Float64Array(100).fill(3) };
    expect(Math.abs(prepareSolver(zb, { kind: 'ridge', lambda: 1e9 }, f64, noWarn).solve(c).data[0])).toBeLessThan(1e-3);
    expect(prepareSolver(zb, { kind: 'ridge', lambda: 1e9, penalizeBias: false }, f64, noWarn).solve(c).data[0]).toBeCloseTo(3, 6);
  });
});

describe('random projections: tries and seeds (§7.5.1)', () => {
  it('keeps the try with the lowest LSD, whose first try is the single-try fit bit for bit', async () => {
    const { x, y } = sine(800);
    const one = await fitPlatonic(x, y, { hiddenWidths: [6, 6], activation: 'elu' }, { seed: 11 });
    const five = await fitPlatonic(x, y, { hiddenWidths: [6, 6], activation: 'elu', projection: { kind: 'gaussian', nTries: 5 } }, { seed: 11 });
    expect(five.diagnostics.tryLSD[0][0]).toBe(one.diagnostics.tryLSD[0][0]);
    expect(five.diagnostics.tryLSD[0]).toHaveLength(5);
    const tries = five.diagnostics.tryLSD[0];
    const best = tries.indexOf(Math.min(...tries));
    expect(five.diagnostics.chosenTry[0]).toBe(best);
    expect(five.diagnostics.layerLSD[0]).toBe(tries[best]);
    expect(five.diagnostics.layerLSD[0]).toBeLessThanOrEqual(one.diagnostics.layerLSD[0]);
    // The kept weights are those of the chosen try: try 1's are the single-try fit's.
    const p = gaussianProjection(11, 1, best + 1, 1 + 1 + 1, 6);
    const literal = matmulF64(pinvF64(withOnes(x)), platonicTargets(withOnes(x), y, p));
    expect(relErr(five.weights[0], literal)).toBeLessThan(1e-10);
    expect(best === 0).toBe(five.weights[0].data.every((v, i) => v === one.weights[0].data[i]));
  });

  it('is bit-identical for a seed and different across seeds', async () => {
    const { x, labels } = spirals(300, 8);
    const cfg = { hiddenWidths: [10, 10], activation: 'tanh' as const, beta: 2, projection: { kind: 'gaussian' as const, nTries: 2 } };
    const a = await fitPlatonic(x, labels, cfg, { seed: 1 });
    const b = await fitPlatonic(x, labels, cfg, { seed: 1 });
    const c = await fitPlatonic(x, labels, cfg, { seed: 2 });
    expect(b.weights.map((w) => w.data)).toEqual(a.weights.map((w) => w.data));
    expect(b.readout.data).toEqual(a.readout.data);
    expect(c.weights[0].data).not.toEqual(a.weights[0].data);
  });
});

describe('behaviour on the thesis toy problems (§7.5–7.7)', () => {
  it('fits a small training set exactly once the last hidden layer has as many units as examples', async () => {
    const { x, labels } = spirals(200, 5);
    const relu = await fitPlatonic(x, labels, { hiddenWidths: [256], activation: 'relu', alpha: 1, beta: 2 }, { seed: 1 });
    expect(accuracy(relu.predictClasses(x), labels)).toBe(1);
    expect(relu.diagnostics.trainMSE).toBeLessThan(1e-8);
    const tanh = await fitPlatonic(x, labels, { hiddenWidths: [256], activation: 'tanh', alpha: 1, beta: 2 }, { seed: 1 });
    expect(accuracy(tanh.predictClasses(x), labels)).toBe(1);
    expect(tanh.diagnostics.trainMSE).toBeLessThan(1e-4);
  });

  it('fits the sine of the thesis listing, better with five tries per layer (§7.5, §7.5.1)', async () => {
    const { x, y } = sine(5000);
    const mse = async (nTries: number) => {
      const out: number[] = [];
      for (let seed = 0; seed < 20; seed++) {
        const model = await fitPlatonic(x, y, { hiddenWidths: [16, 16], activation: 'elu', projection: { kind: 'gaussian', nTries } }, { seed });
        out.push(model.diagnostics.trainMSE);
      }
      return median(out);
    };
    const one = await mse(1);
    const five = await mse(5);
    expect(one).toBeLessThan(5e-4);
    expect(five).toBeLessThan(1e-4);
    expect(five).toBeLessThan(one);
  });

  it('needs float64: float32 loses accuracy on the two spirals at α = 0.1, β = 10 (the direction of Table 7.1)', async () => {
    const f64acc: number[] = [];
    const f32acc: number[] = [];
    for (let seed = 0; seed < 6; seed++) {
      const { x, labels } = spirals(5000, 100 + seed);
      const cfg = { hiddenWidths: [32, 32, 32, 32], activation: 'tanh' as const, alpha: 0.1, beta: 10 };
      f64acc.push(accuracy((await fitPlatonic(x, labels, cfg, { seed })).predictClasses(x), labels));
      f32acc.push(accuracy((await fitPlatonic(x, labels, { ...cfg, precision: 'float32' }, { seed })).predictClasses(x), labels));
    }
    expect(mean(f64acc)).toBeGreaterThan(0.99);
    expect(mean(f64acc) - mean(f32acc)).toBeGreaterThan(0.01);
  });

  it('fails with targets built from the labels alone (T = Y·P, §7.10.2)', async () => {
    const full: number[] = [];
    const yOnly: number[] = [];
    for (let seed = 0; seed < 3; seed++) {
      const { x, labels } = spirals(2000, 50 + seed);
      const cfg = { hiddenWidths: [32, 32, 32, 32], activation: 'tanh' as const, alpha: 1, beta: 2 };
      full.push(accuracy((await fitPlatonic(x, labels, cfg, { seed })).predictClasses(x), labels));
      yOnly.push(accuracy((await fitPlatonic(x, labels, { ...cfg, projection: { kind: 'yOnly' } }, { seed })).predictClasses(x), labels));
    }
    expect(mean(full)).toBeGreaterThan(0.98);
    expect(mean(full) - mean(yOnly)).toBeGreaterThan(0.1);
  });
});

describe('augmented matrix', () => {
  it('is α·[Z̄ | β·(r ⊙ Y)]', () => {
    const zb = fromRows([
      [1, 2],
      [1, 3],
    ]);
    const y = fromRows([[1], [-1]]);
    expect(Array.from(augmentedMatrix(zb, y, 2, 10, Float64Array.from([1, 0.5])).data)).toEqual([2, 4, 20, 2, 6, -10]);
  });
});

describe('factorisation fallbacks', () => {
  it('the LAPACK-tolerance Jacobi SVD reconstructs tall, wide and rank-deficient matrices in float64 and float32', () => {
    const cases = [
      randn(50, 7, 1),
      randn(6, 40, 2),
      (() => {
        const a = randn(30, 5, 3);
        for (let i = 0; i < 30; i++) a.data[i * 5 + 4] = a.data[i * 5] - 2 * a.data[i * 5 + 1];
        return a;
      })(),
    ];
    for (const a of cases) {
      for (const [precision, tol] of [
        ['float64', 1e-13],
        ['float32', 1e-5],
      ] as const) {
        const { u, s, v } = jacobiSvd(a, precision);
        for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
        const us = { ...u, data: u.data.map((x, i) => x * s[i % u.cols]) };
        expect(relErr(matmulF64(us, v, { transposeB: true }), a)).toBeLessThan(tol);
      }
    }
  });

  // With core-linalg 0.0.0 both fits below hit its non-convergence (the fallbacks then say so in the warnings); the
  // assertions hold whether or not a later core-linalg converges on them.
  it('fits the almost-square ReLU layer and the dead-unit covariance on which the solvers once stalled, with no fallback', async () => {
    const { train } = twoSpirals();
    const x = { rows: 194, cols: 2, data: Float64Array.from(train.x) };
    // [1 | ReLU(…)] of 194 examples × 195 columns: nearly rank-deficient and almost square, where a Jacobi SVD with an
    // ε-only stopping rule never converges. core-linalg's preconditioned Jacobi SVD must handle it without the fallback.
    const wide = await fitPlatonic(
      x,
      train.y,
      { hiddenWidths: [194], activation: 'relu', alpha: 1, beta: 2, projection: { kind: 'gaussian', nTries: 2 } },
      { seed: 0 },
    );
    expect(accuracy(wide.predictClasses(x), train.y)).toBe(1);
    expect(wide.diagnostics.trainMSE).toBeLessThan(1e-8);
    expect(wide.diagnostics.warnings.filter((w) => w.startsWith('svd:'))).toEqual([]);
    // Dead ReLU units next to the zero-variance bias column: a cluster of zero eigenvalues in the covariance.
    const pca = await fitPlatonic(x, train.y, fullyDeterministicConfig([128, 128], { activation: 'relu', beta: 10, lambda: 1e-8 }));
    expect(pca.weights).toHaveLength(2);
    expect(pca.diagnostics.layerLSD.every(Number.isFinite)).toBe(true);
    expect(pca.diagnostics.warnings.filter((w) => w.startsWith('symEig:'))).toEqual([]);
  });
});
