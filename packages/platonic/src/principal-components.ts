/**
 * Principal components with a deterministic order and sign: the building block of both PCA variants of §7.8.
 * core-linalg's `symEig` returns eigenvalues ascending with arbitrary eigenvector signs; PCA needs them descending,
 * ties kept in index order, and every vector's sign fixed, because `ReLU(−a) ≠ ReLU(a)` and a flipped first
 * component reverses the Sorted-PCA order (§7.8.2).
 */
import { ConvergenceError, symEig, type Matrix } from '@beyond-backprop/core-linalg';
import { jacobiSvd } from './jacobi-svd.js';
import type { Arithmetic } from './precision.js';

const EPS = 2.220446049250313e-16;

/** Principal components of a covariance matrix. */
export interface PrincipalComponents {
  /** `d × count` matrix whose orthonormal columns are the leading eigenvectors, sign-fixed. */
  vectors: Matrix;
  /** All `d` eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvalues above `d·ε·λ_max` (and above zero). */
  numericalRank: number;
}

/**
 * @internal Flips the sign of each column so that its entry of largest magnitude is positive (ties: the lower row
 * index decides).
 */
export function signFixColumns(a: Matrix): void {
  const { rows, cols, data } = a;
  for (let c = 0; c < cols; c++) {
    let best = 0;
    let bestAbs = -1;
    for (let r = 0; r < rows; r++) {
      const v = Math.abs(data[r * cols + c]);
      if (v > bestAbs) {
        bestAbs = v;
        best = r;
      }
    }
    if (data[best * cols + c] < 0) for (let r = 0; r < rows; r++) data[r * cols + c] = -data[r * cols + c];
  }
}

/**
 * @internal The `count` leading eigenvectors of a symmetric matrix, descending by eigenvalue (ties keep the
 * eigensolver's order), sign-fixed.
 */
export function leadingEigenvectors(c: Matrix, count: number, warn: (message: string) => void = () => {}): PrincipalComponents {
  const d = c.rows;
  const { values, vectors } = eigenOfCovariance(c, warn);
  // symEig sorts ascending; rank descending by value, equal values by their ascending position.
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => values[y] - values[x] || x - y);
  const out = new Float64Array(d * count);
  for (let j = 0; j < count; j++) {
    const src = order[j];
    for (let r = 0; r < d; r++) out[r * count + j] = vectors.data[r * d + src];
  }
  const sorted = Float64Array.from(order, (i) => values[i]);
  const top = sorted[0] ?? 0;
  let numericalRank = 0;
  for (const v of sorted) if (v > 0 && v > d * EPS * top) numericalRank++;
  const result = { rows: d, cols: count, data: out };
  signFixColumns(result);
  return { vectors: result, values: sorted, numericalRank };
}

/**
 * core-linalg's `symEig`, or — when its QL iteration does not converge (clusters of exactly zero eigenvalues, such
 * as dead ReLU units next to the zero-variance bias column, stall its deflation test) — the Jacobi SVD of the
 * covariance, which for a positive semi-definite matrix has the eigenvalues as singular values and the
 * eigenvectors as right singular vectors. Returned ascending, like `symEig`.
 */
function eigenOfCovariance(c: Matrix, warn: (message: string) => void): { values: Float64Array; vectors: Matrix } {
  try {
    return symEig(c);
  } catch (error) {
    if (!ConvergenceError.isInstance(error)) throw error;
    warn(`symEig: core-linalg's QL iteration did not converge on a ${c.rows} × ${c.rows} covariance; used its Jacobi SVD instead`);
    const d = c.rows;
    const f = jacobiSvd(c, 'float64');
    const values = new Float64Array(d);
    const vectors = new Float64Array(d * d);
    for (let j = 0; j < d; j++) {
      const src = d - 1 - j;
      values[j] = f.s[src];
      for (let r = 0; r < d; r++) vectors[r * d + j] = f.v.data[r * d + src];
    }
    return { values, vectors: { rows: d, cols: d, data: vectors } };
  }
}

/**
 * @internal Covariance of the rows of `a` (`m × d`): centred `(A − 1μᵀ)ᵀ(A − 1μᵀ)/(m − 1)` with `center`, else the
 * second moment `AᵀA/m`. The centred data is formed explicitly before the Gram product (no `AᵀA − mμμᵀ`
 * cancellation); the product itself uses the mode's arithmetic, whose Gram blocks accumulate in float64.
 */
export function covariance(a: Matrix, center: boolean, arithmetic: Arithmetic): Matrix {
  const { rows: m, cols: d } = a;
  let data = a;
  if (center) {
    const mean = new Float64Array(d);
    for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) mean[j] += a.data[i * d + j];
    for (let j = 0; j < d; j++) mean[j] = mean[j] / m;
    const centred = new Float64Array(m * d);
    for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) centred[i * d + j] = a.data[i * d + j] - mean[j];
    data = { rows: m, cols: d, data: centred };
  }
  const g = arithmetic.gram(data);
  const denom = center ? Math.max(1, m - 1) : Math.max(1, m);
  for (let i = 0; i < g.data.length; i++) g.data[i] = g.data[i] / denom;
  // Exact symmetry, so the eigensolver sees the same matrix whichever triangle it reads.
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) g.data[j * d + i] = g.data[i * d + j];
  return g;
}
