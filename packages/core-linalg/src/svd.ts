/**
 * Singular value decomposition by one-sided (Hestenes) Jacobi rotations on a QR-preconditioned triangle, in float64.
 *
 * Jacobi SVD computes small singular values to high *relative* accuracy, which matters here: the pseudo-inverse and
 * least-squares kernels decide numerical rank from them (Hilbert matrices, exactly rank-deficient activations).
 *
 * The algorithm follows Drmač & Veselić's preconditioned Jacobi SVD (LAPACK `xGEJSV`/`xGESVJ`):
 *
 * 1. Orient the matrix so that it is tall (`M = A`, or `M = Aᵀ` when A is wide) and reduce it by blocked Householder
 *    QR, `M = Q·R` — always, even when M is square, so the rotations act on a `k × k` triangle (`k = min(m, n)`).
 * 2. Pivoted QR of the triangle, `R·P = Q₂·R₂`: the rows of R₂ are graded by size, and one-sided Jacobi applied to
 *    the columns of `R₂ᵀ` then converges in a few sweeps (a handful of rotations per pair on the layer matrices of
 *    closed-form fits, instead of ten or more sweeps on R itself).
 * 3. Rotate pairs of columns of `X = R₂ᵀ` until every pair is numerically orthogonal under LAPACK's stopping rule
 *    `|x_pᵀx_q| ≤ √k·ε·‖x_p‖·‖x_q‖`; pairs involving a column of norm `≤ √k·ε·max‖x‖` (noise from an exact rank
 *    deficiency) are skipped. (A test with `ε` alone never converges on nearly rank-deficient inputs: the rounding
 *    error of the inner product itself exceeds it.) Squared column norms are carried through each rotation, so a
 *    pair test costs one dot product.
 * 4. `X·L = U_x·S` gives `R₂ = L·S·U_xᵀ`, hence `M = (Q·Q₂·L)·S·(P·U_x)ᵀ`. `Q·Q₂·L` is formed by applying the stored
 *    reflectors to L, never by forming Q.
 */
import { ConvergenceError } from './errors.js';
import { checkMatrix, type Matrix } from './matrix.js';
import { applyQ, columnMajor, householderQr, pivotedHouseholderQr, rowMajor, type HouseholderQr } from './qr.js';

/** Result of {@link svd}: `A = U·diag(s)·Vᵀ`. */
export interface SvdResult {
  /** `m × k` left singular vectors (orthonormal columns), `k = min(m, n)`. */
  u: Matrix;
  /** The `k` singular values, descending, non-negative. */
  s: Float64Array;
  /** `n × k` right singular vectors (orthonormal columns). */
  v: Matrix;
}

const EPS = 2.220446049250313e-16;
/** Sweeps before giving up. Preconditioned Jacobi converges quadratically; layer matrices take 5–10 sweeps. */
const MAX_SWEEPS = 60;

/**
 * Thin SVD of an `m × n` matrix: `A = U·diag(s)·Vᵀ` with `U: m × k`, `s: k`, `V: n × k`, `k = min(m, n)`, singular
 * values in descending order. For rank-deficient input the singular vectors belonging to (numerically) zero singular
 * values are completed to an orthonormal set.
 *
 * Method: blocked Householder QR of A (of Aᵀ when `n > m`), pivoted QR of the `k × k` triangle, then one-sided
 * Jacobi with LAPACK's `√k·ε` stopping rule (see the module notes). Small singular values keep high relative
 * accuracy; the reconstruction `‖A − U·diag(s)·Vᵀ‖` and the orthogonality of U and V are at the `√k·ε` level.
 * Cost `O(max(m,n)·k²)` for the QR steps plus a few `k³` Jacobi sweeps: a 5000 × 257 matrix takes well under a
 * second. Throws {@link ConvergenceError} only if the sweeps fail to converge (not observed; a last resort).
 *
 * @example
 * ```ts
 * const { u, s, v } = svd(fromRows([[3, 0], [4, 5]]));   // s ≈ [6.708, 2.236]
 * ```
 */
export function svd(a: Matrix): SvdResult {
  checkMatrix('svd', 'A', a);
  return svdUnchecked(a);
}

/** @internal */
export function svdUnchecked(a: Matrix): SvdResult {
  const f = svdFactors(a);
  return { u: f.u(), s: f.s, v: f.v() };
}

/**
 * @internal The SVD of an `m × n` matrix A kept in factored form. With `M = A` (`m ≥ n`) or `M = Aᵀ` (`transposed`),
 * `M = Q·[B; 0]·diag(s)·Cᵀ` where Q is the implicit Householder factor of M, `B = Q₂·L` and `C = P·U_x` are `k × k`.
 * Products with the pseudo-inverse apply Q's reflectors to thin blocks instead of forming the `max(m,n) × k`
 * singular-vector matrix.
 */
export class SvdFactors {
  constructor(
    /** Rows of A. */
    readonly rows: number,
    /** Columns of A. */
    readonly cols: number,
    /** Whether the factorisation is of `Aᵀ` (A wide). */
    readonly transposed: boolean,
    /** Householder QR of M (`big × k`). */
    private readonly qr: HouseholderQr,
    /** Singular values, descending. */
    readonly s: Float64Array,
    /** `B = Q₂·L`, `k × k` column-major: left singular vectors of M's triangle. */
    private readonly b: Float64Array,
    /** `C = P·U_x`, `k × k` column-major: right singular vectors of M. */
    private readonly c: Float64Array,
  ) {}

  /** `k = min(m, n)`. */
  get k(): number {
    return this.s.length;
  }

  /** `Q·[B; 0]` as a column-major `big × k` array: M's left singular vectors. */
  private mLeft(): Float64Array {
    const k = this.k;
    const big = this.qr.m;
    const out = new Float64Array(big * k);
    for (let j = 0; j < k; j++) out.set(this.b.subarray(j * k, j * k + k), j * big);
    applyQ(this.qr, out, k, false);
    return out;
  }

  /** Left singular vectors of A, `m × k` row-major. */
  u(): Matrix {
    const k = this.k;
    if (this.transposed) return { rows: this.rows, cols: k, data: rowMajor(this.c, k, k) };
    return { rows: this.rows, cols: k, data: rowMajor(this.mLeft(), this.rows, k) };
  }

  /** Right singular vectors of A, `n × k` row-major. */
  v(): Matrix {
    const k = this.k;
    if (this.transposed) return { rows: this.cols, cols: k, data: rowMajor(this.mLeft(), this.cols, k) };
    return { rows: this.cols, cols: k, data: rowMajor(this.c, k, k) };
  }

  /** Indices of the singular values above `cutoff` (a prefix, as `s` is descending). */
  private kept(cutoff: number): number {
    let r = 0;
    while (r < this.k && this.s[r] > cutoff) r++;
    return r;
  }

  /**
   * The pseudo-inverse over singular values `> cutoff`, `n × m` row-major, and that rank. `M⁺ᵀ = Q·[B·S⁻¹·Cᵀ; 0]`
   * costs one application of Q to a `big × k` block and a `k³` product.
   */
  pinv(cutoff: number): { pinv: Matrix; rank: number } {
    const k = this.k;
    const big = this.qr.m;
    const r = this.kept(cutoff);
    const { b, c, s } = this;
    // Y = B_r·S_r⁻¹·C_rᵀ (k × k), written into the top of a column-major big × k block.
    const z = new Float64Array(big * k);
    const bs = new Float64Array(k * r);
    for (let j = 0; j < r; j++) {
      const inv = 1 / s[j];
      for (let i = 0; i < k; i++) bs[j * k + i] = b[j * k + i] * inv;
    }
    for (let col = 0; col < k; col++) {
      const o = col * big;
      for (let j = 0; j < r; j++) {
        const cj = c[j * k + col];
        if (cj === 0) continue;
        const bo = j * k;
        for (let i = 0; i < k; i++) z[o + i] += bs[bo + i] * cj;
      }
    }
    applyQ(this.qr, z, k, false);
    // z is M⁺ᵀ column-major (big × k), i.e. M⁺ (k × big) row-major.
    if (!this.transposed) return { pinv: { rows: this.cols, cols: this.rows, data: z }, rank: r };
    // A = Mᵀ: A⁺ = (M⁺)ᵀ = M⁺ᵀ, big × k row-major.
    return { pinv: { rows: this.cols, cols: this.rows, data: rowMajor(z, big, k) }, rank: r };
  }

  /** The minimum-norm least-squares solution `A⁺·B` (`n × p` row-major) over singular values `> cutoff`. */
  solve(bm: Matrix, cutoff: number): { x: Matrix; rank: number } {
    const k = this.k;
    const big = this.qr.m;
    const p = bm.cols;
    const r = this.kept(cutoff);
    const { b, c, s } = this;
    if (!this.transposed) {
      // X = C_r·S_r⁻¹·B_rᵀ·(Qᵀ·B)_top
      const qb = columnMajor(bm.data, big, p);
      applyQ(this.qr, qb, p, true);
      const w = new Float64Array(r * p); // row-major r × p
      for (let j = 0; j < r; j++) {
        const inv = 1 / s[j];
        const bo = j * k;
        for (let col = 0; col < p; col++) {
          const o = col * big;
          let acc = 0;
          for (let i = 0; i < k; i++) acc += b[bo + i] * qb[o + i];
          w[j * p + col] = acc * inv;
        }
      }
      const x = new Float64Array(k * p);
      for (let j = 0; j < r; j++) {
        const co = j * k;
        const wo = j * p;
        for (let i = 0; i < k; i++) {
          const cij = c[co + i];
          if (cij === 0) continue;
          const xo = i * p;
          for (let col = 0; col < p; col++) x[xo + col] += cij * w[wo + col];
        }
      }
      return { x: { rows: this.cols, cols: p, data: x }, rank: r };
    }
    // A = Mᵀ: X = Q·[B_r·S_r⁻¹·C_rᵀ·B; 0]
    const w = new Float64Array(r * p);
    for (let j = 0; j < r; j++) {
      const inv = 1 / s[j];
      const co = j * k;
      for (let i = 0; i < k; i++) {
        const cij = c[co + i] * inv;
        if (cij === 0) continue;
        const bo = i * p;
        for (let col = 0; col < p; col++) w[j * p + col] += cij * bm.data[bo + col];
      }
    }
    const z = new Float64Array(big * p);
    for (let col = 0; col < p; col++) {
      const o = col * big;
      for (let j = 0; j < r; j++) {
        const wj = w[j * p + col];
        if (wj === 0) continue;
        const bo = j * k;
        for (let i = 0; i < k; i++) z[o + i] += b[bo + i] * wj;
      }
    }
    applyQ(this.qr, z, p, false);
    return { x: { rows: this.cols, cols: p, data: rowMajor(z, big, p) }, rank: r };
  }
}

/** @internal Factored SVD of `a` (see {@link SvdFactors}); `a` must already be validated. */
export function svdFactors(a: Matrix): SvdFactors {
  const m = a.rows;
  const n = a.cols;
  const transposed = m < n;
  const big = transposed ? n : m;
  const k = transposed ? m : n;
  // Column-major M: for a wide A, A's row-major data already is Aᵀ in column-major order.
  const w = transposed ? a.data.slice() : columnMajor(a.data, m, n);
  // Squared norms must neither overflow nor underflow: rescale by a power of two when the entries are extreme.
  let amax = 0;
  for (let i = 0; i < w.length; i++) {
    const x = Math.abs(w[i]);
    if (x > amax) amax = x;
  }
  let scale = 1;
  if (amax > 0 && (amax > 1e120 || amax < 1e-120)) {
    scale = 2 ** -Math.round(Math.log2(amax));
    for (let i = 0; i < w.length; i++) w[i] = w[i] * scale;
  }
  const qr = householderQr(w, big, k);
  // The k × k triangle R, column-major, then its pivoted QR.
  const r = new Float64Array(k * k);
  for (let j = 0; j < k; j++) for (let i = 0; i <= j; i++) r[j * k + i] = w[j * big + i];
  const qr2 = pivotedHouseholderQr(r, k, k);
  // X = R₂ᵀ, column-major: column c of X is row c of R₂.
  const x = new Float64Array(k * k);
  for (let j = 0; j < k; j++) for (let i = 0; i <= j; i++) x[i * k + j] = r[j * k + i];
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) l[i * k + i] = 1;
  const norms = oneSidedJacobi(x, k, k, l);
  // Sort by singular value, normalise the columns of X into U_x and complete the numerically zero ones.
  const order = Array.from({ length: k }, (_, i) => i).sort((p, q) => norms[q] - norms[p] || p - q);
  const s = new Float64Array(k);
  const ux = new Float64Array(k * k);
  const bOut = new Float64Array(k * k);
  let normMax = 0;
  for (let j = 0; j < k; j++) normMax = Math.max(normMax, norms[j]);
  const negligible = negligibleNorm2(normMax, k);
  const slots: number[] = [];
  for (let dst = 0; dst < k; dst++) {
    const src = order[dst];
    const n2 = norms[src];
    const sigma = Math.sqrt(n2);
    s[dst] = sigma / scale;
    bOut.set(l.subarray(src * k, src * k + k), dst * k);
    if (n2 > negligible && sigma > 0) {
      const inv = 1 / sigma;
      for (let i = 0; i < k; i++) ux[dst * k + i] = x[src * k + i] * inv;
    } else {
      slots.push(dst);
    }
  }
  completeOrthonormal(ux, k, k, slots);
  // B = Q₂·L; C = P·U_x (row perm[i] of C is row i of U_x).
  applyQ(qr2, bOut, k, false);
  const c = new Float64Array(k * k);
  const perm = qr2.perm;
  for (let j = 0; j < k; j++) {
    const o = j * k;
    for (let i = 0; i < k; i++) c[o + perm[i]] = ux[o + i];
  }
  return new SvdFactors(m, n, transposed, qr, s, bOut, c);
}

/** Squared column norm at or below which a column of a `rows`-row matrix is rounding noise: `(√rows·ε·max‖x‖)²`. */
function negligibleNorm2(normMax2: number, rows: number): number {
  return normMax2 * rows * EPS * EPS;
}

/**
 * One-sided Jacobi on the column-major `rows × n` array `x`, accumulating the rotations into the columns of the
 * column-major `n × n` array `v`. Returns the final squared column norms. Pairs are visited in row-cyclic order;
 * the squared norms are updated through each rotation (`‖x_p‖² ← ‖x_p‖² − t·γ`, `‖x_q‖² ← ‖x_q‖² + t·γ`) and
 * recomputed at the start of every sweep and whenever an update loses more than half its value to cancellation.
 * A pair found orthogonal stays marked until a rotation touches one of its columns, so later sweeps only re-test
 * pairs that have changed (and the final, confirming sweep costs no inner products at all).
 */
function oneSidedJacobi(x: Float64Array, rows: number, n: number, v: Float64Array): Float64Array {
  const norms = new Float64Array(n);
  const tol = Math.sqrt(rows) * EPS;
  // clean[p·n + q] (p < q): the pair passed the orthogonality test and neither column has been rotated since.
  const clean = new Uint8Array(n * n);
  for (let sweep = 0; ; sweep++) {
    let normMax = 0;
    for (let j = 0; j < n; j++) {
      norms[j] = dotSelf(x, j * rows, rows);
      normMax = Math.max(normMax, norms[j]);
    }
    if (sweep === MAX_SWEEPS) break;
    const negligible = negligibleNorm2(normMax, rows);
    let rotations = 0;
    for (let p = 0; p < n - 1; p++) {
      const op = p * rows;
      const cp = p * n;
      for (let q = p + 1; q < n; q++) {
        if (clean[cp + q] === 1) continue;
        const alpha = norms[p];
        if (alpha <= negligible) break;
        const beta = norms[q];
        if (beta <= negligible) continue;
        const oq = q * rows;
        let g0 = 0;
        let g1 = 0;
        let i = 0;
        for (; i + 1 < rows; i += 2) {
          g0 += x[op + i] * x[oq + i];
          g1 += x[op + i + 1] * x[oq + i + 1];
        }
        if (i < rows) g0 += x[op + i] * x[oq + i];
        const gamma = g0 + g1;
        if (!(Math.abs(gamma) > tol * Math.sqrt(alpha) * Math.sqrt(beta))) {
          clean[cp + q] = 1;
          continue;
        }
        rotations++;
        // Rotation that orthogonalises columns p and q: tan(2θ) = 2γ / (β − α), smaller root.
        const zeta = (beta - alpha) / (2 * gamma);
        const az = Math.abs(zeta);
        const t = az > 1e150 ? 0.5 / zeta : (zeta >= 0 ? 1 : -1) / (az + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        rotate(x, op, oq, rows, cs, sn);
        rotate(v, p * n, q * n, n, cs, sn);
        let na = alpha - t * gamma;
        let nb = beta + t * gamma;
        if (!(na > 0.5 * alpha)) na = dotSelf(x, op, rows);
        if (!(nb > 0.5 * beta)) nb = dotSelf(x, oq, rows);
        norms[p] = na;
        norms[q] = nb;
        markDirty(clean, n, p);
        markDirty(clean, n, q);
      }
    }
    if (rotations === 0) return norms;
  }
  throw new ConvergenceError('svd', `one-sided Jacobi did not converge in ${MAX_SWEEPS} sweeps on a ${rows} × ${n} triangle`);
}

/** Clears the clean marks of every pair involving column `c`. */
function markDirty(clean: Uint8Array, n: number, c: number): void {
  clean.fill(0, c * n + c + 1, c * n + n);
  for (let r = 0, o = c; r < c; r++, o += n) clean[o] = 0;
}

function dotSelf(x: Float64Array, o: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const a = x[o + i];
    const b = x[o + i + 1];
    s0 += a * a;
    s1 += b * b;
  }
  if (i < len) s0 += x[o + i] * x[o + i];
  return s0 + s1;
}

/** `[x_p, x_q] ← [c·x_p − s·x_q, s·x_p + c·x_q]` on contiguous columns at offsets `op`, `oq`. */
function rotate(x: Float64Array, op: number, oq: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const a = x[op + i];
    const b = x[oq + i];
    x[op + i] = c * a - s * b;
    x[oq + i] = s * a + c * b;
  }
}

/**
 * Fills the listed column slots of a column-contiguous `len × count` basis with orthonormal vectors orthogonal to
 * all other columns: the trailing columns of the Householder `Q` of the filled columns span their orthogonal
 * complement (one blocked QR instead of a Gram–Schmidt pass per slot).
 */
function completeOrthonormal(cols: Float64Array, len: number, count: number, slots: number[]): void {
  if (slots.length === 0) return;
  const isSlot = new Uint8Array(count);
  for (const s of slots) isSlot[s] = 1;
  const filled: number[] = [];
  for (let j = 0; j < count; j++) if (!isSlot[j]) filled.push(j);
  const r = filled.length;
  const f = new Float64Array(len * r);
  filled.forEach((j, c) => f.set(cols.subarray(j * len, j * len + len), c * len));
  const qr = householderQr(f, len, r);
  const ns = slots.length;
  const comp = new Float64Array(len * ns);
  for (let j = 0; j < ns; j++) comp[j * len + r + j] = 1;
  applyQ(qr, comp, ns, false);
  slots.forEach((slot, j) => cols.set(comp.subarray(j * len, j * len + len), slot * len));
}
