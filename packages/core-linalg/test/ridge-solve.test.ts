import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DTypeError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  cholSolve,
  fromMatrix,
  gradCheck,
  gram,
  initBackend,
  lstsqF64,
  matmulF64,
  maxAbsDiff,
  ridgeSolve,
  ridgeSolveF64,
  ridgeSolvePlan,
  toMatrix,
  type Matrix,
} from '../src/index.js';
import { ridgeProjectVjp } from '../src/ridge-solve.js';
import { dot, randn, relErr } from './helpers.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const SHAPES: Array<[number, number, number]> = [
  [12, 5, 3],
  [40, 17, 4],
  [5, 5, 2],
  [4, 9, 3],
  [7, 30, 5],
];
const LAMBDAS = [1e-6, 1e-3, 0.1, 10];

describe('ridgeSolveF64 (float64 reference)', () => {
  it('chooses primal iff n ≥ f (eq. 11) and honours an explicit form', () => {
    expect(ridgeSolveF64(randn(6, 4, 1), randn(6, 2, 2), 0.1).form).toBe('primal');
    expect(ridgeSolveF64(randn(4, 4, 1), randn(4, 2, 2), 0.1).form).toBe('primal');
    expect(ridgeSolveF64(randn(3, 4, 1), randn(3, 2, 2), 0.1).form).toBe('dual');
    expect(ridgeSolveF64(randn(6, 4, 1), randn(6, 2, 2), 0.1, { form: 'dual' }).form).toBe('dual');
    // A CNN-like dense layer: fan-in 2049 with 100 realisation rows must use the n × n dual system.
    expect(ridgeSolvePlan(100, 2049, 512).form).toBe('dual');
  });

  it("applies the shape rule for an explicit 'auto' too, forces either form against it, and sizes the factor to match", () => {
    const tall = [randn(6, 4, 1), randn(6, 2, 2)] as const;
    const wide = [randn(3, 4, 1), randn(3, 2, 2)] as const;
    const shape = (m: Matrix) => [m.rows, m.cols];
    expect(ridgeSolveF64(...tall, 0.1, { form: 'auto' }).form).toBe('primal');
    expect(ridgeSolveF64(...wide, 0.1, { form: 'auto' }).form).toBe('dual');
    // Primal factors the f × f Gram AᵀA + λI, dual the n × n Gram AAᵀ + λI, whatever the shape.
    expect(shape(ridgeSolveF64(...wide, 0.1, { form: 'primal' }).factor)).toEqual([4, 4]);
    expect(shape(ridgeSolveF64(...wide, 0.1).factor)).toEqual([3, 3]);
    expect(shape(ridgeSolveF64(...tall, 0.1, { form: 'dual' }).factor)).toEqual([6, 6]);
    expect(shape(ridgeSolveF64(...tall, 0.1).factor)).toEqual([4, 4]);
    const forced = ridgeSolveF64(...wide, 0.1, { form: 'primal' });
    expect(forced.form).toBe('primal');
    expect(maxAbsDiff(forced.w, ridgeSolveF64(...wide, 0.1).w)).toBeLessThan(1e-12);
  });

  it('meets the optimality condition Aᵀ(A·W − T) + λW = 0 in both branches', () => {
    for (const [n, f, m] of [...SHAPES, [6, 6, 1] as [number, number, number]]) {
      for (const lambda of [1e-3, 0.1]) {
        const a = randn(n, f, n * 31 + f);
        const t = randn(n, m, m + 5);
        const { w } = ridgeSolveF64(a, t, lambda);
        const r = matmulF64(a, w);
        for (let i = 0; i < r.data.length; i++) r.data[i] -= t.data[i];
        const kkt = matmulF64(a, r, { transposeA: true });
        for (let i = 0; i < kkt.data.length; i++) kkt.data[i] += lambda * w.data[i];
        const scale = Math.max(...Array.from(matmulF64(a, t, { transposeA: true }).data, Math.abs));
        expect(Math.max(...Array.from(kkt.data, Math.abs)) / scale).toBeLessThan(1e-10);
      }
    }
  });

  it('gives the same W and the same VJP in the primal and the dual form', () => {
    for (const [n, f, m] of SHAPES) {
      for (const lambda of [1e-3, 0.1, 10]) {
        const a = randn(n, f, 7 * n + f);
        const t = randn(n, m, 3 * m);
        const g = randn(f, m, 11 * m);
        const p = ridgeSolveF64(a, t, lambda, { form: 'primal' });
        const d = ridgeSolveF64(a, t, lambda, { form: 'dual' });
        expect(relErr(p.w.data, d.w.data)).toBeLessThan(1e-9);
        const vp = p.vjp(g);
        const vd = d.vjp(g);
        expect(relErr(vp.dT.data, vd.dT.data)).toBeLessThan(1e-9);
        expect(relErr(vp.dA.data, vd.dA.data)).toBeLessThan(1e-9);
      }
    }
  });

  it('VJP matches central finite differences to < 1e-6 for both branches, several shapes and λ from 1e-6 to 10', () => {
    let worst = 0;
    for (const [n, f, m] of SHAPES) {
      for (const lambda of LAMBDAS) {
        const a = randn(n, f, 13 * n + f);
        const t = randn(n, m, 17 * m + n);
        const g = randn(f, m, 19 * f);
        const form = n >= f ? 'primal' : 'dual';
        const result = gradCheck((aa, tt) => dot(g, ridgeSolveF64(aa, tt, lambda, { form }).w), [a, t], {
          gradient: (aa, tt) => {
            const { dA, dT } = ridgeSolveF64(aa, tt, lambda, { form }).vjp(g);
            return [dA, dT];
          },
          tolerance: 1e-6,
        });
        worst = Math.max(worst, result.maxRelativeError);
        expect(result.passed, `n=${n} f=${f} m=${m} λ=${lambda}: ${result.maxRelativeError}`).toBe(true);
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('satisfies the VJP identities ∂L/∂T = A·K⁻¹G, T − A·W = λP and G − AᵀQ = λK⁻¹G', () => {
    const [n, f, m] = [7, 30, 5];
    const lambda = 0.1;
    const a = randn(n, f, 1);
    const t = randn(n, m, 2);
    const g = randn(f, m, 3);
    const primal = ridgeSolveF64(a, t, lambda, { form: 'primal' });
    const kinvG = cholSolve(primal.factor, g);
    const { dT } = primal.vjp(g);
    expect(relErr(dT.data, matmulF64(a, kinvG).data)).toBeLessThan(1e-10);
    const dual = ridgeSolveF64(a, t, lambda, { form: 'dual' });
    const p = cholSolve(dual.factor, t);
    const r = matmulF64(a, dual.w);
    for (let i = 0; i < r.data.length; i++) r.data[i] = t.data[i] - r.data[i];
    expect(
      relErr(
        r.data,
        p.data.map((x) => lambda * x),
      ),
    ).toBeLessThan(1e-10);
    const q = dual.vjp(g).dT;
    const gm = matmulF64(a, q, { transposeA: true });
    for (let i = 0; i < gm.data.length; i++) gm.data[i] = g.data[i] - gm.data[i];
    expect(
      relErr(
        gm.data,
        kinvG.data.map((x) => lambda * x),
      ),
    ).toBeLessThan(1e-9);
  });

  it('tends to least squares as λ → 0, recovers W0 from T = A·W0, is linear in T and ignores row order', () => {
    const a = randn(30, 6, 21);
    const t = randn(30, 3, 22);
    const ls = lstsqF64(a, t).x;
    expect(relErr(ridgeSolveF64(a, t, 1e-12).w.data, ls.data)).toBeLessThan(1e-9);
    const w0 = randn(6, 3, 23);
    expect(relErr(ridgeSolveF64(a, matmulF64(a, w0), 1e-12).w.data, w0.data)).toBeLessThan(1e-9);
    const t2 = randn(30, 3, 24);
    const combo: Matrix = { rows: 30, cols: 3, data: t.data.map((x, i) => 2 * x - 3 * t2.data[i]) };
    const w1 = ridgeSolveF64(a, t, 0.1).w;
    const w2 = ridgeSolveF64(a, t2, 0.1).w;
    const wc = ridgeSolveF64(a, combo, 0.1).w;
    expect(
      relErr(
        wc.data,
        w1.data.map((x, i) => 2 * x - 3 * w2.data[i]),
      ),
    ).toBeLessThan(1e-12);
    const perm = Array.from({ length: 30 }, (_, i) => (i * 7) % 30);
    const pa: Matrix = { rows: 30, cols: 6, data: new Float64Array(180) };
    const pt: Matrix = { rows: 30, cols: 3, data: new Float64Array(90) };
    perm.forEach((src, dst) => {
      pa.data.set(a.data.subarray(src * 6, src * 6 + 6), dst * 6);
      pt.data.set(t.data.subarray(src * 3, src * 3 + 3), dst * 3);
    });
    expect(relErr(ridgeSolveF64(pa, pt, 0.1).w.data, w1.data)).toBeLessThan(1e-12);
  });

  it('rejects λ ≤ 0, mismatched rows, NaN targets and a wrong upstream gradient shape', () => {
    const a = randn(5, 3, 1);
    const t = randn(5, 2, 2);
    expect(() => ridgeSolveF64(a, t, 0)).toThrow(InvalidArgumentError);
    expect(() => ridgeSolveF64(a, t, -1)).toThrow(/argument 'lambda' must be a finite number > 0/);
    // λ = ∞ would give W = 0 silently; NaN and non-numbers are rejected the same way.
    for (const lambda of [Number.POSITIVE_INFINITY, Number.NaN, -Number.MIN_VALUE, '0.1' as never]) {
      expect(() => ridgeSolveF64(a, t, lambda), String(lambda)).toThrow(/argument 'lambda' must be a finite number > 0/);
    }
    expect(ridgeSolveF64(a, t, Number.MIN_VALUE).w.rows).toBe(3);
    expect(() => ridgeSolveF64(a, t, 0.1, { form: 'qr' as never })).toThrow(/argument 'form' must be 'auto', 'primal' or 'dual'/);
    // The upstream gradient must have W's shape exactly (3 × 2): a wrong column count alone is caught, in both forms.
    for (const form of ['primal', 'dual'] as const) {
      const sol = ridgeSolveF64(a, t, 0.1, { form });
      expect(() => sol.vjp(randn(3, 3, 1)), form).toThrow(/argument 'G' must have shape \[3, 2\]/);
      expect(() => sol.vjp(randn(2, 2, 1)), form).toThrow(ShapeError);
    }
    expect(() => ridgeSolveF64(a, t, 0.1).vjp(randn(3, 3, 1))).toThrow("ridgeSolve.vjp: argument 'G' must have shape [3, 2], got [3, 3] (the shape of W)");
    const nanG = { rows: 3, cols: 2, data: new Float64Array(6).fill(Number.NaN) };
    expect(() => ridgeSolveF64(a, t, 0.1).vjp(nanG)).toThrow(/^ridgeSolve\.vjp: argument 'G' contains NaN/);
    expect(() => ridgeSolveF64(a, randn(4, 2, 3), 0.1)).toThrow(
      "ridgeSolveF64: argument 'T' must have shape [5, m], got [4, 2] (rows must match 'A' (one row per example))",
    );
    expect(() => ridgeSolveF64({ rows: 5, cols: 3, data: new Float64Array(2) }, t, 0.1)).toThrow(/^ridgeSolveF64: argument 'A' must have shape \[15\]/);
    expect(() => ridgeSolveF64(a, { rows: 5, cols: 2, data: new Float64Array(2) }, 0.1)).toThrow(/^ridgeSolveF64: argument 'T' must have shape \[10\]/);
    // Entries so large that the Gram overflows: the failing factorisation names the system it was solving.
    const huge = { ...a, data: a.data.map((v) => v * 1e200) };
    expect(() => ridgeSolveF64(huge, t, 0.1)).toThrow(/^ridgeSolve: argument 'AᵀA \+ λI' is not positive definite/);
    expect(() => ridgeSolveF64(huge, t, 0.1, { form: 'dual' })).toThrow(/^ridgeSolve: argument 'AAᵀ \+ λI' is not positive definite/);
    expect(() => ridgeSolveF64(a, randn(4, 2, 3), 0.1)).toThrow(/argument 'T' must have shape \[5, m\], got \[4, 2\]/);
    const bad = randn(5, 2, 2);
    bad.data[3] = Number.POSITIVE_INFINITY;
    expect(() => ridgeSolveF64(a, bad, 0.1)).toThrow(NonFiniteError);
    expect(() => ridgeSolveF64(a, t, 0.1).vjp(randn(2, 2, 1))).toThrow(ShapeError);
  });
});

describe('ridgeProjectVjp (joint backward of W and S = A·W)', () => {
  const add = (x: Matrix, y: Matrix): Matrix => ({ ...x, data: x.data.map((v, i) => v + y.data[i]) });
  /** The reference: W's VJP at Ḡ = gW + AᵀgS, plus gS·Wᵀ in ∂L/∂A (S = A·W depends on A directly). */
  const reference = (a: Matrix, t: Matrix, lambda: number, form: 'primal' | 'dual', gW: Matrix | null, gS: Matrix | null) => {
    const sol = ridgeSolveF64(a, t, lambda, { form });
    const zero = { rows: sol.w.rows, cols: sol.w.cols, data: new Float64Array(sol.w.data.length) };
    const gBar = add(gW ?? zero, gS ? matmulF64(a, gS, { transposeA: true }) : zero);
    const { dA, dT } = sol.vjp(gBar);
    return { dA: gS ? add(dA, matmulF64(gS, sol.w, { transposeB: true })) : dA, dT };
  };

  it.each([
    [12, 5, 'primal'],
    [4, 9, 'dual'],
    [12, 5, 'dual'],
    [4, 9, 'primal'],
  ] as const)('matches W’s VJP plus the direct term with either upstream gradient missing (%i × %i, %s)', (n, f, form) => {
    const a = randn(n, f, 30);
    const t = randn(n, 3, 31);
    const gW = randn(f, 3, 32);
    const gS = randn(n, 3, 33);
    const sol = ridgeSolveF64(a, t, 0.05, { form });
    const s = matmulF64(a, sol.w);
    for (const [w, sg] of [
      [gW, gS],
      [gW, null],
      [null, gS],
    ] as const) {
      const got = ridgeProjectVjp(sol, a, t, s, w, sg);
      const want = reference(a, t, 0.05, form, w, sg);
      expect([got.dA.rows, got.dA.cols, got.dT.rows, got.dT.cols]).toEqual([n, f, n, 3]);
      expect(maxAbsDiff(got.dA, want.dA), `dA gW=${!!w} gS=${!!sg}`).toBeLessThan(1e-9);
      expect(maxAbsDiff(got.dT, want.dT), `dT gW=${!!w} gS=${!!sg}`).toBeLessThan(1e-9);
    }
    const none = ridgeProjectVjp(sol, a, t, s, null, null);
    expect(Math.max(...none.dA.data.map(Math.abs), ...none.dT.data.map(Math.abs))).toBe(0);
  });
});

describe('ridgeSolve (TensorFlow.js op)', () => {
  function reference(g: Matrix, lambda: number, shapeA: [number, number], shapeT: [number, number]) {
    return (av: Float64Array, tv: Float64Array) =>
      dot(g, ridgeSolveF64({ rows: shapeA[0], cols: shapeA[1], data: av }, { rows: shapeT[0], cols: shapeT[1], data: tv }, lambda).w);
  }

  it('forward matches the float64 reference in both precisions and both branches', () => {
    for (const [n, f, m] of SHAPES) {
      const a = randn(n, f, 3 * n);
      const t = randn(n, m, 5 * m);
      const w64 = ridgeSolveF64(a, t, 0.1).w;
      for (const precision of ['float64', 'mixed'] as const) {
        const w = tf.tidy(() => ridgeSolve(fromMatrix(a), fromMatrix(t), 0.1, { precision }));
        expect(relErr(w.dataSync(), w64.data), `${precision} ${n}×${f}`).toBeLessThan(1e-4);
        w.dispose();
      }
    }
  });

  it('tf.grads matches the float64 VJP (both inputs, both branches, λ = 0.1) within float32 rounding', () => {
    for (const [n, f, m] of SHAPES) {
      for (const precision of ['float64', 'mixed'] as const) {
        const a = randn(n, f, 29 * n + f);
        const t = randn(n, m, 31 * m);
        const g = randn(f, m, 37);
        const gT = fromMatrix(g);
        const [at, tt] = [fromMatrix(a), fromMatrix(t)];
        const result = gradCheck((x, y) => tf.sum(tf.mul(gT, ridgeSolve(x as tf.Tensor2D, y as tf.Tensor2D, 0.1, { precision }))) as tf.Scalar, [at, tt], {
          reference: reference(g, 0.1, [n, f], [n, m]),
          tolerance: 1e-4,
        });
        expect(result.passed, `${precision} ${n}×${f}×${m}: ${result.maxRelativeError}`).toBe(true);
        // The A branch carries real gradient (dropping it is the Rohwer / Castillo error of §2.5).
        expect(Math.max(...Array.from(result.inputs[0].analytic, Math.abs))).toBeGreaterThan(1e-3);
        tf.dispose([gT, at, tt]);
      }
    }
  });

  it('gradients are finite-difference correct through the float64 path for λ from 1e-6 to 10', () => {
    for (const lambda of LAMBDAS) {
      for (const [n, f, m] of [
        [12, 5, 3],
        [4, 9, 3],
      ] as Array<[number, number, number]>) {
        const a = randn(n, f, 41 + n);
        const t = randn(n, m, 43 + m);
        const g = randn(f, m, 47);
        const gT = fromMatrix(g);
        const [at, tt] = [fromMatrix(a), fromMatrix(t)];
        const aRounded = toMatrix(at);
        const tRounded = toMatrix(tt);
        const result = gradCheck(
          (x, y) => tf.sum(tf.mul(gT, ridgeSolve(x as tf.Tensor2D, y as tf.Tensor2D, lambda, { precision: 'float64' }))) as tf.Scalar,
          [at, tt],
          {
            reference: reference(g, lambda, [aRounded.rows, aRounded.cols], [tRounded.rows, tRounded.cols]),
            tolerance: 1e-4,
          },
        );
        expect(result.passed, `λ=${lambda} ${n}×${f}: ${result.maxRelativeError}`).toBe(true);
        tf.dispose([gT, at, tt]);
      }
    }
  });

  it('leaves no tensors behind, inside or outside tf.tidy, with and without a gradient tape', () => {
    const a = fromMatrix(randn(20, 6, 1));
    const t = fromMatrix(randn(20, 2, 2));
    const aw = fromMatrix(randn(6, 20, 3));
    const tw = fromMatrix(randn(6, 2, 4));
    for (const precision of ['float64', 'mixed'] as const) {
      for (const [x, y] of [
        [a, t],
        [aw, tw],
      ] as Array<[tf.Tensor2D, tf.Tensor2D]>) {
        const before = tf.memory().numTensors;
        const w = ridgeSolve(x, y, 0.1, { precision });
        w.dispose();
        tf.tidy(() => {
          ridgeSolve(x, y, 0.1, { precision });
        });
        const grads = tf.grads((p, q) => tf.sum(ridgeSolve(p as tf.Tensor2D, q as tf.Tensor2D, 0.1, { precision })))([x, y]);
        tf.dispose(grads);
        expect(tf.memory().numTensors).toBe(before);
      }
    }
    tf.dispose([a, t, aw, tw]);
  });

  it("'auto' keeps small solves in float64 and sends tall ones to the mixed path", () => {
    expect(ridgeSolvePlan(194, 18, 5)).toEqual({ form: 'primal', precision: 'float64' });
    expect(ridgeSolvePlan(6400, 577, 64)).toEqual({ form: 'primal', precision: 'mixed' });
    expect(ridgeSolvePlan(100, 3137, 10).form).toBe('dual');
    expect(ridgeSolvePlan(6400, 577, 64, { precision: 'float64' }).precision).toBe('float64');
  });

  it('is more accurate in float64 than mixed on an ill-conditioned, two-spirals-like system', () => {
    // Columns [1 | x | tanh(...)] with strongly correlated features: cond(AᵀA + λI) ≈ 1e6-1e7 at λ = 1e-3.
    const n = 194;
    const base = randn(n, 2, 5);
    const f = 12;
    const a: Matrix = { rows: n, cols: f, data: new Float64Array(n * f) };
    for (let i = 0; i < n; i++) {
      a.data[i * f] = 1;
      for (let j = 1; j < f; j++) {
        const x = base.data[i * 2] * (1 + 0.01 * j) + base.data[i * 2 + 1] * 0.001 * j;
        a.data[i * f + j] = Math.tanh(x * (1 + 0.1 * j));
      }
    }
    const t = randn(n, 3, 6);
    const af32 = toMatrix(fromMatrix(a));
    const tf32 = toMatrix(fromMatrix(t));
    const exact = ridgeSolveF64(af32, tf32, 1e-3).w;
    const err = (precision: 'float64' | 'mixed') =>
      tf.tidy(() => relErr(ridgeSolve(fromMatrix(af32), fromMatrix(tf32), 1e-3, { precision }).dataSync(), exact.data));
    const e64 = err('float64');
    const eMixed = err('mixed');
    expect(e64).toBeLessThan(1e-6);
    expect(eMixed).toBeGreaterThan(10 * e64);
    // The Gram matrix of this system is badly conditioned, which is why float64 matters here.
    const k = gram(af32, 1e-3);
    expect(k.rows).toBe(f);
  });

  it('validates its arguments with typed errors that name the argument and the expected shape', () => {
    const a = tf.zeros([5, 3]) as tf.Tensor2D;
    const t = tf.zeros([5, 2]) as tf.Tensor2D;
    expect(() => ridgeSolve(a, tf.zeros([4, 2]) as tf.Tensor2D, 0.1)).toThrow(/ridgeSolve: argument 'T' must have shape \[n = 5, m\], got \[4, 2\]/);
    expect(() => ridgeSolve(tf.zeros([5, 3, 1]) as unknown as tf.Tensor2D, t, 0.1)).toThrow(ShapeError);
    expect(() => ridgeSolve(tf.zeros([5, 3], 'int32') as tf.Tensor2D, t, 0.1)).toThrow(DTypeError);
    expect(() => ridgeSolve(a, t, -0.5)).toThrow(/argument 'lambda'/);
    expect(() => ridgeSolve(a, t, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => ridgeSolve(a, t, 0.1, { precision: 'half' as 'auto' })).toThrow(/argument 'precision'/);
    expect(() => ridgeSolve(a, t, 0.1, { form: 'both' as 'auto' })).toThrow(/argument 'form'/);
    const nanT = tf.tensor2d([
      [1, 2],
      [3, Number.NaN],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(() => ridgeSolve(tf.ones([5, 3]) as tf.Tensor2D, nanT, 0.1, { precision: 'float64' })).toThrow(/argument 'T' contains NaN at row 1, column 1/);
    expect(() => ridgeSolve(tf.ones([5, 3]) as tf.Tensor2D, nanT, 0.1, { precision: 'mixed' })).toThrow(NonFiniteError);
    const infA = tf.tensor2d([
      [1, Number.POSITIVE_INFINITY, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(() => ridgeSolve(infA, t, 0.1, { precision: 'mixed' })).toThrow(/argument 'A' contains/);
    tf.dispose([a, t, nanT, infA]);
  });

  it('matches the realised single-layer weights of a known teacher (λ → 0)', () => {
    const a = randn(50, 4, 8);
    const w0 = randn(4, 2, 9);
    const t = matmulF64(a, w0);
    const w = tf.tidy(() => ridgeSolve(fromMatrix(a), fromMatrix(t), 1e-9));
    expect(maxAbsDiff(toMatrix(w), w0)).toBeLessThan(1e-4);
    w.dispose();
  });
});
