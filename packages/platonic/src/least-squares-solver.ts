/**
 * The three ways the thesis solves `Z̄·W ≈ T` for a layer (§7.6.2, Table 7.1): the
 * pseudo-inverse with torch's cut-off semantics, least squares, and ridge regression. A solver is *prepared* once
 * from `Z̄` (its SVD, QR or Cholesky factor) and then reused for every try, every target and the LSD (§7.5.1:
 * "the pseudoinverse only needs to be computed once per layer").
 */
import {
  ConvergenceError,
  InvalidArgumentError,
  NotPositiveDefiniteError,
  checkNumber,
  cholSolve,
  cholesky,
  identity,
  matmulF64,
  qr,
  solveTriangular,
  svd,
  type Matrix,
  type SvdResult,
} from '@beyond-backprop/core-linalg';
import { FLOAT32_EPS, choleskyF32, matmulF32, qrF32, solveTriangularF32 } from './float32-linalg.js';
import { jacobiSvd } from './jacobi-svd.js';
import type { Arithmetic } from './precision.js';

const FLOAT64_EPS = 2.220446049250313e-16;

/**
 * How a layer's least-squares problem is solved.
 *
 * - `pinv`: `W = Z̄⁺·T` from the SVD. Singular values `≤ max(atol, rtol·σ_max)` are dropped, with
 *   `torch.linalg.pinv`'s defaults: `rtol = max(m, p)·ε` when `atol` is not given, and `rtol = 0` when only
 *   `atol > 0` is given (the thesis' "tol = 1e-5" is this absolute cut-off).
 * - `lstsq`: Householder QR and a triangular solve (LAPACK `gels`, what torch runs on CUDA); when `R` shows a rank
 *   deficiency below `rcond` (default `max(m, p)·ε`) it falls back to the minimum-norm SVD solution (`gelsd`).
 * - `ridge`: `W = (Z̄ᵀZ̄ + λD)⁻¹Z̄ᵀT` by Cholesky (`torch.linalg.solve` in the thesis). `λ` is absolute; `D = I`
 *   penalises the bias row too, as the thesis' formula does, unless `penalizeBias: false`.
 */
export type SolverSpec =
  | { kind: 'pinv'; atol?: number; rtol?: number }
  | { kind: 'lstsq'; rcond?: number }
  | { kind: 'ridge'; lambda: number; penalizeBias?: boolean };

/** @internal A solver factorised for one `Z̄` (`m × p`). */
export interface PreparedSolver {
  readonly rows: number;
  readonly cols: number;
  /** Numerical rank of `Z̄` under the cut-off (`p` for ridge, whose system is always full rank). */
  readonly rank: number;
  /** `p × q` solution of `min ‖Z̄·X − T‖` (plus the ridge penalty) for `T: m × q`. */
  solve(t: Matrix): Matrix;
  /** The solution for `T = Z̄` itself (`p × p`): the row-space projector for pinv/lstsq, `I − λG⁻¹D` for ridge. */
  solveSelf(): Matrix;
}

/** @internal Validates a solver spec, naming `argument` in errors. */
export function checkSolverSpec(fn: string, argument: string, spec: SolverSpec): void {
  if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError(fn, argument, "must be { kind: 'pinv' | 'lstsq' | 'ridge', … }", spec);
  switch (spec.kind) {
    case 'pinv':
      if (spec.atol !== undefined) checkNumber(fn, `${argument}.atol`, spec.atol, { min: 0 });
      if (spec.rtol !== undefined) checkNumber(fn, `${argument}.rtol`, spec.rtol, { min: 0 });
      return;
    case 'lstsq':
      if (spec.rcond !== undefined) checkNumber(fn, `${argument}.rcond`, spec.rcond, { min: 0 });
      return;
    case 'ridge':
      checkNumber(fn, `${argument}.lambda`, spec.lambda, { min: 0, exclusiveMin: true });
      if (spec.penalizeBias !== undefined && typeof spec.penalizeBias !== 'boolean') {
        throw new InvalidArgumentError(fn, `${argument}.penalizeBias`, 'must be a boolean', spec.penalizeBias);
      }
      return;
    default:
      throw new InvalidArgumentError(fn, `${argument}.kind`, "must be 'pinv', 'lstsq' or 'ridge'", (spec as { kind: unknown }).kind);
  }
}

/** @internal Whether two solver specs describe the same computation (so one factorisation serves both). */
export function sameSolver(a: SolverSpec, b: SolverSpec): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'pinv' && b.kind === 'pinv') return a.atol === b.atol && a.rtol === b.rtol;
  if (a.kind === 'lstsq' && b.kind === 'lstsq') return a.rcond === b.rcond;
  if (a.kind === 'ridge' && b.kind === 'ridge') return a.lambda === b.lambda && (a.penalizeBias ?? true) === (b.penalizeBias ?? true);
  return false;
}

/**
 * @internal The singular-value cut-off of `torch.linalg.pinv(A, atol, rtol)`: `max(atol, rtol·σ_max)`, with
 * `rtol = max(m, p)·ε` unless only a positive `atol` is given.
 */
export function pinvCutoff(spec: { atol?: number; rtol?: number }, sigmaMax: number, m: number, p: number, eps: number): number {
  const atol = spec.atol ?? 0;
  const rtol = spec.rtol ?? (spec.atol !== undefined && spec.atol > 0 ? 0 : Math.max(m, p) * eps);
  return Math.max(atol, rtol * sigmaMax);
}

/** Columns of `a` listed in `cols`. */
function takeColumns(a: Matrix, cols: number[]): Matrix {
  const out = new Float64Array(a.rows * cols.length);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < cols.length; j++) out[i * cols.length + j] = a.data[i * a.cols + cols[j]];
  return { rows: a.rows, cols: cols.length, data: out };
}

/** `diag(d)·B`. */
function scaleRows(b: Matrix, d: Float64Array, round: boolean): Matrix {
  const out = new Float64Array(b.data.length);
  for (let i = 0; i < b.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      const v = d[i] * b.data[i * b.cols + j];
      out[i * b.cols + j] = round ? Math.fround(v) : v;
    }
  }
  return { rows: b.rows, cols: b.cols, data: out };
}

/** `Aᵀ`. */
function transposed(a: Matrix): Matrix {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: out };
}

/** The kept singular triplets of an SVD under `cutoff`. */
function keptTriplets(f: SvdResult, cutoff: number): { u: Matrix; inv: Float64Array; v: Matrix; rank: number } {
  const kept: number[] = [];
  for (let c = 0; c < f.s.length; c++) if (f.s[c] > cutoff) kept.push(c);
  const inv = Float64Array.from(kept, (c) => 1 / f.s[c]);
  return { u: takeColumns(f.u, kept), inv, v: takeColumns(f.v, kept), rank: kept.length };
}

/** Pseudo-inverse solver from an SVD, in float64 products (float64 and mixed modes). */
function svdSolver(zb: Matrix, f: SvdResult, cutoff: number, arithmetic: Arithmetic): PreparedSolver {
  const { u, inv, v, rank } = keptTriplets(f, cutoff);
  return {
    rows: zb.rows,
    cols: zb.cols,
    rank,
    // X = V·diag(1/s)·(UᵀT): the only product that depends on m goes through the mode's arithmetic.
    solve: (t) => matmulF64(v, scaleRows(arithmetic.crossProduct(u, t), inv, false)),
    solveSelf: () => matmulF64(v, v, { transposeB: true }),
  };
}

/** torch-style `pinv(Z̄) @ T` with the pseudo-inverse formed explicitly, all in float32. */
function float32PinvSolver(zb: Matrix, f: SvdResult, cutoff: number): PreparedSolver {
  const { u, inv, v, rank } = keptTriplets(f, cutoff);
  // Z̄⁺ = (V·diag(1/s))·Uᵀ, p × m.
  const vs = transposed(scaleRows(transposed(v), inv, true));
  const pinv = matmulF32(vs, transposed(u));
  return {
    rows: zb.rows,
    cols: zb.cols,
    rank,
    solve: (t) => matmulF32(pinv, t),
    solveSelf: () => matmulF32(pinv, zb),
  };
}

/**
 * core-linalg's float64 SVD, falling back to the package's Jacobi SVD with LAPACK's stopping rule if it ever throws
 * `ConvergenceError` (older core-linalg releases did on nearly rank-deficient `[1 | ReLU(…)]` with about as many
 * units as examples); float32 mode always uses the emulated float32 Jacobi SVD.
 */
function svdOf(zb: Matrix, f32: boolean, warn: (message: string) => void): SvdResult {
  if (f32) return jacobiSvd(zb, 'float32');
  try {
    return svd(zb);
  } catch (error) {
    if (!ConvergenceError.isInstance(error)) throw error;
    warn(`svd: core-linalg's Jacobi SVD did not converge on a ${zb.rows} × ${zb.cols} matrix; used the LAPACK-tolerance Jacobi SVD instead`);
    return jacobiSvd(zb, 'float64');
  }
}

/**
 * @internal Factorises `Z̄` for `spec` in the arithmetic's precision. Fallbacks (rank-deficient QR, Cholesky jitter)
 * are reported through `warn`.
 */
export function prepareSolver(zb: Matrix, spec: SolverSpec, arithmetic: Arithmetic, warn: (message: string) => void): PreparedSolver {
  const m = zb.rows;
  const p = zb.cols;
  const f32 = arithmetic.precision === 'float32';
  const eps = f32 ? FLOAT32_EPS : FLOAT64_EPS;
  if (spec.kind === 'pinv') {
    const f = svdOf(zb, f32, warn);
    const cutoff = pinvCutoff(spec, f.s[0] ?? 0, m, p, eps);
    return f32 ? float32PinvSolver(zb, f, cutoff) : svdSolver(zb, f, cutoff, arithmetic);
  }
  if (spec.kind === 'lstsq') {
    const rcond = spec.rcond ?? Math.max(m, p) * eps;
    if (m >= p) {
      const { q, r } = f32 ? qrF32(zb) : qr(zb);
      let rmax = 0;
      for (let i = 0; i < p; i++) rmax = Math.max(rmax, Math.abs(r.data[i * p + i]));
      let fullRank = rmax > 0;
      for (let i = 0; i < p && fullRank; i++) if (!(Math.abs(r.data[i * p + i]) > rcond * rmax)) fullRank = false;
      if (fullRank) {
        return {
          rows: m,
          cols: p,
          rank: p,
          solve: (t) => {
            const qt = arithmetic.crossProduct(q, t);
            return f32 ? solveTriangularF32(r, qt, false, false) : solveTriangular(r, qt, { lower: false });
          },
          solveSelf: () => identity(p),
        };
      }
      warn(`lstsq: Z̄ (${m} × ${p}) is rank-deficient under rcond = ${rcond.toExponential(2)}; using the minimum-norm SVD solution`);
    }
    const f = svdOf(zb, f32, warn);
    const cutoff = rcond * (f.s[0] ?? 0);
    return f32 ? float32PinvSolver(zb, f, cutoff) : svdSolver(zb, f, cutoff, arithmetic);
  }
  // Ridge.
  const penalize = new Float64Array(p).fill(1);
  if (spec.penalizeBias === false && p > 0) penalize[0] = 0;
  const g0 = arithmetic.gram(zb);
  const shifted = (lambda: number): Matrix => {
    const g = { rows: p, cols: p, data: g0.data.slice() };
    for (let i = 0; i < p; i++) {
      const v = g.data[i * p + i] + lambda * penalize[i];
      g.data[i * p + i] = f32 ? Math.fround(v) : v;
    }
    return g;
  };
  let lambda = spec.lambda;
  let factor: Matrix | null = null;
  if (f32) {
    factor = choleskyF32(shifted(lambda), 'fitPlatonic', 'Z̄ᵀZ̄ + λI (float32)');
  } else {
    for (let attempt = 0; factor === null; attempt++) {
      try {
        factor = cholesky(shifted(lambda));
      } catch (error) {
        if (!NotPositiveDefiniteError.isInstance(error) || attempt === 3) throw error;
        const next = lambda * 10;
        warn(`ridge: Z̄ᵀZ̄ + λI is not numerically positive definite at λ = ${lambda}; retrying with λ = ${next}`);
        lambda = next;
      }
    }
  }
  const l = factor;
  const cholSolveMode = (b: Matrix): Matrix => (f32 ? solveTriangularF32(l, solveTriangularF32(l, b, true, false), true, true) : cholSolve(l, b));
  return {
    rows: m,
    cols: p,
    rank: p,
    solve: (t) => cholSolveMode(arithmetic.crossProduct(zb, t)),
    solveSelf: () => cholSolveMode(g0),
  };
}
