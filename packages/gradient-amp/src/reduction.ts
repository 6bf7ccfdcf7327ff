/**
 * Loss reductions (the thesis never states one; see docs/guides/gradient-amp.md): how per-row losses and the closed-form deltas are weighted and scaled.
 */
import * as tf from '@tensorflow/tfjs';
import type { Reduction } from './head-options.js';

/** The divisor of a reduction: 1, Σw (scored rows) or k·Σw. Zero weights give a zero loss, never NaN. */
function divisor(w: tf.Tensor1D, k: number, reduction: Reduction): tf.Tensor | number {
  if (reduction === 'sum') return 1;
  const total = tf.maximum(tf.sum(w), 1e-30);
  return reduction === 'mean' ? total : tf.mul(total, k);
}

/** `Σ_i w_i Σ_j ℓ_ij`, divided as `reduction` says. */
export function reduceElementLoss(elementLoss: tf.Tensor2D, w: tf.Tensor1D, reduction: Reduction): tf.Scalar {
  const rows = tf.sum(elementLoss, 1);
  return tf.div(tf.sum(tf.mul(rows, w)), divisor(w, elementLoss.shape[1], reduction)) as tf.Scalar;
}

/** Per-row factor `[n, 1]` that turns the unreduced delta into the gradient of the reduced loss. */
export function rowScale(w: tf.Tensor1D, k: number, reduction: Reduction): tf.Tensor2D {
  return tf.div(tf.expandDims(w, 1), divisor(w, k, reduction)) as tf.Tensor2D;
}
