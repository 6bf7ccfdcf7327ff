/**
 * One-sided (Hestenes) Jacobi SVD with LAPACK `xGESVJ`'s stopping rule, in float64 or emulated float32.
 *
 * core-linalg's `svd` stops rotating a column pair only when `|cᵢᵀcⱼ| ≤ ε·‖cᵢ‖‖cⱼ‖`. For nearly rank-deficient
 * matrices without a QR reduction (e.g. `[1 | ReLU(Z̄W)]` with about as many units as examples) the rounding noise of
 * the inner product itself exceeds that bound, and the sweeps never converge. LAPACK uses `√rows·ε` and skips
 * numerically zero columns; this implementation does the same and always reduces by QR first. The fit uses it as a
 * fallback when core-linalg's `svd` throws `ConvergenceError`, and for the float32 mode.
 */
import { ConvergenceError, matmulF64, qr, type Matrix, type SvdResult } from '@beyond-backprop/core-linalg';
import { FLOAT32_EPS, matmulF32, qrF32 } from './float32-linalg.js';

const FLOAT64_EPS = 2.220446049250313e-16;
const MAX_SWEEPS = 60;

function identityRound(x: number): number {
  return x;
}

/** @internal Thin SVD `A = U·diag(s)·Vᵀ` (`k = min(m, n)` triplets, `s` descending) in the given arithmetic. */
export function jacobiSvd(a: Matrix, precision: 'float64' | 'float32'): SvdResult {
  if (a.rows < a.cols) {
    const t = new Float64Array(a.data.length);
    for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t[j * a.rows + i] = a.data[i * a.cols + j];
    const r = jacobiSvd({ rows: a.cols, cols: a.rows, data: t }, precision);
    return { u: r.v, s: r.s, v: r.u };
  }
  const f32 = precision === 'float32';
  const f = f32 ? Math.fround : identityRound;
  const eps = f32 ? FLOAT32_EPS : FLOAT64_EPS;
  const Arr = f32 ? Float32Array : Float64Array;
  const n = a.cols;
  // Reduce to the n × n triangle first: the rotations then act on short columns, and A = Q·R keeps U = Q·U_R.
  const { q, r } = f32 ? qrF32(a) : qr(a);
  const rows = n;
  const U = new Arr(n * rows); // column-contiguous copy of R
  for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) U[j * rows + i] = r.data[i * n + j];
  const V = new Arr(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let normMax = 0;
  for (let j = 0; j < n; j++) {
    let s2 = 0;
    for (let i = 0; i < rows; i++) s2 = f(s2 + U[j * rows + i] * U[j * rows + i]);
    normMax = Math.max(normMax, s2);
  }
  const tol = Math.sqrt(rows) * eps;
  const negligible = normMax * eps * eps * rows;
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
          const x = U[op + i];
          const y = U[oq + i];
          alpha = f(alpha + x * x);
          beta = f(beta + y * y);
          gamma = f(gamma + x * y);
        }
        if (gamma === 0 || alpha <= negligible || beta <= negligible || Math.abs(gamma) <= tol * f(Math.sqrt(f(alpha * beta)))) continue;
        converged = false;
        const zeta = f(f(beta - alpha) / f(2 * gamma));
        const t = f((zeta >= 0 ? 1 : -1) / f(Math.abs(zeta) + f(Math.sqrt(f(1 + zeta * zeta)))));
        const c = f(1 / f(Math.sqrt(f(1 + t * t))));
        const s = f(c * t);
        for (let i = 0; i < rows; i++) {
          const x = U[op + i];
          const y = U[oq + i];
          U[op + i] = c * x - s * y;
          U[oq + i] = s * x + c * y;
        }
        const vp = p * n;
        const vq = qq * n;
        for (let i = 0; i < n; i++) {
          const x = V[vp + i];
          const y = V[vq + i];
          V[vp + i] = c * x - s * y;
          V[vq + i] = s * x + c * y;
        }
      }
    }
  }
  if (!converged) throw new ConvergenceError('jacobiSvd', `Jacobi sweeps did not converge in ${MAX_SWEEPS} sweeps`);
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s2 = 0;
    for (let i = 0; i < rows; i++) s2 = f(s2 + U[j * rows + i] * U[j * rows + i]);
    sv[j] = f(Math.sqrt(s2));
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => sv[y] - sv[x] || x - y);
  const s = new Float64Array(n);
  const u = new Float64Array(rows * n);
  const v = new Float64Array(n * n);
  order.forEach((src, dst) => {
    const sigma = sv[src];
    s[dst] = sigma;
    // Columns of zero singular values stay zero: no pseudo-inverse or least-squares solve reads them.
    if (sigma > 0) for (let i = 0; i < rows; i++) u[i * n + dst] = f(U[src * rows + i] / sigma);
    for (let i = 0; i < n; i++) v[i * n + dst] = V[src * n + i];
  });
  const uSmall = { rows, cols: n, data: u };
  const uOut = f32 ? matmulF32(q, uSmall) : matmulF64(q, uSmall);
  return { u: uOut, s, v: { rows: n, cols: n, data: v } };
}
