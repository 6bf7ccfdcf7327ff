/**
 * The per-layer gradient RMS of thesis §3.3 (Fig. 3.2), `G_l = sqrt(mean((∂L/∂W_l)²))` over a data subset, for the
 * bit-depth rule it motivates and the H-vs-log(G + 1) correlation of §3.5.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { gradientRms } from '../measurements.js';
import { modelWeights } from './model-weights.js';

/**
 * RMS of the loss gradient with respect to each kernel of `model`, on inputs `x: [n, …]` and targets `y` (one
 * forward/backward pass, no update). Frees every tensor it makes.
 *
 * @param loss - `(yTrue, yPred) → scalar`, e.g. mean squared error as in the thesis.
 * @returns one RMS per kernel, in model order.
 * @example
 * ```ts
 * kernelGradientRms(model, xSubset, ySubset, (t, p) => tf.losses.meanSquaredError(t, p)); // [G1, G2, G3]
 * ```
 */
export function kernelGradientRms(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar): number[] {
  const { kernels } = modelWeights(model);
  if (x.shape[0] !== y.shape[0]) throw new InvalidArgumentError('kernelGradientRms', 'y', `must have ${x.shape[0]} rows like 'x'`, y.shape[0]);
  const { value, grads } = tf.variableGrads(() => loss(y, model.apply(x, { training: false }) as tf.Tensor), kernels);
  value.dispose();
  const out = kernels.map((k) => gradientRms(grads[k.name].dataSync()));
  tf.dispose(grads);
  return out;
}
