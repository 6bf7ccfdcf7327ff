/**
 * The per-time-step local losses of LRA RNNs (P3 Sec. IV, Eq. 8) and their closed-form gradients: each step's state
 * is pulled toward its target with the target held constant, so no tape is needed.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';

/** `'mse'`: `(z − ẑ)²`; `'logPenalty'`: `log(1 + (z − ẑ)²)` (the Cauchy loss of P3 Eq. 8). */
export type LocalLossName = 'mse' | 'logPenalty';

/**
 * How a local loss is reduced: `'mean'` over all `n·m` entries (P3 Eq. 8 and the authors' code, the default),
 * `'sumUnitsMeanBatch'` (sum over units, mean over the batch) or `'sum'`. The mean's `1/(n·m)` attenuates targets
 * step after step (the vanishing-signal finding of P3 Sec. V, Figs. 2–3), which is why the choice is exposed.
 */
export type LossReduction = 'mean' | 'sumUnitsMeanBatch' | 'sum';

/** Checks a loss name and reduction; throws `InvalidArgumentError` naming the option. */
export function checkLocalLoss(fn: string, loss: unknown, reduction: unknown): void {
  if (loss !== 'mse' && loss !== 'logPenalty') throw new InvalidArgumentError(fn, 'localLoss', "must be 'mse' or 'logPenalty'", loss);
  if (reduction !== 'mean' && reduction !== 'sumUnitsMeanBatch' && reduction !== 'sum') {
    throw new InvalidArgumentError(fn, 'lossReduction', "must be 'mean', 'sumUnitsMeanBatch' or 'sum'", reduction);
  }
}

function divisor(z: tf.Tensor, reduction: LossReduction): number {
  return reduction === 'mean' ? z.size : reduction === 'sumUnitsMeanBatch' ? z.shape[0] : 1;
}

/**
 * `ℒ(z, ẑ)` as a scalar tensor. Shapes: `z`, `target` `[n, m]`.
 *
 * @example
 * ```ts
 * localLoss(z, zHat, 'mse', 'mean');   // mean((z − ẑ)²)
 * ```
 */
export function localLoss(z: tf.Tensor, target: tf.Tensor, loss: LocalLossName, reduction: LossReduction): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.square(tf.sub(z, target));
    const each = loss === 'mse' ? sq : tf.log1p(sq);
    return tf.div(tf.sum(each), divisor(z, reduction)) as tf.Scalar;
  });
}

/**
 * `∂ℒ(z, ẑ)/∂z` with `ẑ` held constant, `[n, m]`: `2(z − ẑ)/N` (MSE) or `2(z − ẑ)/((1 + (z − ẑ)²)·N)` (log-penalty),
 * `N` the reduction's divisor.
 *
 * @example
 * ```ts
 * const g = localLossGradient(z, zHat, 'logPenalty', 'mean');
 * ```
 */
export function localLossGradient(z: tf.Tensor, target: tf.Tensor, loss: LocalLossName, reduction: LossReduction): tf.Tensor {
  return tf.tidy(() => {
    const diff = tf.sub(z, target);
    const scale = 2 / divisor(z, reduction);
    return loss === 'mse' ? tf.mul(diff, scale) : tf.div(tf.mul(diff, scale), tf.add(1, tf.square(diff)));
  });
}
