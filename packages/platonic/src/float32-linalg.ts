/**
 * Float32 linear algebra emulated on the host with `Math.fround`, so the `'float32'` precision mode can reproduce the
 * single-precision columns of the thesis' Table 7.1 without a GPU: products, Householder QR, one-sided Jacobi SVD,
 * pseudo-inverse, Cholesky and triangular solves, every intermediate rounded to float32.
 *
 * Values are stored in float64 {@link Matrix} containers holding float32-representable numbers. Accumulations round
 * after every multiply-add (one rounding per step, as a fused multiply-add unit does), which matches the error
 * growth of a float32 BLAS/LAPACK closely enough to show the same failure modes (see docs/guides/platonic.md).
 */
import { NotPositiveDefiniteError, type Matrix } from '@beyond-backprop/core-linalg';

const f = Math.fround;

/** Machine epsilon of float32, `2⁻²³` (numpy's `finfo(float32).eps`, torch's default tolerance unit). */
export const FLOAT32_EPS = 1.1920928955078125e-7;

/** @internal A copy of `a` with every entry rounded to float32. */
export function roundToFloat32(a: Matrix): Matrix {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i]);
  return { rows: a.rows, cols: a.cols, data: out };
}

/** @internal `op(A)·B` in float32 arithmetic (`op` = transpose with `transposeA`). */
export function matmulF32(a: Matrix, b: Matrix, transposeA = false): Matrix {
  const n = transposeA ? a.cols : a.rows;
  const k = transposeA ? a.rows : a.cols;
  const m = b.cols;
  const A = a.data;
  const B = b.data;
  const out = new Float32Array(n * m);
  if (!transposeA) {
    for (let i = 0; i < n; i++) {
      const ao = i * k;
      const oo = i * m;
      for (let p = 0; p < k; p++) {
        const aip = A[ao + p];
        if (aip === 0) continue;
        const bo = p * m;
        // Float32Array stores round once per multiply-add.
        for (let j = 0; j < m; j++) out[oo + j] += aip * B[bo + j];
      }
    }
  } else {
    for (let p = 0; p < k; p++) {
      const ao = p * n;
      const bo = p * m;
      for (let i = 0; i < n; i++) {
        const api = A[ao + i];
        if (api === 0) continue;
        const oo = i * m;
        for (let j = 0; j < m; j++) out[oo + j] += api * B[bo + j];
      }
    }
  }
  return { rows: n, cols: m, data: Float64Array.from(out) };
}

/** @internal `AᵀA + shift·D` in float32 arithmetic, `D` the diagonal `diag` (or the identity). */
export function gramF32(a: Matrix, shift = 0, diag?: Float64Array): Matrix {
  const g = matmulF32(a, a, true);
  const p = a.cols;
  for (let i = 0; i < p; i++) g.data[i * p + i] = f(g.data[i * p + i] + shift * (diag ? diag[i] : 1));
  return g;
}

/** @internal Thin Householder QR in float32: `Q: m × n`, `R: n × n` (requires m ≥ n). */
export function qrF32(a: Matrix): { q: Matrix; r: Matrix } {
  const m = a.rows;
  const n = a.cols;
  const R = Float32Array.from(a.data);
  const vs: Float32Array[] = [];
  const betas = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const len = m - j;
    const v = new Float32Array(len);
    let norm2 = 0;
    for (let i = 0; i < len; i++) {
      const x = R[(j + i) * n + j];
      v[i] = x;
      norm2 = f(norm2 + x * x);
    }
    const norm = f(Math.sqrt(norm2));
    if (norm === 0 || len === 1) {
      vs.push(v.fill(0));
      betas[j] = 0;
      continue;
    }
    const alpha = v[0] >= 0 ? -norm : norm;
    v[0] = v[0] - alpha;
    let vnorm2 = 0;
    for (let i = 0; i < len; i++) vnorm2 = f(vnorm2 + v[i] * v[i]);
    const beta = f(2 / vnorm2);
    betas[j] = beta;
    vs.push(v);
    for (let c = j; c < n; c++) {
      let s = 0;
      for (let i = 0; i < len; i++) s = f(s + v[i] * R[(j + i) * n + c]);
      s = f(s * beta);
      for (let i = 0; i < len; i++) R[(j + i) * n + c] = R[(j + i) * n + c] - s * v[i];
    }
  }
  // Q = H_0 · H_1 ⋯ H_{n-1} applied to the first n columns of the identity, back to front.
  const Q = new Float32Array(m * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  for (let j = n - 1; j >= 0; j--) {
    const v = vs[j];
    const beta = betas[j];
    if (beta === 0) continue;
    const len = m - j;
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let i = 0; i < len; i++) s = f(s + v[i] * Q[(j + i) * n + c]);
      s = f(s * beta);
      if (s === 0) continue;
      for (let i = 0; i < len; i++) Q[(j + i) * n + c] = Q[(j + i) * n + c] - s * v[i];
    }
  }
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let c = i; c < n; c++) r[i * n + c] = R[i * n + c];
  return { q: { rows: m, cols: n, data: Float64Array.from(Q) }, r: { rows: n, cols: n, data: r } };
}

/** @internal Lower Cholesky factor in float32; a non-positive pivot throws, as float32 LAPACK reports "singular". */
export function choleskyF32(k: Matrix, fn: string, argument: string): Matrix {
  const n = k.rows;
  const K = k.data;
  const L = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = K[j * n + j];
    for (let p = 0; p < j; p++) d = f(d - L[j * n + p] * L[j * n + p]);
    if (!(d > 0)) throw new NotPositiveDefiniteError(fn, argument, j, d);
    const ljj = f(Math.sqrt(d));
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = K[i * n + j];
      for (let p = 0; p < j; p++) s = f(s - L[i * n + p] * L[j * n + p]);
      L[i * n + j] = s / ljj;
    }
  }
  return { rows: n, cols: n, data: Float64Array.from(L) };
}

/**
 * @internal Solves `op(T)·X = B` in float32 for a triangular `T` (`lower`: read the lower triangle; `transpose`:
 * use `Tᵀ`).
 */
export function solveTriangularF32(t: Matrix, b: Matrix, lower: boolean, transpose: boolean): Matrix {
  const n = t.rows;
  const m = b.cols;
  const T = t.data;
  const X = Float32Array.from(b.data);
  const at = transpose ? (i: number, k: number) => T[k * n + i] : (i: number, k: number) => T[i * n + k];
  const forward = lower !== transpose;
  const order = forward ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: n }, (_, i) => n - 1 - i);
  for (const i of order) {
    const oi = i * m;
    const ks = forward ? { from: 0, to: i } : { from: i + 1, to: n };
    for (let k = ks.from; k < ks.to; k++) {
      const c = at(i, k);
      if (c === 0) continue;
      const ok = k * m;
      for (let j = 0; j < m; j++) X[oi + j] = X[oi + j] - c * X[ok + j];
    }
    const d = at(i, i);
    for (let j = 0; j < m; j++) X[oi + j] = X[oi + j] / d;
  }
  return { rows: n, cols: m, data: Float64Array.from(X) };
}
