/**
 * Cubic gradient amplification, pow3-GA, and the negative correlation loss it minimises (thesis §4.7–4.8).
 */
import * as tf from '@tensorflow/tfjs';
import { checkNumber, checkTensor } from '@beyond-backprop/core-linalg';
import { resolveHeadOptions, type HeadOptions, type LossOptions } from './head-options.js';
import { createOutputHead, type HeadLossFunction, type OutputHead } from './output-head.js';

/**
 * The nominal pow3-GA output `Y = α·Z³ + β` of the manual-gradient view (§4.7).
 *
 * @example
 * ```ts
 * cubicOutput(tf.tensor2d([[10, -10]]), 0.001, 0.4);   // [[1.4, −0.6]]
 * ```
 */
export function cubicOutput(logits: tf.Tensor, alpha = 0.001, beta = 0): tf.Tensor {
  checkTensor('cubicOutput', 'logits', logits, { dtype: 'float32' });
  checkNumber('cubicOutput', 'alpha', alpha, { min: 0, exclusiveMin: true });
  checkNumber('cubicOutput', 'beta', beta, { min: 0 });
  return tf.tidy(() => cubicKernel(logits, alpha, beta));
}

function cubicKernel(z: tf.Tensor, alpha: number, beta: number): tf.Tensor {
  return tf.add(tf.mul(alpha, tf.mul(z, tf.square(z))), beta);
}

/**
 * The pow3-GA head (thesis §4.7–4.8): linear outputs trained with the **negative correlation loss**
 *
 * `L = Σ_m Σ_k (¼·α·y_mk⁴ + β·y_mk − t_mk·y_mk)`, with `y = Z` (linear),
 *
 * whose gradient is `α·Z³ + β − T = Y − T` for the cubic output `Y = α·Z³ + β` (§4.8's derivation). The `−T∘Z` term
 * is the negative correlation ("cross-entropy without the logarithm"), `βZ` rewards negative outputs and `¼αZ⁴` is a
 * strong magnitude penalty. Convex (`∂²ℓ/∂Z² = 3αZ²`), with a flat low-gradient zone around 0 and — unlike exp-GA —
 * amplification of large negative errors too. Minimiser `Z* = ∛((T − β)/α)`. Decoding uses `argmax Z`.
 *
 * Defaults (the package's, from the thesis' §4.7–4.8 runs): α = 0.001, β = 0, targets {−1, 1}; the thesis used β = 0.4 with {0, 10} (5-layer CNN) and
 * {−2, 10} (10-layer CNN).
 *
 * @example
 * ```ts
 * const head = pow3GA({ alpha: 0.001, beta: 0.4, targets: { neg: -2, pos: 10 } });
 * const g = head.grad(labels, logits, { reduction: 'sum' });   // 0.001·Z³ + 0.4 − T
 * ```
 */
export function pow3GA(options: HeadOptions = {}): OutputHead {
  const params = resolveHeadOptions('pow3GA', 'pow3-ga', options);
  const { alpha, beta } = params;
  return createOutputHead('pow3-ga', 'pow3-ga', params, {
    output: (z) => cubicKernel(z, alpha, beta),
    elementLoss: (z, t) => tf.add(tf.mul(0.25 * alpha, tf.square(tf.square(z))), tf.mul(tf.sub(beta, t), z)),
    deltaFromOutput: (y, t) => tf.sub(y, t),
    inverse: (y) => {
      const u = tf.div(tf.sub(y, beta), alpha);
      return tf.mul(tf.sign(u), tf.pow(tf.abs(u), 1 / 3));
    },
    stationaryPoint: (t) => Math.cbrt((t - beta) / alpha),
  });
}

/**
 * The negative correlation loss of pow3-GA (§4.8) as a `(yTrue, yPred)` closure on logits. Same as
 * `pow3GA(head).lossFn(loss)`.
 *
 * @example
 * ```ts
 * model.compile({ optimizer: tf.train.sgd(0.1), loss: negativeCorrelationLoss({ beta: 0.4, targets: { neg: 0, pos: 10 } }) });
 * ```
 */
export function negativeCorrelationLoss(head: HeadOptions = {}, loss: Omit<LossOptions, 'weights'> = {}): HeadLossFunction {
  return pow3GA(head).lossFn(loss);
}
