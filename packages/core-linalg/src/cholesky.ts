/**
 * Cholesky factorisation of symmetric positive definite matrices, in float64.
 */
import { NotPositiveDefiniteError } from './errors.js';
import { checkMatrix, checkSquare, type Matrix } from './matrix.js';

/**
 * Lower-triangular `L` with `L·Lᵀ = K`, for a symmetric positive definite `K` (`n × n`). Only the lower triangle of
 * `K` is read. Throws {@link NotPositiveDefiniteError} naming the failing pivot when `K` is not numerically positive
 * definite (for a ridge Gram matrix `AᵀA + λI`, raise λ).
 *
 * Used by `ridgeSolve` (target-space paper, eqs. 6–7: "Cholesky of K, then two triangular solves").
 *
 * @example
 * ```ts
 * const l = cholesky(fromRows([[4, 2], [2, 3]]));   // [[2, 0], [1, √2]]
 * const x = cholSolve(l, fromRows([[1], [2]]));      // solves K·x = b
 * ```
 */
export function cholesky(k: Matrix): Matrix {
  checkMatrix('cholesky', 'K', k);
  checkSquare('cholesky', 'K', k);
  return choleskyUnchecked(k, 'cholesky', 'K');
}

/** @internal Cholesky without input validation, for callers that have validated already. */
export function choleskyUnchecked(k: Matrix, fn = 'cholesky', argument = 'K'): Matrix {
  const n = k.rows;
  const K = k.data;
  const L = new Float64Array(n * n);
  // Row-oriented (Cholesky–Banachiewicz): every inner product runs over two contiguous row prefixes of L.
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let j = 0; j <= i; j++) {
      const oj = j * n;
      let s = K[oi + j];
      let p = 0;
      for (; p + 3 < j; p += 4) {
        s -= L[oi + p] * L[oj + p] + L[oi + p + 1] * L[oj + p + 1] + L[oi + p + 2] * L[oj + p + 2] + L[oi + p + 3] * L[oj + p + 3];
      }
      for (; p < j; p++) s -= L[oi + p] * L[oj + p];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) throw new NotPositiveDefiniteError(fn, argument, i, s);
        L[oi + i] = Math.sqrt(s);
      } else {
        L[oi + j] = s / L[oj + j];
      }
    }
  }
  return { rows: n, cols: n, data: L };
}
