/**
 * Householder QR factorisation in float64.
 *
 * The factorisation works on a column-major copy of the matrix: every Householder reflector is a contiguous vector
 * and is applied to contiguous columns, four at a time, so each pass over the reflector updates four columns. (The
 * row-major textbook loop reads a column with a stride of `n` doubles and was an order of magnitude slower on tall
 * matrices.) The reflectors are kept in compact LAPACK form (`xGEQRF`), so `Q` can be applied to a small matrix
 * without ever being formed — the SVD uses this to build `U = Q·U_R` directly.
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
 * (R then has (near-)zero diagonal entries; use {@link lstsqF64} or {@link svd} to decide rank). Cost about
 * `2mn² − 2n³/3` flops for `R` plus the same again for the thin `Q`, on contiguous column-major working storage.
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
  const f = householderQr(columnMajor(a.data, m, n), m, n);
  const qCols = complete ? m : k;
  const qc = formQ(f, qCols);
  const rRows = complete ? m : k;
  const rOut = new Float64Array(rRows * n);
  const w = f.w;
  for (let j = 0; j < n; j++) {
    const top = Math.min(j + 1, m);
    const o = j * m;
    for (let i = 0; i < top; i++) rOut[i * n + j] = w[o + i];
  }
  return { q: { rows: m, cols: qCols, data: rowMajor(qc, m, qCols) }, r: { rows: rRows, cols: n, data: rOut } };
}

/**
 * @internal Compact Householder QR of a column-major `m × n` matrix (LAPACK `xGEQRF` storage). `w` holds `R` on and
 * above the diagonal and, below it, the reflector vectors `v_j` with an implicit leading 1, so that
 * `Q = H_0·H_1·…·H_{k−1}`, `H_j = I − tau_j·v_j·v_jᵀ`.
 */
export interface HouseholderQr {
  readonly m: number;
  readonly n: number;
  /** Column-major `m × n`: column `j` is `w[j·m … j·m + m − 1]`. */
  readonly w: Float64Array;
  /** `min(m, n)` reflector scalars (0 for an identity reflector). */
  readonly tau: Float64Array;
}

/** @internal Column-major copy of a row-major `rows × cols` array. */
export function columnMajor(d: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  // Blocked so both the reads and the writes stay within a few cache lines per tile.
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const o = i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = d[o + j];
      }
    }
  }
  return out;
}

/** @internal Row-major copy of a column-major `rows × cols` array (the inverse of {@link columnMajor}). */
export function rowMajor(d: Float64Array, rows: number, cols: number): Float64Array {
  return columnMajor(d, cols, rows);
}

/** `‖x[from … to)‖₂`, rescaling only when the plain sum of squares over- or underflows. */
function norm2(x: Float64Array, from: number, to: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = from;
  for (; i + 1 < to; i += 2) {
    const a = x[i];
    const b = x[i + 1];
    s0 += a * a;
    s1 += b * b;
  }
  if (i < to) s0 += x[i] * x[i];
  const s = s0 + s1;
  if (s < Number.POSITIVE_INFINITY && s > 1e-280) return Math.sqrt(s);
  if (s === 0) {
    // Either all zeros or every square underflowed; tell them apart.
    let any = false;
    for (let p = from; p < to && !any; p++) any = x[p] !== 0;
    if (!any) return 0;
  }
  let scale = 0;
  for (let p = from; p < to; p++) scale = Math.max(scale, Math.abs(x[p]));
  if (scale === 0) return 0;
  let t = 0;
  for (let p = from; p < to; p++) {
    const y = x[p] / scale;
    t += y * y;
  }
  return scale * Math.sqrt(t);
}

/** Panel width of the blocked factorisation and of the blocked `Q` application. */
const NB = 32;

/**
 * @internal Householder QR in place on the column-major `m × n` array `w` (which becomes the compact factor).
 * Each reflector maps column `j` below the diagonal onto `beta·e_1` with `beta = −sign(x_0)·‖x‖`, so `v_0 = 1` never
 * suffers cancellation. Blocked as in LAPACK `xGEQRF`: a panel of {@link NB} columns is factorised column by column,
 * then applied to the trailing columns at once as `I − V·Tᵀ·Vᵀ` (compact WY), which turns the bulk of the work into
 * two register-blocked matrix products that stream each trailing column through cache once per panel instead of once
 * per reflector.
 */
export function householderQr(w: Float64Array, m: number, n: number): HouseholderQr {
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  const f: HouseholderQr = { m, n, w, tau };
  const work = new BlockWork(m, Math.max(n, 1));
  for (let j0 = 0; j0 < k; j0 += NB) {
    const nb = Math.min(NB, k - j0);
    const pend = j0 + nb;
    for (let j = j0; j < pend; j++) {
      makeReflector(w, m, j, tau);
      if (tau[j] !== 0) applyReflector(w, m, j, j * m, tau[j], w, j + 1, pend);
    }
    if (pend < n) applyBlock(f, j0, nb, w, pend, n, true, work);
  }
  return f;
}

/** Computes reflector `j` from column `j` of `w` (rows `j…m−1`), storing `v` below the diagonal and `beta` on it. */
function makeReflector(w: Float64Array, m: number, j: number, tau: Float64Array): void {
  const oj = j * m;
  const alpha = w[oj + j];
  const xnorm = norm2(w, oj + j + 1, oj + m);
  if (xnorm === 0) return; // H_j = I (already reduced, or a length-1 column)
  let beta = Math.hypot(alpha, xnorm);
  if (alpha >= 0) beta = -beta;
  // beta has the opposite sign of alpha, so |alpha − beta| = |alpha| + ‖x‖ ≥ ‖x‖ > 0: no cancellation.
  const inv = 1 / (alpha - beta);
  if (!(Math.abs(inv) < Number.POSITIVE_INFINITY)) return; // ‖x‖ subnormal: treat the column as reduced
  for (let i = oj + j + 1; i < oj + m; i++) w[i] = w[i] * inv;
  tau[j] = (beta - alpha) / beta;
  w[oj + j] = beta;
}

/**
 * `C ← (I − t·v·vᵀ)·C` on columns `c0 … c1−1` of the column-major `m`-row array `c`, where `v` is stored in `vs` at
 * offset `vo` with an implicit 1 at row `j` and entries at rows `j+1 … m−1` (`vs[vo + i]` for row `i`). Only rows
 * `j … m−1` of C are touched. Four columns per pass over `v`.
 */
function applyReflector(vs: Float64Array, m: number, j: number, vo: number, t: number, c: Float64Array, c0: number, c1: number): void {
  const vb = vo;
  let col = c0;
  for (; col + 3 < c1; col += 4) {
    const o0 = col * m;
    const o1 = o0 + m;
    const o2 = o1 + m;
    const o3 = o2 + m;
    let s0 = c[o0 + j];
    let s1 = c[o1 + j];
    let s2 = c[o2 + j];
    let s3 = c[o3 + j];
    for (let i = j + 1; i < m; i++) {
      const v = vs[vb + i];
      s0 += v * c[o0 + i];
      s1 += v * c[o1 + i];
      s2 += v * c[o2 + i];
      s3 += v * c[o3 + i];
    }
    s0 *= t;
    s1 *= t;
    s2 *= t;
    s3 *= t;
    c[o0 + j] -= s0;
    c[o1 + j] -= s1;
    c[o2 + j] -= s2;
    c[o3 + j] -= s3;
    for (let i = j + 1; i < m; i++) {
      const v = vs[vb + i];
      c[o0 + i] -= s0 * v;
      c[o1 + i] -= s1 * v;
      c[o2 + i] -= s2 * v;
      c[o3 + i] -= s3 * v;
    }
  }
  for (; col < c1; col++) {
    const o = col * m;
    let s = c[o + j];
    for (let i = j + 1; i < m; i++) s += vs[vb + i] * c[o + i];
    s *= t;
    if (s === 0) continue;
    c[o + j] -= s;
    for (let i = j + 1; i < m; i++) c[o + i] -= s * vs[vb + i];
  }
}

/** Scratch buffers for {@link applyBlock}, sized once per factorisation or application. */
class BlockWork {
  /** Dense copy of a panel's reflectors: `len × nb` column-major, explicit unit diagonal and zeros above. */
  readonly v: Float64Array;
  /** `nb × cols` row-major: `Vᵀ·C`, then `op(T)·Vᵀ·C`. */
  readonly w: Float64Array;
  readonly w2: Float64Array;
  readonly t = new Float64Array(NB * NB);
  constructor(m: number, cols: number) {
    this.v = new Float64Array(m * NB);
    this.w = new Float64Array(NB * cols);
    this.w2 = new Float64Array(NB * cols);
  }
}

/**
 * `C ← (I − V·op(T)·Vᵀ)·C` for the panel of reflectors `j0 … j0+nb−1` (`op(T) = Tᵀ` with `transposeT`, giving
 * `H_{j0+nb−1}·…·H_{j0}`, i.e. the panel's `Qᵀ`; `T` otherwise, the panel's `Q`) on columns `c0 … c1−1` of the
 * column-major `m`-row array `c`, rows `j0 … m−1`.
 */
function applyBlock(f: HouseholderQr, j0: number, nb: number, c: Float64Array, c0: number, c1: number, transposeT: boolean, work: BlockWork): void {
  const { m, w, tau } = f;
  const len = m - j0;
  const nc = c1 - c0;
  if (nc <= 0) return;
  const V = work.v;
  // Dense V: column k has zeros above local row k, 1 on it, and the stored reflector below.
  for (let k = 0; k < nb; k++) {
    const vo = k * len;
    const so = (j0 + k) * m + j0;
    for (let i = 0; i < k; i++) V[vo + i] = 0;
    V[vo + k] = 1;
    for (let i = k + 1; i < len; i++) V[vo + i] = w[so + i];
  }
  const T = work.t;
  blockT(V, len, nb, tau, j0, T);
  const W = work.w;
  // W = Vᵀ·C (nb × nc, row-major).
  vtc(V, len, nb, c, m, j0, c0, nc, W);
  // W ← op(T)·W with T upper triangular (nb × nb, row-major).
  const W2 = work.w2;
  for (let i = 0; i < nb; i++) {
    const oi = i * nc;
    for (let col = 0; col < nc; col++) W2[oi + col] = 0;
    if (transposeT) {
      // (Tᵀ·W)_i = Σ_{p ≤ i} T[p][i]·W_p
      for (let p = 0; p <= i; p++) {
        const tpi = T[p * NB + i];
        if (tpi === 0) continue;
        const op = p * nc;
        for (let col = 0; col < nc; col++) W2[oi + col] += tpi * W[op + col];
      }
    } else {
      for (let p = i; p < nb; p++) {
        const tip = T[i * NB + p];
        if (tip === 0) continue;
        const op = p * nc;
        for (let col = 0; col < nc; col++) W2[oi + col] += tip * W[op + col];
      }
    }
  }
  // C −= V·W2.
  cMinusVw(V, len, nb, W2, c, m, j0, c0, nc);
}

/**
 * The upper-triangular `T` of the compact WY form `H_0·…·H_{nb−1} = I − V·T·Vᵀ` (LAPACK `xLARFT`, forward,
 * columnwise), into `T` with row stride {@link NB}.
 */
function blockT(V: Float64Array, len: number, nb: number, tau: Float64Array, j0: number, T: Float64Array): void {
  const z = new Float64Array(nb);
  for (let i = 0; i < nb; i++) {
    const ti = tau[j0 + i];
    for (let p = 0; p < nb; p++) T[p * NB + i] = 0;
    T[i * NB + i] = ti;
    if (ti === 0 || i === 0) continue;
    // z = −tau_i·V[:, 0:i]ᵀ·v_i, over the rows where v_i is non-zero.
    const vi = i * len;
    for (let p = 0; p < i; p++) {
      const vp = p * len;
      let s = 0;
      for (let r = i; r < len; r++) s += V[vp + r] * V[vi + r];
      z[p] = -ti * s;
    }
    // T[0:i, i] = T[0:i, 0:i]·z (upper triangular).
    for (let p = 0; p < i; p++) {
      let s = 0;
      for (let q = p; q < i; q++) s += T[p * NB + q] * z[q];
      T[p * NB + i] = s;
    }
  }
}

/** `W = Vᵀ·C[r0:, c0:c0+nc]` (`nb × nc` row-major) for dense column-major `V: len × nb`; 4 reflectors × 2 columns. */
function vtc(V: Float64Array, len: number, nb: number, c: Float64Array, ldc: number, r0: number, c0: number, nc: number, W: Float64Array): void {
  let col = 0;
  for (; col + 1 < nc; col += 2) {
    const ca = (c0 + col) * ldc + r0;
    const cb = ca + ldc;
    let k = 0;
    for (; k + 3 < nb; k += 4) {
      const v0 = k * len;
      const v1 = v0 + len;
      const v2 = v1 + len;
      const v3 = v2 + len;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      // Rows above k are zero in all four reflectors.
      for (let i = k; i < len; i++) {
        const x = c[ca + i];
        const y = c[cb + i];
        const p0 = V[v0 + i];
        const p1 = V[v1 + i];
        const p2 = V[v2 + i];
        const p3 = V[v3 + i];
        a0 += p0 * x;
        a1 += p1 * x;
        a2 += p2 * x;
        a3 += p3 * x;
        b0 += p0 * y;
        b1 += p1 * y;
        b2 += p2 * y;
        b3 += p3 * y;
      }
      W[k * nc + col] = a0;
      W[(k + 1) * nc + col] = a1;
      W[(k + 2) * nc + col] = a2;
      W[(k + 3) * nc + col] = a3;
      W[k * nc + col + 1] = b0;
      W[(k + 1) * nc + col + 1] = b1;
      W[(k + 2) * nc + col + 1] = b2;
      W[(k + 3) * nc + col + 1] = b3;
    }
    for (; k < nb; k++) {
      const v0 = k * len;
      let a0 = 0;
      let b0 = 0;
      for (let i = k; i < len; i++) {
        const p0 = V[v0 + i];
        a0 += p0 * c[ca + i];
        b0 += p0 * c[cb + i];
      }
      W[k * nc + col] = a0;
      W[k * nc + col + 1] = b0;
    }
  }
  for (; col < nc; col++) {
    const ca = (c0 + col) * ldc + r0;
    for (let k = 0; k < nb; k++) {
      const v0 = k * len;
      let a0 = 0;
      for (let i = k; i < len; i++) a0 += V[v0 + i] * c[ca + i];
      W[k * nc + col] = a0;
    }
  }
}

/** `C[r0:, c0:c0+nc] −= V·W` for dense column-major `V: len × nb` and row-major `W: nb × nc`; 4 reflectors × 2 columns. */
function cMinusVw(V: Float64Array, len: number, nb: number, W: Float64Array, c: Float64Array, ldc: number, r0: number, c0: number, nc: number): void {
  let col = 0;
  for (; col + 1 < nc; col += 2) {
    const ca = (c0 + col) * ldc + r0;
    const cb = ca + ldc;
    let k = 0;
    for (; k + 3 < nb; k += 4) {
      const v0 = k * len;
      const v1 = v0 + len;
      const v2 = v1 + len;
      const v3 = v2 + len;
      const a0 = W[k * nc + col];
      const a1 = W[(k + 1) * nc + col];
      const a2 = W[(k + 2) * nc + col];
      const a3 = W[(k + 3) * nc + col];
      const b0 = W[k * nc + col + 1];
      const b1 = W[(k + 1) * nc + col + 1];
      const b2 = W[(k + 2) * nc + col + 1];
      const b3 = W[(k + 3) * nc + col + 1];
      for (let i = k; i < len; i++) {
        const p0 = V[v0 + i];
        const p1 = V[v1 + i];
        const p2 = V[v2 + i];
        const p3 = V[v3 + i];
        c[ca + i] -= p0 * a0 + p1 * a1 + p2 * a2 + p3 * a3;
        c[cb + i] -= p0 * b0 + p1 * b1 + p2 * b2 + p3 * b3;
      }
    }
    for (; k < nb; k++) {
      const v0 = k * len;
      const a0 = W[k * nc + col];
      const b0 = W[k * nc + col + 1];
      for (let i = k; i < len; i++) {
        const p0 = V[v0 + i];
        c[ca + i] -= p0 * a0;
        c[cb + i] -= p0 * b0;
      }
    }
  }
  for (; col < nc; col++) {
    const ca = (c0 + col) * ldc + r0;
    for (let k = 0; k < nb; k++) {
      const v0 = k * len;
      const a0 = W[k * nc + col];
      if (a0 === 0) continue;
      for (let i = k; i < len; i++) c[ca + i] -= V[v0 + i] * a0;
    }
  }
}

/** @internal The first `cols` columns of `Q` (column-major `m × cols`), accumulated backwards as in `xORGQR`. */
export function formQ(f: HouseholderQr, cols: number): Float64Array {
  const { m, tau } = f;
  const q = new Float64Array(m * cols);
  for (let i = 0; i < Math.min(m, cols); i++) q[i * m + i] = 1;
  const k = tau.length;
  const work = new BlockWork(m, Math.max(cols, 1));
  // Columns c < j0 of the partial product are still e_c, which the reflectors of panels ≥ j0 (rows ≥ j0) leave alone.
  for (let j0 = Math.floor((k - 1) / NB) * NB; j0 >= 0; j0 -= NB) {
    const nb = Math.min(NB, k - j0);
    if (j0 < cols) applyBlock(f, j0, nb, q, j0, cols, false, work);
  }
  return q;
}

/**
 * @internal `C ← Q·C` (or `Qᵀ·C` with `transpose`) for a column-major `m × p` array `c`, applying the reflectors
 * panel by panel without forming `Q` (`xORMQR`).
 */
export function applyQ(f: HouseholderQr, c: Float64Array, p: number, transpose: boolean): void {
  const k = f.tau.length;
  if (k === 0 || p === 0) return;
  const work = new BlockWork(f.m, p);
  if (transpose) {
    for (let j0 = 0; j0 < k; j0 += NB) applyBlock(f, j0, Math.min(NB, k - j0), c, 0, p, true, work);
  } else {
    for (let j0 = Math.floor((k - 1) / NB) * NB; j0 >= 0; j0 -= NB) applyBlock(f, j0, Math.min(NB, k - j0), c, 0, p, false, work);
  }
}

/** @internal A {@link HouseholderQr} of `A·P`, with the column permutation: column `j` of `A·P` is column `perm[j]` of A. */
export interface PivotedHouseholderQr extends HouseholderQr {
  readonly perm: Int32Array;
}

/**
 * @internal Householder QR with column pivoting (LAPACK `xGEQP2`) in place on a column-major `m × n` array: at step
 * `j` the remaining column of largest norm is moved to position `j`, so `|R_00| ≥ |R_11| ≥ …` and the rows of R are
 * graded. Partial column norms are downdated and recomputed when cancellation has eaten half their digits
 * (`xLAQP2`'s `√ε` test). Unblocked: used on the small triangular factor only.
 */
export function pivotedHouseholderQr(w: Float64Array, m: number, n: number): PivotedHouseholderQr {
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  const perm = new Int32Array(n);
  const partial = new Float64Array(n);
  const exact = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    perm[c] = c;
    partial[c] = exact[c] = norm2(w, c * m, c * m + m);
  }
  const tol3z = Math.sqrt(2.220446049250313e-16);
  for (let j = 0; j < k; j++) {
    let piv = j;
    for (let c = j + 1; c < n; c++) if (partial[c] > partial[piv]) piv = c;
    if (piv !== j) {
      const oj = j * m;
      const op = piv * m;
      for (let i = 0; i < m; i++) {
        const t = w[oj + i];
        w[oj + i] = w[op + i];
        w[op + i] = t;
      }
      const pj = perm[j];
      perm[j] = perm[piv];
      perm[piv] = pj;
      partial[piv] = partial[j];
      exact[piv] = exact[j];
    }
    makeReflector(w, m, j, tau);
    if (tau[j] !== 0) applyReflector(w, m, j, j * m, tau[j], w, j + 1, n);
    for (let c = j + 1; c < n; c++) {
      const pc = partial[c];
      if (pc === 0) continue;
      const ratio = Math.abs(w[c * m + j]) / pc;
      const temp = Math.max(0, 1 - ratio * ratio);
      const rel = exact[c] === 0 ? 0 : pc / exact[c];
      if (temp * rel * rel <= tol3z) {
        const fresh = norm2(w, c * m + j + 1, c * m + m);
        partial[c] = fresh;
        exact[c] = fresh;
      } else {
        partial[c] = pc * Math.sqrt(temp);
      }
    }
  }
  return { m, n, w, tau, perm };
}
