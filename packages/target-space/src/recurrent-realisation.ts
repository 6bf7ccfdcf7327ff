/**
 * Recurrent networks in target space (paper §4.1): the dynamics of Alg. 5 and the realisation of Alg. 6, written once
 * against {@link Ops}. The architecture is the paper's: one fully recurrent layer (the context layer, c_L = 3) and a
 * linear exit layer (logits); layer 3 receives `[1 | X^(t) | A₃^(t−1)]`, layer 4 receives `[1 | A₃^(t)]`.
 *
 * Time steps are stacked vertically (batch-first form of eq. 16): row `t·n_b + b` holds step t of sequence b.
 */
import type { Activation, Ops } from './tensor-ops.js';

/**
 * How the recurrent layer's inputs are estimated during realisation (§4.1):
 * - `'hybrid'` (Alg. 6): OCU only for the recurrent feedback — the context input of step t is `g(T₃^(t−1))` while W₃
 *   is solved — then the network is rerun on X̄ with the new W₃ (line 10), and the exit layer is solved on the true
 *   hidden activations (SCU). The paper's method.
 * - `'ocu'`: fully optimistic — every layer's inputs come from `g(T)`; no rerun. The ablation of Figs. 6–7.
 */
export type RecurrentCascade = 'hybrid' | 'ocu';

/** Shape of the paper's recurrent network. */
export interface RecurrentShape {
  inputSize: number;
  hidden: number;
  outputs: number;
  activation: Activation;
}

/** What Alg. 6 computes on the realisation sequences. */
export interface RecurrentRealisation<T> {
  /** `[1 + inputSize + hidden, hidden]`, bias in row 0, then input rows, then recurrent rows. */
  w3: T;
  /** `[1 + hidden, outputs]`. */
  w4: T;
  /** The recurrent layer's true sums on X̄ after the line-10 rerun (the OCU estimate's sums for `'ocu'`), stacked. */
  sums3: T;
  /** The exit layer's achieved sums, stacked `[n̄_t·n̄_b, outputs]`. */
  sums4: T;
}

/**
 * Alg. 6 (batch-first): realise `W₃` and `W₄` from stacked targets `t3: [n̄_t·n̄_b, hidden]` and
 * `t4: [n̄_t·n̄_b, outputs]` on the realisation sequence `xBar[t]: [n̄_b, inputSize]`.
 */
export function realiseRecurrent<T>(
  ops: Ops<T>,
  shape: RecurrentShape,
  xBar: T[],
  t3: T,
  t4: T,
  lambda: number,
  cascade: RecurrentCascade,
): RecurrentRealisation<T> {
  const nb = ops.rows(xBar[0]);
  const nt = xBar.length;
  const ones = ops.ones(nb);
  const zeros = ops.constant(new Float64Array(nb * shape.hidden), nb, shape.hidden);
  // Lines 3–4: OCU estimate of the context activations, fed back one step later (block shift by one step).
  const estimate = ops.activation(t3, shape.activation);
  const rows3: T[] = [];
  for (let t = 0; t < nt; t++) rows3.push(ops.concatCols([ones, xBar[t], t === 0 ? zeros : ops.sliceRows(estimate, (t - 1) * nb, nb)]));
  const { w: w3, s: s3 } = ops.ridgeProject(ops.concatRows(rows3), t3, lambda);
  let hidden: T;
  let sums3: T;
  if (cascade === 'hybrid') {
    // Line 10: rerun Alg. 5 on X̄ with the new W₃ to replace the estimate by the true hidden activations.
    const run = runRecurrentLayer(ops, shape, ops.concatRows(xBar), nt, w3);
    hidden = run.states;
    sums3 = run.sums;
  } else {
    hidden = estimate;
    sums3 = s3;
  }
  const { w: w4, s: sums4 } = ops.ridgeProject(ops.concatCols([ops.ones(nt * nb), hidden]), t4, lambda);
  return { w3, w4, sums3, sums4 };
}

/** The recurrent layer of Alg. 5 over a sequence (steps stacked time-major), from `A₃^(0) = 0`. */
export function runRecurrentLayer<T>(ops: Ops<T>, shape: RecurrentShape, x: T, steps: number, w3: T): { states: T; sums: T } {
  return ops.recurrence(x, w3, steps, shape.activation);
}

/**
 * Alg. 5 (batch-first): logits of every step stacked time-major `[n_t·n_b, outputs]` (`'every-step'`), or of the last
 * step `[n_b, outputs]` (`'last-step'`).
 */
export function recurrentForward<T>(ops: Ops<T>, shape: RecurrentShape, x: T[], w3: T, w4: T, readout: 'every-step' | 'last-step'): T {
  const nb = ops.rows(x[0]);
  const { states } = runRecurrentLayer(ops, shape, ops.concatRows(x), x.length, w3);
  if (readout === 'last-step') return ops.matmul(ops.concatCols([ops.ones(nb), ops.sliceRows(states, (x.length - 1) * nb, nb)]), w4);
  return ops.matmul(ops.concatCols([ops.ones(x.length * nb), states]), w4);
}
