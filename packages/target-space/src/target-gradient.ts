/**
 * Alg. 4 of the paper: converting weight-space gradients `∂L/∂W_j` into target-space gradients `∂L/∂T_j`, written
 * out explicitly in float64 (batch-first, lines 4–5 reconstructed from Appendix A, eqs. 27–31; checked against finite differences in
 * test/dense-gradients.test.ts).
 *
 * Training uses automatic differentiation through Alg. 3 (one tape), which is equal; this explicit form serves the
 * paper's two-stage use — compute `∂L/∂W` with any loss and any extra terms (weight decay), then map it — and is the
 * independent oracle the tape is tested against.
 */
import { ACTIVATIONS, InvalidArgumentError, ShapeError, checkMatrix, matmulF64, ridgeSolveF64, type Matrix } from '@beyond-backprop/core-linalg';
import { layerSources, type ResolvedDenseArchitecture } from './dense-architecture.js';
import { LEAKY_RELU_ALPHA, type Activation } from './tensor-ops.js';
import type { CascadeUntangling } from './realisation.js';

function applyActivation(s: Float64Array, kind: Activation): Float64Array {
  const f = ACTIVATIONS[kind].f64;
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = f(s[i], LEAKY_RELU_ALPHA);
  return out;
}

function activationDerivative(s: Float64Array, kind: Activation): Float64Array {
  const { f64: f, f64Derivative: df } = ACTIVATIONS[kind];
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = df(s[i], f(s[i], LEAKY_RELU_ALPHA), LEAKY_RELU_ALPHA);
  return out;
}

function concatCols(parts: Matrix[]): Matrix {
  const rows = parts[0].rows;
  const cols = parts.reduce((s, p) => s + p.cols, 0);
  const data = new Float64Array(rows * cols);
  let off = 0;
  for (const p of parts) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < p.cols; c++) data[r * cols + off + c] = p.data[r * p.cols + c];
    off += p.cols;
  }
  return { rows, cols, data };
}

/**
 * Alg. 4 (with Appendix A, eqs. 27–31): given the realisation batch `xBar: [n̄_b, d₁]`, the targets `T_j` and the weight-space
 * gradients `G_j = ∂L/∂W_j` (`[f_j, d_j]`, e.g. from backpropagation on a minibatch, plus any weight decay), returns
 * `∂L/∂T_j` for every layer. SCU: `δS_j = δA_j ⊙ g'(S̄_j)`, `Ḡ_j = G_j + 𝔄_jᵀδS_j`, `(∂𝔄, ∂L/∂T_j) = VJP_ridge(Ḡ_j)`,
 * `δ𝔄_j = ∂𝔄 + δS_j W_jᵀ` scattered back into the `δA_k`. OCU: `Ḡ_j = G_j` and `∂L/∂T_j += δA_j ⊙ g'(T_j)`.
 * Both ridge branches (primal/dual) are handled by the solve's own VJP. No dropout.
 *
 * @example
 * ```ts
 * const dT = targetGradients(arch, xBar, targets, weightGrads, { lambda: 1e-3, cascade: 'scu' });
 * ```
 */
export function targetGradients(
  arch: ResolvedDenseArchitecture,
  xBar: Matrix,
  targets: Matrix[],
  weightGradients: Matrix[],
  options: { lambda: number; cascade: CascadeUntangling },
): Matrix[] {
  const fn = 'targetGradients';
  const L = arch.layers.length - 1;
  checkMatrix(fn, 'xBar', xBar);
  if (xBar.cols !== arch.layers[0]) throw new ShapeError(fn, 'xBar', ['n̄_b', arch.layers[0]], [xBar.rows, xBar.cols]);
  if (targets.length !== L) throw new InvalidArgumentError(fn, 'targets', `must hold ${L} matrices`, targets.length);
  if (weightGradients.length !== L) throw new InvalidArgumentError(fn, 'weightGradients', `must hold ${L} matrices`, weightGradients.length);
  const n = xBar.rows;
  const ones: Matrix = { rows: n, cols: 1, data: new Float64Array(n).fill(1) };
  // Forward: Alg. 3, keeping what the backward sweep needs.
  const acts: Matrix[] = [xBar];
  const inputs: Matrix[] = [];
  const sols: Array<ReturnType<typeof ridgeSolveF64>> = [];
  const sums: Matrix[] = [];
  for (let l = 1; l <= L; l++) {
    const t = targets[l - 1];
    if (t.rows !== n || t.cols !== arch.layers[l]) throw new ShapeError(fn, `targets[${l - 1}]`, [n, arch.layers[l]], [t.rows, t.cols]);
    const a = concatCols(layerSources(arch, ones, acts, l));
    const sol = ridgeSolveF64(a, t, options.lambda);
    const s = matmulF64(a, sol.w);
    inputs.push(a);
    sols.push(sol);
    sums.push(s);
    const g = weightGradients[l - 1];
    if (g.rows !== sol.w.rows || g.cols !== sol.w.cols) throw new ShapeError(fn, `weightGradients[${l - 1}]`, [sol.w.rows, sol.w.cols], [g.rows, g.cols]);
    const source = options.cascade === 'scu' ? s : t;
    acts.push(l < L ? { rows: n, cols: s.cols, data: applyActivation(source.data, arch.activation) } : s);
  }
  // Backward: the reverse sweep over layers.
  const deltaA: Float64Array[] = acts.map((a) => new Float64Array(a.data.length));
  const out: Matrix[] = new Array(L);
  for (let l = L; l >= 1; l--) {
    const a = inputs[l - 1];
    const sol = sols[l - 1];
    const w = sol.w;
    const t = targets[l - 1];
    const d = t.cols;
    let gBar = weightGradients[l - 1];
    let deltaS: Matrix | null = null;
    if (options.cascade === 'scu' && l < L) {
      const gp = activationDerivative(sums[l - 1].data, arch.activation);
      const ds = new Float64Array(n * d);
      for (let i = 0; i < ds.length; i++) ds[i] = deltaA[l][i] * gp[i];
      deltaS = { rows: n, cols: d, data: ds };
      const extra = matmulF64(a, deltaS, { transposeA: true });
      const gb = new Float64Array(gBar.data.length);
      for (let i = 0; i < gb.length; i++) gb[i] = gBar.data[i] + extra.data[i];
      gBar = { rows: gBar.rows, cols: gBar.cols, data: gb };
    }
    const { dA, dT } = sol.vjp(gBar);
    if (options.cascade === 'ocu' && l < L) {
      const gp = activationDerivative(t.data, arch.activation);
      for (let i = 0; i < dT.data.length; i++) dT.data[i] += deltaA[l][i] * gp[i];
    }
    if (deltaS) {
      const back = matmulF64(deltaS, w, { transposeB: true });
      for (let i = 0; i < dA.data.length; i++) dA.data[i] += back.data[i];
    }
    out[l - 1] = dT;
    // Scatter δ𝔄 by column blocks into δA_k (the bias column and the fixed input X̄ receive nothing).
    const sources = arch.shortcuts ? Array.from({ length: l }, (_, k) => k) : [l - 1];
    let col = 1;
    for (const k of sources) {
      const width = acts[k].cols;
      if (k >= 1) {
        const target = deltaA[k];
        for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) target[r * width + c] += dA.data[r * a.cols + col + c];
      }
      col += width;
    }
  }
  return out;
}
