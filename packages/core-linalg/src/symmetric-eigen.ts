/**
 * Eigendecomposition of real symmetric matrices: Householder reduction to tridiagonal form, then implicit QL
 * iterations with Wilkinson-style shifts, in float64.
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

const MAX_ITERATIONS_PER_VALUE = 60;

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric `n × n` matrix. Only the lower
 * triangle is read. Cost about 9n³ flops. Used by the PCA variants of Platonic projections (thesis ch. 7).
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
      const v = a.data[i * n + j]!;
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples i and i+1
  const Z = tridiagonalise(A, n, d, e);
  tridiagonalQl(d, e, Z, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x]! - d[y]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src]!;
    for (let r = 0; r < n; r++) vectors[r * n + dst] = Z[r * n + src]!;
  });
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/**
 * Householder reduction `A = Q·T·Qᵀ`. Writes T's diagonal into `d` and off-diagonal into `e`, returns Q (row-major).
 * Each step reflects column k below the subdiagonal to a multiple of e1 and applies the reflector from both sides as
 * the symmetric rank-2 update `A ← A − v·wᵀ − w·vᵀ`.
 */
function tridiagonalise(A: Float64Array, n: number, d: Float64Array, e: Float64Array): Float64Array {
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    const s = k + 1; // first index of the trailing block
    let tail2 = 0;
    for (let i = s + 1; i < n; i++) tail2 += A[i * n + k]! ** 2;
    const x0 = A[s * n + k]!;
    if (tail2 === 0) {
      e[k] = x0;
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tail2);
    const alpha = x0 >= 0 ? -norm : norm;
    v.fill(0);
    v[s] = x0 - alpha;
    for (let i = s + 1; i < n; i++) v[i] = A[i * n + k]!;
    const vnorm2 = v[s]! * v[s]! + tail2;
    const beta = 2 / vnorm2;
    // p = beta·A_sub·v ; K = (beta/2)·(vᵀp) ; w = p − K·v
    let vp = 0;
    for (let i = s; i < n; i++) {
      let acc = 0;
      const oi = i * n;
      for (let j = s; j < n; j++) acc += A[oi + j]! * v[j]!;
      w[i] = beta * acc;
      vp += v[i]! * w[i]!;
    }
    const K = 0.5 * beta * vp;
    for (let i = s; i < n; i++) w[i] = w[i]! - K * v[i]!;
    for (let i = s; i < n; i++) {
      const oi = i * n;
      const vi = v[i]!;
      const wi = w[i]!;
      for (let j = s; j < n; j++) A[oi + j] -= vi * w[j]! + wi * v[j]!;
    }
    e[k] = alpha;
    // Q ← Q·H on columns s..n-1.
    for (let r = 0; r < n; r++) {
      const or = r * n;
      let acc = 0;
      for (let j = s; j < n; j++) acc += Q[or + j]! * v[j]!;
      acc *= beta;
      if (acc === 0) continue;
      for (let j = s; j < n; j++) Q[or + j] -= acc * v[j]!;
    }
  }
  for (let i = 0; i < n; i++) d[i] = A[i * n + i]!;
  if (n >= 2) e[n - 2] = A[(n - 1) * n + (n - 2)]!;
  e[n - 1] = 0;
  return Q;
}

/**
 * Implicit QL iterations on the symmetric tridiagonal (d, e), accumulating the Givens rotations into the columns of
 * Z. On return `d` holds the eigenvalues (unsorted) and column i of Z the eigenvector of d[i].
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, Z: Float64Array, n: number): void {
  const eps = 2.220446049250313e-16;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= eps * dd) break;
      }
      if (m === l) break;
      if (++iterations > MAX_ITERATIONS_PER_VALUE) {
        throw new ConvergenceError('symEig', `QL iteration did not converge for eigenvalue ${l}`);
      }
      // Shift from the leading 2×2 block at l (closest eigenvalue of that block to d[l]).
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let deflated = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the rotation is trivial; split the problem here and retry.
          d[i + 1] = d[i + 1]! - p;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let k = 0; k < n; k++) {
          const ok = k * n;
          const zf = Z[ok + i + 1]!;
          const zi = Z[ok + i]!;
          Z[ok + i + 1] = s * zi + c * zf;
          Z[ok + i] = c * zi - s * zf;
        }
      }
      if (deflated) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
