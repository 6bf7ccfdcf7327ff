/**
 * Moore–Penrose pseudo-inverse and minimum-norm least squares, from the Jacobi SVD, in float64.
 *
 * Both work from the SVD in factored form ({@link SvdFactors}): for a tall `A = Q·R` the pseudo-inverse is
 * `Q·[B·S⁻¹·Cᵀ; 0]` transposed, so Q's reflectors are applied once to a thin block and the `m × k` matrix of left
 * singular vectors is never formed.
 */
import { InvalidArgumentError, ShapeError } from './errors.js';
import { checkMatrix, matmulF64, transpose, type Matrix } from './matrix.js';
import { svdFactors, type SvdFactors, type SvdResult } from './svd.js';

const EPS = 2.220446049250313e-16;

/** Cutoff options shared by the pseudo-inverse and least-squares functions. */
export interface RankCutoff {
  /**
   * Relative cutoff: singular values `≤ rcond·σ_max` are treated as zero. Default `max(m, n)·ε` (numpy's
   * `matrix_rank`/`lstsq` convention).
   */
  rcond?: number;
  /** Absolute cutoff, combined with `rcond` by taking the larger. Default 0. */
  atol?: number;
}

/** @internal Resolves the singular-value threshold below which directions are dropped. */
export function singularCutoff(fn: string, s: Float64Array, m: number, n: number, options: RankCutoff): number {
  const rcond = options.rcond ?? Math.max(m, n) * EPS;
  const atol = options.atol ?? 0;
  if (!(rcond >= 0) || !Number.isFinite(rcond)) throw new InvalidArgumentError(fn, 'rcond', 'must be a finite number ≥ 0', rcond);
  if (!(atol >= 0) || !Number.isFinite(atol)) throw new InvalidArgumentError(fn, 'atol', 'must be a finite number ≥ 0', atol);
  const smax = s.length > 0 ? s[0] : 0;
  return Math.max(atol, rcond * smax);
}

/** @internal `V·diag(1/s)·Uᵀ` over the kept singular values: the pseudo-inverse from a ready SVD. */
export function pinvFromSvd(f: SvdResult, cutoff: number): { pinv: Matrix; rank: number } {
  const m = f.u.rows;
  const n = f.v.rows;
  const k = f.s.length;
  let rank = 0;
  for (let c = 0; c < k; c++) if (f.s[c] > cutoff) rank++;
  // Kept columns, V's scaled by 1/σ; then one cache-friendly A·Bᵀ product (rows of both operands contiguous).
  const vs = new Float64Array(n * rank);
  const us = new Float64Array(m * rank);
  let r = 0;
  for (let c = 0; c < k; c++) {
    const sigma = f.s[c];
    if (!(sigma > cutoff)) continue;
    const inv = 1 / sigma;
    for (let i = 0; i < n; i++) vs[i * rank + r] = f.v.data[i * k + c] * inv;
    for (let j = 0; j < m; j++) us[j * rank + r] = f.u.data[j * k + c];
    r++;
  }
  const pinv = matmulF64({ rows: n, cols: rank, data: vs }, { rows: m, cols: rank, data: us }, { transposeB: true });
  return { pinv, rank };
}

/**
 * Moore–Penrose pseudo-inverse `A⁺` (`n × m` for `A: m × n`), dropping singular values at or below the cutoff.
 * Satisfies the Penrose identities `A·A⁺·A = A`, `A⁺·A·A⁺ = A⁺` and symmetry of `A·A⁺` and `A⁺·A`.
 *
 * The thesis' Platonic projections (ch. 7) fit each layer with `W = A⁺·T`.
 *
 * Computed from the QR-preconditioned Jacobi SVD ({@link svd}) without forming U: a 5000 × 257 pseudo-inverse takes
 * well under a second, and ill-conditioned inputs keep near machine-precision Penrose residuals.
 *
 * @example
 * ```ts
 * const ap = pinv(fromRows([[1, 2], [2, 4]]));   // rank 1: ap = A / 25
 * ```
 */
export function pinvF64(a: Matrix, options: RankCutoff = {}): Matrix {
  checkMatrix('pinvF64', 'A', a);
  const f = svdFactors(a);
  return f.pinv(singularCutoff('pinvF64', f.s, a.rows, a.cols, options)).pinv;
}

/** Result of {@link lstsqF64}. */
export interface LstsqResult {
  /** `n × k` minimum-norm solution of `min ‖A·X − B‖`. */
  x: Matrix;
  /** Numerical rank of A under the cutoff. */
  rank: number;
  /** Singular values of A, descending. */
  singularValues: Float64Array;
  /** Squared residual norm per column of B; empty unless A has full column rank and more rows than columns. */
  residuals: Float64Array;
}

/**
 * Minimum-norm least squares `X = argmin ‖A·X − B‖_F` (and, among minimisers, the smallest ‖X‖_F), for `A: m × n`
 * and `B: m × k`. Rank-deficient and ill-conditioned A are handled by the SVD cutoff. `X = V·diag(1/s)·Uᵀ·B` is
 * applied factor by factor (Q's reflectors on B, then `k × k` products), so neither U nor `A⁺` is formed.
 *
 * @example
 * ```ts
 * const { x, rank } = lstsq(a, b);
 * ```
 */
export function lstsqF64(a: Matrix, b: Matrix, options: RankCutoff = {}): LstsqResult {
  checkMatrix('lstsqF64', 'A', a);
  checkMatrix('lstsqF64', 'B', b);
  if (b.rows !== a.rows) throw new ShapeError('lstsqF64', 'B', [a.rows, 'k'], [b.rows, b.cols], "rows must match 'A'");
  const f: SvdFactors = svdFactors(a);
  const cutoff = singularCutoff('lstsqF64', f.s, a.rows, a.cols, options);
  const m = a.rows;
  const n = a.cols;
  const kk = b.cols;
  // X = V·diag(1/s)·(Uᵀ·B) over the kept singular values, never forming A⁺ (nor U).
  const { x: xm, rank } = f.solve(b, cutoff);
  let residuals = new Float64Array(0);
  if (rank === n && m > n) {
    residuals = new Float64Array(kk);
    const ax = matmulF64(a, xm).data;
    for (let i = 0; i < m * kk; i++) {
      const s = ax[i] - b.data[i];
      residuals[i % kk] += s * s;
    }
  }
  return { x: xm, rank, singularValues: f.s, residuals };
}

/**
 * @internal VJP of `X = A⁺` for `A: m × n` at constant rank (Golub & Pereyra 1973): given `G = ∂L/∂X` (`n × m`),
 * `∂L/∂A = −Xᵀ·G·Xᵀ + (I − A·X)·Gᵀ·X·Xᵀ + Xᵀ·X·Gᵀ·(I − X·A)`.
 */
export function pinvVjp(a: Matrix, x: Matrix, g: Matrix): Matrix {
  const xt = transpose(x);
  const gt = transpose(g);
  // term 1: −Xᵀ G Xᵀ
  const t1 = matmulF64(matmulF64(xt, g), xt);
  // term 2: (I − A X) Gᵀ X Xᵀ = Gᵀ(XXᵀ) − A·(X·(Gᵀ(XXᵀ)))
  const gtxxt = matmulF64(gt, matmulF64(x, xt));
  const t2 = matmulF64(a, matmulF64(x, gtxxt));
  // term 3: XᵀX Gᵀ (I − X A) = (XᵀX Gᵀ) − (XᵀX Gᵀ X)·A
  const xtxgt = matmulF64(matmulF64(xt, x), gt);
  const t3 = matmulF64(matmulF64(xtxgt, x), a);
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < out.length; i++) out[i] = -t1.data[i] + gtxxt.data[i] - t2.data[i] + xtxgt.data[i] - t3.data[i];
  return { rows: a.rows, cols: a.cols, data: out };
}
