/**
 * Measurements behind the chapter's figures: output-delta histograms (Fig. 4.2), per-layer gradient RMS (Fig. 4.3) and
 * the softmax normaliser (Fig. 4.5).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, checkTensor } from '@beyond-backprop/core-linalg';
import type { LossOptions } from './head-options.js';
import type { OutputHead } from './output-head.js';
import type { Labels } from './targets.js';

/**
 * The unreduced output deltas `Y − T` of a batch (`rowSum(T)·Y − T` for softmax), for the histograms of Fig. 4.2:
 * softmax deltas lie in [−1, 1]; GA deltas cluster near the negated targets at initialisation.
 *
 * @example
 * ```ts
 * const d = outputDeltas(expGA({ targets: { neg: 0, pos: 6 } }), labels, logits);   // ≈ −6 at the labelled class
 * ```
 */
export function outputDeltas(head: OutputHead, y: tf.Tensor | Labels, logits: tf.Tensor, options: Pick<LossOptions, 'yFormat' | 'input'> = {}): tf.Tensor {
  if (head === null || typeof head !== 'object' || typeof head.delta !== 'function')
    throw new InvalidArgumentError('outputDeltas', 'head', 'must be an OutputHead', head);
  return head.delta(y, logits, options);
}

/** One entry of {@link gradientRmsByLayer}. */
export interface GradientRms {
  /** The weight's name (`dense_1/kernel`, …). */
  name: string;
  /** `sqrt(mean(g²))` of the loss gradient with respect to that weight. */
  rms: number;
}

/**
 * Root mean square of the loss gradient with respect to every trainable weight tensor (Fig. 4.3; the thesis does not say
 * whether weights or activations, we take weights), from one forward/backward pass with `tf.variableGrads`. Nothing is updated.
 *
 * Either a model with a loss `(yTrue, yPred)`, `x` and `y` (forward pass in training mode), or a list of variables
 * with a closure returning the loss.
 *
 * @example
 * ```ts
 * gradientRmsByLayer(model, expGA().lossFn(), xBatch, yBatch);   // [{ name: 'dense_1/kernel', rms: 0.012 }, …]
 * gradientRmsByLayer([w, b], () => loss(w, b));
 * ```
 */
export function gradientRmsByLayer(model: tf.LayersModel, lossFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar, x: tf.Tensor, y: tf.Tensor): GradientRms[];
export function gradientRmsByLayer(variables: tf.Variable[], lossFn: () => tf.Scalar): GradientRms[];
export function gradientRmsByLayer(
  target: tf.LayersModel | tf.Variable[],
  lossFn: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar) | (() => tf.Scalar),
  x?: tf.Tensor,
  y?: tf.Tensor,
): GradientRms[] {
  const fn = 'gradientRmsByLayer';
  if (typeof lossFn !== 'function') throw new InvalidArgumentError(fn, 'lossFn', 'must be a function', lossFn);
  let variables: tf.Variable[];
  let f: () => tf.Scalar;
  let names: string[];
  if (target instanceof tf.LayersModel) {
    checkTensor(fn, 'x', x, { dtype: 'float32' });
    if (!(y instanceof tf.Tensor)) throw new InvalidArgumentError(fn, 'y', 'must be a tf.Tensor', y);
    if (y.shape[0] !== x!.shape[0]) throw new ShapeError(fn, 'y', [x!.shape[0], ...y.shape.slice(1)], y.shape, 'one row per example of x');
    const weights = target.trainableWeights;
    variables = weights.map((w) => w.read() as tf.Variable);
    names = weights.map((w) => w.originalName ?? w.name);
    f = () => (lossFn as (a: tf.Tensor, b: tf.Tensor) => tf.Scalar)(y, target.apply(x!, { training: true }) as tf.Tensor);
  } else if (Array.isArray(target) && target.every((v) => v instanceof tf.Variable)) {
    variables = target;
    names = target.map((v) => v.name);
    f = lossFn as () => tf.Scalar;
  } else {
    throw new InvalidArgumentError(fn, 'model', 'must be a tf.LayersModel or an array of tf.Variable', target);
  }
  const { value, grads } = tf.variableGrads(f, variables);
  try {
    return variables.map((v, i) => {
      const g = grads[v.name];
      const rms = g ? tf.tidy(() => tf.sqrt(tf.mean(tf.square(g))).dataSync()[0]) : 0;
      return { name: names[i], rms };
    });
  } finally {
    value.dispose();
    tf.dispose(grads);
  }
}

/**
 * The softmax normaliser `s_i = Σ_j e^{Z_ij}` of every row (Fig. 4.5, which starts at 2,342 on the 10-layer CIFAR
 * CNN and grows monotonically); computed as `exp(logsumexp(Z))`, so it is `Infinity` only when `s` itself exceeds
 * float32.
 *
 * @example
 * ```ts
 * const s = softmaxNormalizer(logits);   // [n]; log s.mean() and s.max() per batch
 * ```
 */
export function softmaxNormalizer(logits: tf.Tensor): tf.Tensor1D {
  const dims = {};
  checkTensor('softmaxNormalizer', 'logits', logits, { shape: ['n', 'k'], dtype: 'float32' }, dims);
  return tf.tidy(() => tf.exp(tf.logSumExp(logits, 1))) as tf.Tensor1D;
}
