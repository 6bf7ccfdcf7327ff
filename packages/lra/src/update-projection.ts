/**
 * Update re-projection: every update tensor is pulled back onto a ball of radius c before the optimiser sees it
 * (P2 Appendix "Update Re-Projection"; P3 Alg. 1 lines 29–32, "Normalize"). It bounds each local step no matter how
 * large the local error, which both papers use in place of global gradient clipping.
 */
import * as tf from '@tensorflow/tfjs';
import { checkNumber } from '@beyond-backprop/core-linalg';

/** Options of {@link projectToBall}. */
export interface ProjectionOptions {
  /**
   * Always rescale to norm exactly `c` (P3 Sec. IV, Fig. 3 "forced normalisation"), instead of only when `‖Δ‖ ≥ c`.
   * A zero tensor stays zero. Default `false`.
   */
  force?: boolean;
}

/**
 * `Nm(Δ, c) = (c/‖Δ‖)·Δ` if `‖Δ‖ ≥ c`, else `Δ` (P2 "Update Re-Projection"; P3 Alg. 1 `Normalize`). The norm is the
 * Frobenius norm over the whole tensor, batch axis included. `c = 0` disables the projection (our convention: read
 * literally the paper's formula would zero every update; P2 Appendix "Update Re-Projection"). Any shape; returns a new tensor of the same shape.
 *
 * @example
 * ```ts
 * projectToBall(tf.tensor1d([3, 4]), 1);   // [0.6, 0.8]
 * projectToBall(tf.tensor1d([0.3, 0.4]), 1);   // unchanged
 * ```
 */
export function projectToBall(delta: tf.Tensor, c: number, options: ProjectionOptions = {}): tf.Tensor {
  checkNumber('projectToBall', 'c', c, { min: 0 });
  if (c === 0) return tf.clone(delta);
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.square(delta)));
    // c / max(‖Δ‖, c) is c/‖Δ‖ on and outside the ball and 1 inside it; a zero tensor stays zero in both modes.
    return tf.mul(delta, tf.div(c, tf.maximum(norm, options.force ? 1e-30 : c)));
  });
}
