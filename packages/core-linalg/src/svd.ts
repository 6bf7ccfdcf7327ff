/**
 * Singular value decomposition by one-sided (Hestenes) Jacobi rotations, in float64.
 *
 * Jacobi SVD computes small singular values to high *relative* accuracy, which matters here: the pseudo-inverse and
 * least-squares kernels decide numerical rank from them (Hilbert matrices, exactly rank-deficient activations).
 * Tall inputs are first reduced by QR so the rotations act on a square triangle.
 */
import { ConvergenceError, InvalidArgumentError } from './errors.js';
import { checkMatrix, matmulF64, type Matrix } from './matrix.js';
import { qrUnchecked } from './qr.js';

/** Result of {@link svd}: `A = U·diag(s)·Vᵀ`. */
export interface SvdResult {
  /** `m × k` left singular vectors (orthonormal columns), `k = min(m, n)`. */
  u: Matrix;
  /** The `k` singular values, descending, non-negative. */
  s: Float64Array;
  /** `n × k` right singular vectors (orthonormal columns). */
  v: Matrix;
}

const MAX_SWEEPS = 80;

/**
 * Thin SVD of an `m × n` matrix: `A = U·diag(s)·Vᵀ` with `U: m × k`, `s: k`, `V: n × k`, `k = min(m, n)`, singular
 * values in descending order. For rank-deficient input the columns of `U` belonging to zero singular values are
 * completed to an orthonormal set.
 *
 * Cost is O(m·n² + sweeps·k³); it suits matrices up to a few hundred columns.
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
  const m = a.rows;
  const n = a.cols;
  if (m < n) {
    // Work on Aᵀ = V·S·Uᵀ so the rotations always act on the shorter side.
    const t = transposeData(a.data, m, n);
    const r = svdTall({ rows: n, cols: m, data: t });
    return { u: r.v, s: r.s, v: r.u };
  }
  return svdTall(a);
}

function transposeData(d: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = d[i * cols + j]!;
  return out;
}

/** SVD for m ≥ n. */
function svdTall(a: Matrix): SvdResult {
  const m = a.rows;
  const n = a.cols;
  if (n === 0) return { u: { rows: m, cols: 0, data: new Float64Array(0) }, s: new Float64Array(0), v: { rows: 0, cols: 0, data: new Float64Array(0) } };
  // Reduce a clearly tall matrix to its n × n triangle first: A = Q·R, SVD(R) = Ur·S·Vᵀ, U = Q·Ur.
  let q: Matrix | null = null;
  let work: Float64Array;
  let rows: number;
  if (m > n + (n >> 2)) {
    const f = qrUnchecked(a, false);
    q = f.q;
    work = f.r.data;
    rows = n;
  } else {
    work = a.data;
    rows = m;
  }
  // Columns of the working matrix stored contiguously (i.e. its transpose) so rotations stream through memory.
  const U = transposeData(work, rows, n); // n vectors of length `rows`
  const V = new Float64Array(n * n); // n vectors of length n, V[j*n + i] = V_ij (column j)
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  const eps = 2.220446049250313e-16;
  let converged = false;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    converged = true;
    for (let p = 0; p < n - 1; p++) {
      const op = p * rows;
      for (let qq = p + 1; qq < n; qq++) {
        const oq = qq * rows;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < rows; i++) {
          const x = U[op + i]!;
          const y = U[oq + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        converged = false;
        // Rotation that orthogonalises columns p and q (Hestenes): tan(2θ) = 2γ / (β − α), smaller root.
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const x = U[op + i]!;
          const y = U[oq + i]!;
          U[op + i] = c * x - s * y;
          U[oq + i] = s * x + c * y;
        }
        const vp = p * n;
        const vq = qq * n;
        for (let i = 0; i < n; i++) {
          const x = V[vp + i]!;
          const y = V[vq + i]!;
          V[vp + i] = c * x - s * y;
          V[vq + i] = s * x + c * y;
        }
      }
    }
  }
  if (!converged) throw new ConvergenceError('svd', `Jacobi sweeps did not converge in ${MAX_SWEEPS} sweeps`);
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s2 = 0;
    for (let i = 0; i < rows; i++) s2 += U[j * rows + i]! ** 2;
    sv[j] = Math.sqrt(s2);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => sv[y]! - sv[x]!);
  const sOut = new Float64Array(n);
  const uCols = new Float64Array(n * rows); // column-contiguous
  const vOut = new Float64Array(n * n); // row-major V (n × n)
  const smax = sv[order[0]!]!;
  const tiny = smax * n * eps;
  const zeroCols: number[] = [];
  order.forEach((src, dst) => {
    const sigma = sv[src]!;
    sOut[dst] = sigma;
    if (sigma > tiny && sigma > 0) {
      for (let i = 0; i < rows; i++) uCols[dst * rows + i] = U[src * rows + i]! / sigma;
    } else {
      zeroCols.push(dst);
    }
    for (let i = 0; i < n; i++) vOut[i * n + dst] = V[src * n + i]!;
  });
  completeOrthonormal(uCols, rows, n, zeroCols);
  // Back to row-major U (rows × n), then through Q for the tall case.
  const uSmall = transposeData(uCols, n, rows);
  let u: Matrix = { rows, cols: n, data: uSmall };
  if (q) u = matmulF64(q, u);
  return { u, s: sOut, v: { rows: n, cols: n, data: vOut } };
}

/**
 * Fills the listed column slots of a column-contiguous basis with unit vectors orthogonal to all other columns
 * (Gram–Schmidt against the standard basis, twice for stability).
 */
function completeOrthonormal(cols: Float64Array, len: number, count: number, slots: number[]): void {
  if (slots.length === 0) return;
  const filled = new Set<number>(Array.from({ length: count }, (_, i) => i).filter((i) => !slots.includes(i)));
  let candidate = 0;
  for (const slot of slots) {
    let placed = false;
    while (!placed && candidate < len) {
      const v = new Float64Array(len);
      v[candidate++] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const j of filled) {
          let d = 0;
          for (let i = 0; i < len; i++) d += cols[j * len + i]! * v[i]!;
          for (let i = 0; i < len; i++) v[i] -= d * cols[j * len + i]!;
        }
      }
      let nrm = 0;
      for (let i = 0; i < len; i++) nrm += v[i]! * v[i]!;
      nrm = Math.sqrt(nrm);
      if (nrm > 1e-8) {
        for (let i = 0; i < len; i++) cols[slot * len + i] = v[i]! / nrm;
        filled.add(slot);
        placed = true;
      }
    }
    if (!placed) throw new InvalidArgumentError('svd', 'A', 'could not complete an orthonormal basis', slot);
  }
}
