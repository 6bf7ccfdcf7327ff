/**
 * Householder QR factorisation in float64.
 */
import { InvalidArgumentError } from './errors.js';
import { checkMatrix, type Matrix } from './matrix.js';

/** Result of {@link qr}: `A = Q·R` with `Q` orthonormal columns and `R` upper triangular. */
export interface QrResult {
  /** `m × k` with orthonormal columns (`k = min(m, n)` when reduced, `m` when complete). */
  q: Matrix;
  /** `k × n` upper triangular. */
  r: Matrix;
}

/**
 * Householder QR of an `m × n` matrix: `A = Q·R`. `mode: 'reduced'` (default) returns the thin factors
 * (`Q: m × min(m,n)`, `R: min(m,n) × n`), `'complete'` the square `Q: m × m`. Stable for rank-deficient input
 * (R then has (near-)zero diagonal entries; use {@link lstsqF64} or {@link svd} to decide rank).
 *
 * @example
 * ```ts
 * const { q, r } = qr(fromRows([[1, 2], [3, 4], [5, 6]]));
 * ```
 */
export function qr(a: Matrix, options: { mode?: 'reduced' | 'complete' } = {}): QrResult {
  checkMatrix('qr', 'A', a);
  const mode = options.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete') throw new InvalidArgumentError('qr', 'mode', "must be 'reduced' or 'complete'", mode);
  return qrUnchecked(a, mode === 'complete');
}

/** @internal */
export function qrUnchecked(a: Matrix, complete: boolean): QrResult {
  const m = a.rows;
  const n = a.cols;
  const k = Math.min(m, n);
  const R = a.data.slice();
  // Householder vectors, one per reflected column, stored densely (length m - j for column j).
  const vs: Float64Array[] = [];
  const betas = new Float64Array(k);
  const steps = Math.min(m - 1, n);
  for (let j = 0; j < steps; j++) {
    const len = m - j;
    const v = new Float64Array(len);
    let norm2 = 0;
    for (let i = 0; i < len; i++) {
      const x = R[(j + i) * n + j]!;
      v[i] = x;
      norm2 += x * x;
    }
    const norm = Math.sqrt(norm2);
    if (norm === 0) {
      vs.push(v);
      betas[j] = 0;
      continue;
    }
    // Reflect x onto -sign(x0)·‖x‖·e1 so the subtraction v0 - alpha never cancels.
    const alpha = v[0]! >= 0 ? -norm : norm;
    v[0] = v[0]! - alpha;
    let vnorm2 = 0;
    for (let i = 0; i < len; i++) vnorm2 += v[i]! * v[i]!;
    const beta = vnorm2 === 0 ? 0 : 2 / vnorm2;
    betas[j] = beta;
    vs.push(v);
    // Apply H = I - beta v vᵀ to the trailing columns j..n-1.
    for (let c = j; c < n; c++) {
      let s = 0;
      for (let i = 0; i < len; i++) s += v[i]! * R[(j + i) * n + c]!;
      s *= beta;
      if (s === 0) continue;
      for (let i = 0; i < len; i++) R[(j + i) * n + c] -= s * v[i]!;
    }
    for (let i = 1; i < len; i++) R[(j + i) * n + j] = 0;
  }
  const qCols = complete ? m : k;
  // Q = H_0 H_1 ... applied to the first qCols columns of the identity, accumulated backwards.
  const Q = new Float64Array(m * qCols);
  for (let i = 0; i < qCols; i++) Q[i * qCols + i] = 1;
  for (let j = steps - 1; j >= 0; j--) {
    const v = vs[j]!;
    const beta = betas[j]!;
    if (beta === 0) continue;
    const len = m - j;
    for (let c = 0; c < qCols; c++) {
      let s = 0;
      for (let i = 0; i < len; i++) s += v[i]! * Q[(j + i) * qCols + c]!;
      s *= beta;
      if (s === 0) continue;
      for (let i = 0; i < len; i++) Q[(j + i) * qCols + c] -= s * v[i]!;
    }
  }
  const rRows = complete ? m : k;
  const rOut = new Float64Array(rRows * n);
  for (let i = 0; i < Math.min(rRows, m); i++) {
    for (let c = i; c < n; c++) rOut[i * n + c] = R[i * n + c]!;
  }
  return { q: { rows: m, cols: qCols, data: Q }, r: { rows: rRows, cols: n, data: rOut } };
}
