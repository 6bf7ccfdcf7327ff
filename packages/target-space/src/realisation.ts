/**
 * Realising weights from targets (Alg. 3) with sequential or optimistic cascade untangling, and the feed-forward
 * dynamics the realised weights then drive (Alg. 1). Written once against {@link Ops}, so the same code runs in
 * float64 on the tape and on any TensorFlow.js backend, and is differentiated by either.
 */
import { layerSources, type ResolvedDenseArchitecture } from './dense-architecture.js';
import type { Ops } from './tensor-ops.js';

/**
 * How realised activations are carried forward (paper §2.4):
 * - `'scu'`, sequential cascade untangling (Alg. 3 line 6): the sums actually achieved, `A_j = g(S̄_j)`, feed the next
 *   layer, so later layers compensate for earlier residuals. The paper's method.
 * - `'ocu'`, optimistic cascade untangling (eq. 8): `A_j = g(T_j)`, as if targets were met. Prior work's method, for
 *   ablations.
 */
export type CascadeUntangling = 'scu' | 'ocu';

/** Everything Alg. 3 computes on the realisation batch X̄. */
export interface Realisation<T> {
  /** `W_j` for each weight layer, `[f_j, d_j]`, bias in row 0. */
  weights: T[];
  /** Achieved sums `S̄_j = 𝔄_j W_j`, `[n̄_b, d_j]`. */
  sums: T[];
  /** Activations fed forward, `[n̄_b, d_j]` (index 0 is X̄). */
  activations: T[];
}

/**
 * Alg. 3 (batch-first): for each layer, `W_j = ridgeSolve(𝔄_j, T_j, λ)` with `𝔄_j = [1 | A_k, k ∈ I(j)]`, then
 * `S̄_j = 𝔄_j W_j` and `A_j = g(S̄_j)` (SCU) or `g(T_j)` (OCU). `masks[j]`, when given, multiplies layer j's
 * activations (inverted dropout, applied independently of the training pass — paper §5.2 footnote 4).
 *
 * @param xBar the fixed realisation batch `[n̄_b, d₁]`
 * @param targets one `[n̄_b, d_j]` target matrix per weight layer (on pre-activation sums; the last are logits)
 */
export function realise<T>(
  ops: Ops<T>,
  arch: ResolvedDenseArchitecture,
  xBar: T,
  targets: T[],
  lambda: number,
  cascade: CascadeUntangling,
  masks?: Array<T | null>,
): Realisation<T> {
  const ones = ops.ones(ops.rows(xBar));
  const activations: T[] = [xBar];
  const weights: T[] = [];
  const sums: T[] = [];
  const last = arch.layers.length - 1;
  for (let l = 1; l <= last; l++) {
    const inputs = ops.concatCols(layerSources(arch, ones, activations, l));
    const target = targets[l - 1];
    const { w, s } = ops.ridgeProject(inputs, target, lambda);
    weights.push(w);
    sums.push(s);
    if (l < last) {
      let a = ops.activation(cascade === 'scu' ? s : target, arch.activation);
      const mask = masks?.[l];
      if (mask) a = ops.mul(a, mask);
      activations.push(a);
    } else {
      activations.push(s);
    }
  }
  return { weights, sums, activations };
}

/**
 * Alg. 1 (batch-first): the network's output (logits) for inputs `x: [n, d₁]` under `weights`. `masks[j]` applies
 * dropout to hidden layer j.
 */
export function feedForward<T>(ops: Ops<T>, arch: ResolvedDenseArchitecture, x: T, weights: T[], masks?: Array<T | null>): T {
  const ones = ops.ones(ops.rows(x));
  const activations: T[] = [x];
  const last = arch.layers.length - 1;
  let out = x;
  for (let l = 1; l <= last; l++) {
    const s = ops.matmul(ops.concatCols(layerSources(arch, ones, activations, l)), weights[l - 1]);
    if (l < last) {
      let a = ops.activation(s, arch.activation);
      const mask = masks?.[l];
      if (mask) a = ops.mul(a, mask);
      activations.push(a);
    } else {
      out = s;
    }
  }
  return out;
}
