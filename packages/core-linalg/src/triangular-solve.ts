/**
 * Forward and back substitution with triangular factors, for many right-hand sides at once.
 */
import { InvalidArgumentError, ShapeError } from './errors.js';
import { checkMatrix, checkSquare, type Matrix } from './matrix.js';

/** Options of {@link solveTriangular}. */
export interface TriangularSolveOptions {
  /** `true` (default) when the factor is lower triangular; only that triangle is read. */
  lower?: boolean;
  /** Solve with the transpose of the factor: `Lᵀ·X = B` instead of `L·X = B`. Default `false`. */
  transpose?: boolean;
  /** Treat the diagonal as ones without reading it. Default `false`. */
  unitDiagonal?: boolean;
}

/**
 * Solves `op(L)·X = B` for `X` (`n × m`), where `L` is `n × n` triangular and `op` is the identity or the transpose.
 * Every right-hand side column is solved in the same sweep over `L`. A zero on the diagonal throws.
 *
 * @example
 * ```ts
 * const y = solveTriangular(l, b);                      // L·y = b
 * const x = solveTriangular(l, y, { transpose: true }); // Lᵀ·x = y
 * ```
 */
export function solveTriangular(l: Matrix, b: Matrix, options: TriangularSolveOptions = {}): Matrix {
  checkMatrix('solveTriangular', 'L', l);
  checkSquare('solveTriangular', 'L', l);
  checkMatrix('solveTriangular', 'B', b);
  if (b.rows !== l.rows) throw new ShapeError('solveTriangular', 'B', [l.rows, 'm'], [b.rows, b.cols], "rows must match the factor 'L'");
  const unit = options.unitDiagonal ?? false;
  if (!unit) {
    for (let i = 0; i < l.rows; i++) {
      if (l.data[i * l.rows + i] === 0) throw new InvalidArgumentError('solveTriangular', 'L', 'must have a non-zero diagonal', `L[${i}][${i}] = 0`);
    }
  }
  return solveTriangularUnchecked(l, b, options.lower ?? true, options.transpose ?? false, unit);
}

/** @internal Substitution without validation. Effective triangle: lower XOR transpose means forward substitution. */
export function solveTriangularUnchecked(l: Matrix, b: Matrix, lower: boolean, transposed: boolean, unit = false): Matrix {
  const n = l.rows;
  const m = b.cols;
  const L = l.data;
  const X = b.data.slice();
  // op(L) is lower triangular exactly when (lower && !transposed) || (!lower && transposed).
  const forward = lower !== transposed;
  // Entry (i, k) of op(L): L[i][k] without transpose, L[k][i] with it.
  const at = transposed ? (i: number, k: number) => L[k * n + i] : (i: number, k: number) => L[i * n + k];
  if (forward) {
    for (let i = 0; i < n; i++) {
      const oi = i * m;
      for (let k = 0; k < i; k++) {
        const c = at(i, k);
        if (c === 0) continue;
        const ok = k * m;
        for (let j = 0; j < m; j++) X[oi + j] -= c * X[ok + j];
      }
      if (!unit) {
        const d = 1 / at(i, i);
        for (let j = 0; j < m; j++) X[oi + j] *= d;
      }
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const oi = i * m;
      for (let k = i + 1; k < n; k++) {
        const c = at(i, k);
        if (c === 0) continue;
        const ok = k * m;
        for (let j = 0; j < m; j++) X[oi + j] -= c * X[ok + j];
      }
      if (!unit) {
        const d = 1 / at(i, i);
        for (let j = 0; j < m; j++) X[oi + j] *= d;
      }
    }
  }
  return { rows: n, cols: m, data: X };
}

/**
 * Solves `K·X = B` given the Cholesky factor `L` of `K` (`K = L·Lᵀ`): a forward then a back substitution, never an
 * explicit inverse.
 *
 * @example
 * ```ts
 * const x = cholSolve(cholesky(k), b);
 * ```
 */
export function cholSolve(l: Matrix, b: Matrix): Matrix {
  checkMatrix('cholSolve', 'L', l);
  checkSquare('cholSolve', 'L', l);
  checkMatrix('cholSolve', 'B', b);
  if (b.rows !== l.rows) throw new ShapeError('cholSolve', 'B', [l.rows, 'm'], [b.rows, b.cols], "rows must match the factor 'L'");
  return cholSolveUnchecked(l, b);
}

/** @internal */
export function cholSolveUnchecked(l: Matrix, b: Matrix): Matrix {
  return solveTriangularUnchecked(l, solveTriangularUnchecked(l, b, true, false), true, true);
}
