/**
 * Ridge least squares `W = argmin ‖A·W − T‖²_F + λ‖W‖²_F` in float64, with its vector–Jacobian product with respect
 * to both A and T. This is the primitive of target-space learning (Fairbank & Samothrakis, eqs. 5–7 and 10), and
 * the reference the differentiable TensorFlow.js op is checked against.
 *
 * Batch-first (every matrix is the transpose of the paper's column-major one): `A: n × f` has one row per example, `T: n × m`, `W: f × m`.
 */
import { InvalidArgumentError, ShapeError } from './errors.js';
import { choleskyUnchecked } from './cholesky.js';
import { checkMatrix, gram, matmulF64, outerGram, type Matrix } from './matrix.js';
import { cholSolveUnchecked } from './triangular-solve.js';

/** Which normal equations a ridge solve uses. */
export type RidgeForm = 'primal' | 'dual';

/** Options shared by the float64 and TensorFlow.js ridge solves. */
export interface RidgeFormOption {
  /**
   * `'auto'` (default): primal (`f × f` Gram `AᵀA + λI`) when `n ≥ f`, dual (`n × n` Gram `AAᵀ + λI`, Woodbury form)
   * otherwise — the rule of `tf.lstsq(fast=True)`, paper eq. 11. Both give the same W for λ > 0.
   */
  form?: RidgeForm | 'auto';
}

/** A solved ridge system, holding its Cholesky factor so the backward pass needs no second factorisation. */
export interface RidgeSolution {
  /** `f × m` solution. */
  readonly w: Matrix;
  /** The normal equations used. */
  readonly form: RidgeForm;
  /** Lower Cholesky factor of `AᵀA + λI` (primal, `f × f`) or `AAᵀ + λI` (dual, `n × n`). */
  readonly factor: Matrix;
  /**
   * Vector–Jacobian product: given `G = ∂L/∂W` (`f × m`), returns `∂L/∂A` (`n × f`) and `∂L/∂T` (`n × m`) — Fairbank & Samothrakis Appendix A, eqs. 27–31, batch-first.
   * Reuses the forward factor (one extra pair of triangular solves).
   */
  vjp(g: Matrix): { dA: Matrix; dT: Matrix };
}

/** @internal Resolves `'auto'` by the shape rule of eq. 11 (primal iff rows ≥ columns). */
export function chooseRidgeForm(n: number, f: number, form: RidgeForm | 'auto' | undefined): RidgeForm {
  if (form === undefined || form === 'auto') return n >= f ? 'primal' : 'dual';
  return form;
}

/** @internal Validates λ: finite and strictly positive (λ = 0, which the paper's text allows, makes the dual Gram singular and breaks the Cholesky factorisation). */
export function checkLambda(fn: string, lambda: number): void {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || !(lambda > 0)) {
    throw new InvalidArgumentError(fn, 'lambda', 'must be a finite number > 0 (use a small value such as 1e-6 for near-plain least squares)', lambda);
  }
}

/** @internal Validates the form option. */
export function checkForm(fn: string, form: unknown): void {
  if (form !== undefined && form !== 'auto' && form !== 'primal' && form !== 'dual') {
    throw new InvalidArgumentError(fn, 'form', "must be 'auto', 'primal' or 'dual'", form);
  }
}

/**
 * Solves the ridge problem in float64 and returns W with a closure for its VJP.
 *
 * - primal: `W = K⁻¹AᵀT`, `K = AᵀA + λI_f`; VJP `Z = K⁻¹G`, `∂L/∂T = A·Z`, `∂L/∂A = R·Zᵀ − (A·Z)·Wᵀ`, `R = T − A·W`.
 * - dual: `W = AᵀP`, `P = M⁻¹T`, `M = AAᵀ + λI_n`; VJP `Q = M⁻¹(A·G)`, `∂L/∂T = Q`, `∂L/∂A = P·(G − AᵀQ)ᵀ − Q·Wᵀ`.
 *
 * @example
 * ```ts
 * const sol = ridgeSolveF64(a, t, 1e-3);
 * const { dA, dT } = sol.vjp(g);   // gradients of ⟨G, W⟩
 * ```
 */
export function ridgeSolveF64(a: Matrix, t: Matrix, lambda: number, options: RidgeFormOption = {}): RidgeSolution {
  const fn = 'ridgeSolveF64';
  checkMatrix(fn, 'A', a);
  checkMatrix(fn, 'T', t);
  if (t.rows !== a.rows) throw new ShapeError(fn, 'T', [a.rows, 'm'], [t.rows, t.cols], "rows must match 'A' (one row per example)");
  checkLambda(fn, lambda);
  checkForm(fn, options.form);
  return ridgeSolveUnchecked(a, t, lambda, chooseRidgeForm(a.rows, a.cols, options.form));
}

/** @internal */
export function ridgeSolveUnchecked(a: Matrix, t: Matrix, lambda: number, form: RidgeForm): RidgeSolution {
  const fn = 'ridgeSolve';
  if (form === 'primal') {
    const factor = choleskyUnchecked(gram(a, lambda), fn, 'AᵀA + λI');
    const w = cholSolveUnchecked(factor, matmulF64(a, t, { transposeA: true }));
    return {
      w,
      form,
      factor,
      vjp(g: Matrix) {
        checkGradShape(g, w);
        const z = cholSolveUnchecked(factor, g);
        const dT = matmulF64(a, z);
        const r = residual(a, t, w);
        const dA = subtractProducts(r, z, dT, w);
        return { dA, dT };
      },
    };
  }
  const factor = choleskyUnchecked(outerGram(a, lambda), fn, 'AAᵀ + λI');
  const p = cholSolveUnchecked(factor, t);
  const w = matmulF64(a, p, { transposeA: true });
  return {
    w,
    form,
    factor,
    vjp(g: Matrix) {
      checkGradShape(g, w);
      const q = cholSolveUnchecked(factor, matmulF64(a, g));
      // G − AᵀQ equals λ·K⁻¹G (push-through identity on eq. 7): the same quantity as the primal Z, scaled.
      const atq = matmulF64(a, q, { transposeA: true });
      const gm = new Float64Array(g.data.length);
      for (let i = 0; i < gm.length; i++) gm[i] = g.data[i] - atq.data[i];
      const dA = subtractProducts(p, { rows: g.rows, cols: g.cols, data: gm }, q, w);
      return { dA, dT: q };
    },
  };
}

/**
 * @internal Joint VJP of `W = ridgeSolve(A, T, λ)` and `S = A·W` (the realisation of one layer, Alg. 3 lines 4–5):
 * given `gW = ∂L/∂W` (from every other use of W) and `gS = ∂L/∂S`, returns `∂L/∂A` and `∂L/∂T`. Merging the two
 * saves recomputing `A·W` for the residual (it is `T − S`) and one product: in the primal form
 * `Ḡ = gW + AᵀgS, Z = K⁻¹Ḡ, ∂L/∂T = A·Z, ∂L/∂A = (T − S)·Zᵀ + (gS − A·Z)·Wᵀ` — Alg. 4 lines 4–5 (garbled in the OCR; reconstructed from Appendix A, eqs. 27–31).
 */
export function ridgeProjectVjp(sol: RidgeSolution, a: Matrix, t: Matrix, s: Matrix, gW: Matrix | null, gS: Matrix | null): { dA: Matrix; dT: Matrix } {
  const f = sol.w.rows;
  const m = sol.w.cols;
  let gBar: Matrix = gW ?? { rows: f, cols: m, data: new Float64Array(f * m) };
  if (gS) {
    const extra = matmulF64(a, gS, { transposeA: true });
    const d = new Float64Array(f * m);
    for (let i = 0; i < d.length; i++) d[i] = gBar.data[i] + extra.data[i];
    gBar = { rows: f, cols: m, data: d };
  }
  if (sol.form === 'primal') {
    const z = cholSolveUnchecked(sol.factor, gBar);
    const dT = matmulF64(a, z);
    const r = new Float64Array(t.data.length);
    for (let i = 0; i < r.length; i++) r[i] = t.data[i] - s.data[i];
    const left = gS ? subtractInto(gS, dT) : negate(dT);
    return { dA: sumOfProducts({ rows: t.rows, cols: m, data: r }, z, left, sol.w), dT };
  }
  // Dual: P = (T − S)/λ is recovered from the residual identity T − A·W = λP only approximately in floating point, so
  // keep the exact P from the solve: the general VJP, plus gS·Wᵀ.
  const base = sol.vjp(gBar);
  if (gS) {
    const extra = matmulF64(gS, sol.w, { transposeB: true });
    for (let i = 0; i < base.dA.data.length; i++) base.dA.data[i] += extra.data[i];
  }
  return base;
}

function subtractInto(x: Matrix, y: Matrix): Matrix {
  const d = new Float64Array(x.data.length);
  for (let i = 0; i < d.length; i++) d[i] = x.data[i] - y.data[i];
  return { rows: x.rows, cols: x.cols, data: d };
}

function negate(x: Matrix): Matrix {
  return { rows: x.rows, cols: x.cols, data: x.data.map((v) => -v) };
}

/** `X·Yᵀ + U·Vᵀ` for `X, U: n × m` and `Y, V: f × m`, in one pass over the rows. */
function sumOfProducts(x: Matrix, y: Matrix, u: Matrix, v: Matrix): Matrix {
  const n = x.rows;
  const m = x.cols;
  const f = y.rows;
  const out = new Float64Array(n * f);
  const X = x.data;
  const Y = y.data;
  const U = u.data;
  const V = v.data;
  for (let i = 0; i < n; i++) {
    const oi = i * m;
    for (let j = 0; j < f; j++) {
      const oj = j * m;
      let acc = 0;
      for (let p = 0; p < m; p++) acc += X[oi + p] * Y[oj + p] + U[oi + p] * V[oj + p];
      out[i * f + j] = acc;
    }
  }
  return { rows: n, cols: f, data: out };
}

function checkGradShape(g: Matrix, w: Matrix): void {
  checkMatrix('ridgeSolve.vjp', 'G', g);
  if (g.rows !== w.rows || g.cols !== w.cols) throw new ShapeError('ridgeSolve.vjp', 'G', [w.rows, w.cols], [g.rows, g.cols], 'the shape of W');
}

/** `T − A·W`. */
function residual(a: Matrix, t: Matrix, w: Matrix): Matrix {
  const aw = matmulF64(a, w);
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = t.data[i] - aw.data[i];
  return { rows: t.rows, cols: t.cols, data: out };
}

/** `X·Yᵀ − U·Vᵀ` for `X, U: n × m` and `Y, V: f × m`, in one pass over the rows. */
function subtractProducts(x: Matrix, y: Matrix, u: Matrix, v: Matrix): Matrix {
  const n = x.rows;
  const m = x.cols;
  const f = y.rows;
  const out = new Float64Array(n * f);
  const X = x.data;
  const Y = y.data;
  const U = u.data;
  const V = v.data;
  for (let i = 0; i < n; i++) {
    const oi = i * m;
    for (let j = 0; j < f; j++) {
      const oj = j * m;
      let s = 0;
      for (let p = 0; p < m; p++) s += X[oi + p] * Y[oj + p] - U[oi + p] * V[oj + p];
      out[i * f + j] = s;
    }
  }
  return { rows: n, cols: f, data: out };
}
