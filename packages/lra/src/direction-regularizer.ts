/**
 * Regularisation in the direction of the update (P3 Sec. III-A, Eqs. 5–7, Alg. 2; after Pascanu et al. 2013): a
 * penalty that keeps the norm of a local error carried one step back in time equal to its own, so that targets
 * further back do not fade away.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '@beyond-backprop/core-linalg';

/** Ω and its closed-form derivatives for one pair of steps (P3 Sec. III-A, Eqs. 5–7, Alg. 2). */
export interface DirectionPenalty {
  /** `Ω = (‖v‖/‖δ‖ − 1)²` (P3 Eq. 5), a scalar; 0 when `‖v‖` or `‖δ‖` is 0. */
  omega: tf.Scalar;
  /** `∂Ω/∂H = G_Ω ⊙ u ⊙ tanh''(H)`, `[n, m]`: the path through the pre-activation. */
  dH: tf.Tensor2D;
  /** `∂Ω/∂W` through `u = δ·Wᵀ` alone (the Jacobian path), `(G_Ω ⊙ tanh'(H))ᵀ·δ`, the shape of `W`. */
  dWDirect: tf.Tensor2D;
}

/**
 * Frobenius norm that neither underflows nor overflows: the local losses this regulariser exists for fade by many
 * orders of magnitude (P3 Fig. 2), below where a plain sum of squares is 0 in float32.
 */
function scaledNorm(x: tf.Tensor): tf.Scalar {
  const m = tf.max(tf.abs(x));
  const safe = tf.maximum(m, 1e-37);
  return tf.mul(m, tf.sqrt(tf.sum(tf.square(tf.div(x, safe))))) as tf.Scalar;
}

/**
 * `G_Ω = ∂Ω/∂v` from `v = u ⊙ s` and δ, written as `(v/‖v‖)·2(r − 1)/‖δ‖` so it stays finite when the norms are tiny;
 * a zero `v` or `δ` gives `G_Ω = 0` and `Ω = 0` (no direction to keep).
 * @internal
 */
export function penaltyFromParts(delta: tf.Tensor, v: tf.Tensor): { omega: tf.Scalar; gOmega: tf.Tensor } {
  const nv = scaledNorm(v);
  const nd = scaledNorm(delta);
  const defined = tf.logicalAnd(tf.greater(nv, 0), tf.greater(nd, 0));
  const r = tf.div(nv, tf.maximum(nd, 1e-37));
  const omega = tf.where(defined, tf.square(tf.sub(r, 1)), tf.zerosLike(r)) as tf.Scalar;
  const coefficient = tf.where(defined, tf.div(tf.mul(2, tf.sub(r, 1)), tf.maximum(nd, 1e-37)), tf.zerosLike(r));
  const gOmega = tf.mul(tf.div(v, tf.maximum(nv, 1e-37)), coefficient);
  return { omega, gOmega };
}

/**
 * The penalty Ω of P3 Eq. 5 for the local gradient `delta` (`δ = ∂ℒ_{t+1}/∂H_{t+1}`, `[n, k]`, held constant) sent
 * back through `weights` (`W_hh`, `[m, k]` with k = m; or `W_hy` for the output) into a tanh layer with
 * pre-activation `h` (`[n, m]`), batch-first (P3 Eq. 5 and Alg. 2 with `u = δ·W_hhᵀ`):
 *
 * `u = δ·Wᵀ`, `s = tanh'(H)`, `v = u ⊙ s`, `r = ‖v‖/‖δ‖` (Frobenius over the batch), `Ω = (r − 1)²`,
 * `G_Ω = 2(r − 1)·v/(‖v‖‖δ‖)`.
 *
 * Ω is invariant to the scale of δ, so its gradients do not fade when the local losses do. The total `∂Ω/∂W_hh` is
 * `dWDirect + Z_{t−1}ᵀ·dH`, `∂Ω/∂W_xh = X_tᵀ·dH`, `∂Ω/∂b_h = 1ᵀ·dH` (P3 Eqs. 6–7).
 *
 * @example
 * ```ts
 * const { omega, dH, dWDirect } = directionPenalty(deltaNext, wHH, hT);
 * ```
 */
export function directionPenalty(delta: tf.Tensor2D, weights: tf.Tensor2D, h: tf.Tensor2D): DirectionPenalty {
  return tf.tidy(() => {
    const u = matMul(delta, weights, false, true);
    const th = tf.tanh(h);
    const s = tf.sub(1, tf.square(th));
    const { omega, gOmega } = penaltyFromParts(delta, tf.mul(u, s));
    const dH = tf.mul(tf.mul(gOmega, u), tf.mul(-2, tf.mul(th, s))) as tf.Tensor2D;
    const dWDirect = matMul(tf.mul(gOmega, s) as tf.Tensor2D, delta, true, false);
    return { omega, dH, dWDirect };
  });
}
