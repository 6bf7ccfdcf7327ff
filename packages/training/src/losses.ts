/**
 * The losses the papers train with, mean-reduced over examples (the authors' code uses `reduce_mean`; with a summed
 * loss the paper's learning rates would be n times too large; Fairbank & Samothrakis do not state the reduction).
 */
import * as tf from '@tensorflow/tfjs';
import { checkTensor } from '@beyond-backprop/core-linalg';
import { fusedSoftmaxCrossEntropy, hasFusedSoftmaxCrossEntropy } from './softmax-cross-entropy-kernel.js';

/**
 * Mean softmax cross-entropy of `logits: [n, k]` against `labels`: int32 class indices `[n]` or a float one-hot /
 * probability matrix `[n, k]`; an index outside `[0, k)` is an all-zero target row. Computed through the row's
 * log-sum-exp after subtracting its maximum, so large logits do not overflow. On the wasm and cpu backends the loss
 * and its gradient are one fused kernel each way; elsewhere tfjs' `logSoftmax` composite.
 *
 * @example
 * ```ts
 * const loss = softmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), logits);
 * ```
 */
export function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  const dims = {};
  checkTensor('softmaxCrossEntropy', 'logits', logits, { shape: ['n', 'k'], dtype: 'float32' }, dims);
  if (labels.dtype === 'int32') checkTensor('softmaxCrossEntropy', 'labels', labels, { shape: ['n'] }, dims);
  else checkTensor('softmaxCrossEntropy', 'labels', labels, { shape: ['n', 'k'], dtype: 'float32' }, dims);
  if (hasFusedSoftmaxCrossEntropy()) return fusedSoftmaxCrossEntropy(labels, logits);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const target = labels.dtype === 'int32' ? tf.oneHot(labels as tf.Tensor1D, logits.shape[1]!) : labels;
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 1)));
  }) as tf.Scalar;
}

/**
 * Mean of the squared errors over every example and output, `mean_ij (ŷ_ij − y_ij)²` (Keras `meanSquaredError`).
 * `targets` and `predictions` must have the same shape.
 *
 * @example
 * ```ts
 * const loss = meanSquaredError(yTrue, model.predict(x) as tf.Tensor);
 * ```
 */
export function meanSquaredError(targets: tf.Tensor, predictions: tf.Tensor): tf.Scalar {
  checkTensor('meanSquaredError', 'predictions', predictions, { dtype: 'float32' });
  checkTensor('meanSquaredError', 'targets', targets, { shape: predictions.shape, dtype: 'float32' });
  return tf.tidy(() => tf.mean(tf.squaredDifference(predictions, targets))) as tf.Scalar;
}

/** Loss names accepted by trainers. */
export type LossName = 'softmaxCrossEntropy' | 'meanSquaredError';

/** A loss: `(yTrue, yPred) → scalar`, the argument order of tfjs `model.compile({ loss })`. */
export type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** Resolves a loss name or function. */
export function resolveLoss(loss: LossName | LossFunction | undefined): LossFunction {
  if (typeof loss === 'function') return loss;
  if (loss === undefined || loss === 'softmaxCrossEntropy') return softmaxCrossEntropy;
  if (loss === 'meanSquaredError') return meanSquaredError;
  throw new Error(`unknown loss '${String(loss)}'`);
}
