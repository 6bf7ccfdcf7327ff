/**
 * Eigendecomposition of real symmetric matrices: Householder reduction to tridiagonal form, then implicit QL
 * iterations with Wilkinson-style shifts, in float64.
 *
 * Deflation: an off-diagonal `e_i` is set to zero when `|e_i| ≤ ε·(|d_i| + |d_{i+1}|)` (the classical relative test)
 * *or* `|e_i| ≤ ε·‖T‖` (LAPACK-style absolute test). The absolute test is what makes clusters of (numerically) zero
 * eigenvalues converge — the covariance of ReLU features with dead units, a zero-variance bias column, or any
 * low-rank Gram matrix: there the diagonal entries are rounding noise, each QL sweep re-injects `ε·‖T‖` of noise
 * into the off-diagonals, and the relative test alone can never be met. Dropping an `e_i` of size `ε·‖T‖` is a
 * backward-stable perturbation no larger than the tridiagonal reduction's own error.
 */
import { ConvergenceError } from './errors.js';
import { checkMatrix, checkSquare, type Matrix } from './matrix.js';

/** Result of {@link symEig}: `A = V·diag(values)·Vᵀ`. */
export interface SymEigResult {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** `n × n` orthogonal matrix whose column `i` is the eigenvector of `values[i]`. */
  vectors: Matrix;
}

/** QL iterations allowed per eigenvalue on average (LAPACK `xSTEQR` uses 30); two or three are typical. */
const MAX_ITERATIONS_PER_VALUE = 30;

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric `n × n` matrix. Only the lower
 * triangle is read. Cost about 9n³ flops. Used by the PCA variants of Platonic projections (thesis ch. 7).
 *
 * Eigenvalues are accurate to `O(ε·‖A‖)` absolutely (so exactly-zero clusters come back as `±ε·‖A‖` noise) and the
 * eigenvectors are orthonormal to `O(ε)`. Converges on clustered and repeated eigenvalues, including large clusters
 * of zeros; {@link ConvergenceError} is thrown only as a last resort, after `30·n` QL iterations in total.
 *
 * @example
 * ```ts
 * const { values, vectors } = symEig(fromRows([[2, 1], [1, 2]]));   // values = [1, 3]
 * ```
 */
export function symEig(a: Matrix): SymEigResult {
  checkMatrix('symEig', 'A', a);
  checkSquare('symEig', 'A', a);
  return symEigUnchecked(a);
}

/** @internal */
export function symEigUnchecked(a: Matrix): SymEigResult {
  const n = a.rows;
  const A = new Float64Array(n * n);
  // Symmetrise from the lower triangle so an unsymmetric upper triangle is ignored, as documented.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = a.data[i * n + j];
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  // Keep squared entries inside the float64 range: rescale by a power of two when the entries are extreme.
  let amax = 0;
  for (let i = 0; i < A.length; i++) amax = Math.max(amax, Math.abs(A[i]));
  let scale = 1;
  if (amax > 0 && (amax > 1e120 || amax < 1e-120)) {
    scale = 2 ** -Math.round(Math.log2(amax));
    for (let i = 0; i < A.length; i++) A[i] = A[i] * scale;
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples i and i+1
  // Zt holds the eigenvectors as rows (Qᵀ of the reduction), so each QL rotation combines two contiguous rows.
  const Zt = tridiagonalise(A, n, d, e);
  tridiagonalQl(d, e, Zt, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y] || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src] / scale;
    const o = src * n;
    for (let r = 0; r < n; r++) vectors[r * n + dst] = Zt[o + r];
  });
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/**
 * Householder reduction `A = Q·T·Qᵀ`. Writes T's diagonal into `d` and off-diagonal into `e`, returns `Qᵀ`
 * (row-major, so row i is column i of Q). Each step reflects column k below the subdiagonal to a multiple of e1 and
 * applies the reflector from both sides as the symmetric rank-2 update `A ← A − v·wᵀ − w·vᵀ`. `Qᵀ = H_{n−3}·…·H_0`
 * is accumulated backwards (as LAPACK `xORGTR` does), so step k only touches the trailing `(n−k−1)²` block.
 */
function tridiagonalise(A: Float64Array, n: number, d: Float64Array, e: Float64Array): Float64Array {
  const vs = new Float64Array(n * n); // reflector k in row k (entries s..n-1)
  const betas = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    const s = k + 1; // first index of the trailing block
    const vo = k * n;
    let tail2 = 0;
    for (let i = s + 1; i < n; i++) tail2 += A[i * n + k] ** 2;
    const x0 = A[s * n + k];
    if (tail2 === 0) {
      e[k] = x0;
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tail2);
    const alpha = x0 >= 0 ? -norm : norm;
    vs[vo + s] = x0 - alpha;
    for (let i = s + 1; i < n; i++) vs[vo + i] = A[i * n + k];
    const vnorm2 = vs[vo + s] * vs[vo + s] + tail2;
    const beta = 2 / vnorm2;
    betas[k] = beta;
    // p = beta·A_sub·v ; K = (beta/2)·(vᵀp) ; w = p − K·v
    let vp = 0;
    for (let i = s; i < n; i++) {
      let acc = 0;
      const oi = i * n;
      for (let j = s; j < n; j++) acc += A[oi + j] * vs[vo + j];
      w[i] = beta * acc;
      vp += vs[vo + i] * w[i];
    }
    const K = 0.5 * beta * vp;
    for (let i = s; i < n; i++) w[i] = w[i] - K * vs[vo + i];
    for (let i = s; i < n; i++) {
      const oi = i * n;
      const vi = vs[vo + i];
      const wi = w[i];
      for (let j = s; j < n; j++) A[oi + j] -= vi * w[j] + wi * vs[vo + j];
    }
    e[k] = alpha;
  }
  for (let i = 0; i < n; i++) d[i] = A[i * n + i];
  if (n >= 2) e[n - 2] = A[(n - 1) * n + (n - 2)];
  e[n - 1] = 0;
  // Qᵀ = H_{n−3}·…·H_0, built right to left: Qᵀ ← Qᵀ·H_k touches rows and columns ≥ k+1 only.
  const Qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Qt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const s = k + 1;
    const vo = k * n;
    for (let r = s; r < n; r++) {
      const or = r * n;
      let acc = 0;
      for (let j = s; j < n; j++) acc += Qt[or + j] * vs[vo + j];
      acc *= beta;
      if (acc === 0) continue;
      for (let j = s; j < n; j++) Qt[or + j] -= acc * vs[vo + j];
    }
  }
  return Qt;
}

/**
 * Implicit QL iterations on the symmetric tridiagonal (d, e), accumulating the Givens rotations into the rows of
 * `Zt`. On return `d` holds the eigenvalues (unsorted) and row i of Zt the eigenvector of d[i].
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, Zt: Float64Array, n: number): void {
  const eps = 2.220446049250313e-16;
  // ‖T‖_∞: the scale of the absolute deflation test, fixed before the iteration (QL preserves the spectrum).
  let anorm = 0;
  for (let i = 0; i < n; i++) anorm = Math.max(anorm, Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  const absTol = eps * anorm;
  const maxIterations = MAX_ITERATIONS_PER_VALUE * Math.max(n, 1);
  let iterations = 0;
  for (let l = 0; l < n; l++) {
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const em = Math.abs(e[m]);
        if (em <= absTol || em <= eps * (Math.abs(d[m]) + Math.abs(d[m + 1]))) {
          e[m] = 0;
          break;
        }
      }
      if (m === l) break;
      if (++iterations > maxIterations) {
        throw new ConvergenceError('symEig', `QL iteration did not converge after ${maxIterations} iterations (eigenvalue ${l} of ${n})`);
      }
      // Shift from the leading 2×2 block at l (closest eigenvalue of that block to d[l]).
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let deflated = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the rotation is trivial; split the problem here and retry.
          d[i + 1] = d[i + 1] - p;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        // Columns i and i+1 of Z are rows i and i+1 of Zt: contiguous.
        const oi = i * n;
        const oj = oi + n;
        for (let k = 0; k < n; k++) {
          const zf = Zt[oj + k];
          const zi = Zt[oi + k];
          Zt[oj + k] = s * zi + c * zf;
          Zt[oi + k] = c * zi - s * zf;
        }
      }
      if (deflated) continue;
      d[l] = d[l] - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
