/**
 * The baseline heads the chapter compares against: softmax + cross-entropy (§4.2), linear + MSE, sigmoid and tanh
 * (§4.3, Table 4.1), each with its canonical ("matching") loss, so that `∂L/∂Z = Y − T` (§4.3, after Bishop).
 */
import * as tf from '@tensorflow/tfjs';
import { resolveHeadOptions, type HeadOptions } from './head-options.js';
import { createOutputHead, type OutputHead } from './output-head.js';

/** Smallest output used when a logit is recovered from a saturated output (loss values on head outputs only). */
const TINY = 1e-37;
/** Largest float32 below 1, for the same purpose. */
const ONE_MINUS = 1 - 2 ** -24;

/**
 * Softmax + multiclass cross-entropy, the baseline (thesis §4.2).
 *
 * - Output: `Y = softmax(Z)` (row-wise, max-shifted).
 * - Loss: `L = −Σ T∘log Y = Σ_i [rowSum(T_i)·logsumexp(Z_i) − T_i·Z_i]`, computed with `tf.logSoftmax`, so logits of
 *   ±100 are safe.
 * - Gradient: `rowSum(T)·Y − T`, i.e. `Y − T` for one-hot targets, bounded in [−1, 1] (§4.2).
 *
 * Targets are fixed to {0, 1} unless `allowNonOneHot` is set (other targets change the gradient to `rowSum(T)·Y − T`).
 *
 * @example
 * ```ts
 * const head = softmaxCrossEntropy();
 * head.loss(tf.tensor1d([2, 0], 'int32'), logits);   // = tf.losses.softmaxCrossEntropy(oneHot, logits)
 * ```
 */
export function softmaxCrossEntropy(options: HeadOptions = {}): OutputHead {
  const params = resolveHeadOptions('softmaxCrossEntropy', 'softmax-ce', options);
  return createOutputHead('softmax-ce', 'softmax-ce', params, {
    output: (z) => tf.softmax(z),
    elementLoss: (z, t) => tf.neg(tf.mul(t, tf.logSoftmax(z))),
    deltaFromOutput: (y, t) => tf.sub(tf.mul(tf.sum(t, 1, true), y), t),
    // log Y differs from Z by a per-row constant, which the softmax loss ignores.
    inverse: (y) => tf.log(tf.maximum(y, TINY)),
    stationaryPoint: null,
  });
}

/**
 * Linear output + mean squared error ("Linear+MSE", §4.3, Table 4.2): already an amplified
 * gradient compared with softmax, since `Y − T = Z − T` is unbounded.
 *
 * - Output: `Y = Z`. Loss: `L = ½ Σ (Z − T)²` (the ½ gives the canonical delta). Gradient: `Z − T`.
 * - Default targets {−1, 1} (VGG, Table 4.2). `tf.losses.meanSquaredError` equals the `'meanAll'` loss times 2.
 *
 * @example
 * ```ts
 * model.compile({ optimizer: tf.train.sgd(0.01), loss: linearMse().lossFn() });
 * ```
 */
export function linearMse(options: HeadOptions = {}): OutputHead {
  const params = resolveHeadOptions('linearMse', 'linear-mse', options);
  return createOutputHead('linear-mse', 'linear-mse', params, {
    output: (z) => z,
    elementLoss: (z, t) => tf.mul(0.5, tf.squaredDifference(z, t)),
    deltaFromOutput: (y, t) => tf.sub(y, t),
    inverse: (y) => y,
    stationaryPoint: (t) => t,
  });
}

/**
 * Sigmoid output + binary cross-entropy per class (Table 4.1 baseline, §4.3).
 *
 * - Output: `Y = σ(Z)`. Loss: `L = Σ [softplus(Z) − T∘Z]`, equal to `−Σ[T log Y + (1 − T) log(1 − Y)]` for
 *   `T ∈ [0, 1]`; `softplus` is evaluated stably. Gradient: `σ(Z) − T`.
 * - Targets must lie in [0, 1] (default {0, 1}); the `'meanAll'` loss equals `tf.losses.sigmoidCrossEntropy`.
 *
 * @example
 * ```ts
 * const g = sigmoidCrossEntropy().grad(labels, logits);   // (σ(Z) − T)/n
 * ```
 */
export function sigmoidCrossEntropy(options: HeadOptions = {}): OutputHead {
  const params = resolveHeadOptions('sigmoidCrossEntropy', 'sigmoid', options);
  return createOutputHead('sigmoid', 'sigmoid', params, {
    output: (z) => tf.sigmoid(z),
    elementLoss: (z, t) => tf.sub(tf.softplus(z), tf.mul(t, z)),
    deltaFromOutput: (y, t) => tf.sub(y, t),
    inverse: (y) => {
      const c = tf.clipByValue(y, TINY, ONE_MINUS);
      return tf.sub(tf.log(c), tf.log1p(tf.neg(c)));
    },
    stationaryPoint: (t) => Math.log(t) - Math.log1p(-t),
  });
}

/**
 * Tanh output with its canonical loss (Table 4.1 baseline, §4.3; Table 4.1 does not state its loss). The thesis names the tanh output
 * but not its loss; the matching loss — the only one with gradient `tanh(Z) − T` — is `L = Σ [log cosh Z − T∘Z]`,
 * computed as `softplus(2Z) − Z − ln 2` so that |Z| = 100 stays finite.
 *
 * Targets must lie in [−1, 1] (default {0, 1}; Table 4.1 does not state the targets).
 *
 * @example
 * ```ts
 * const head = tanhCanonical({ targets: { neg: -1, pos: 1 } });
 * ```
 */
export function tanhCanonical(options: HeadOptions = {}): OutputHead {
  const params = resolveHeadOptions('tanhCanonical', 'tanh', options);
  return createOutputHead('tanh', 'tanh', params, {
    output: (z) => tf.tanh(z),
    elementLoss: (z, t) => tf.sub(tf.sub(tf.softplus(tf.mul(2, z)), tf.mul(tf.add(t, 1), z)), Math.LN2),
    deltaFromOutput: (y, t) => tf.sub(y, t),
    inverse: (y) => tf.atanh(tf.clipByValue(y, -ONE_MINUS, ONE_MINUS)),
    stationaryPoint: (t) => Math.atanh(t),
  });
}
