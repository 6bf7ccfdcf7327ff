/**
 * Classification metrics over logits or probabilities (argmax is the same for both).
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError, checkTensor, readValues } from '@beyond-backprop/core-linalg';

/**
 * Fraction of rows of `scores: [n, k]` whose argmax equals the label (`labels`: int32 `[n]` tensor or array).
 *
 * @example
 * ```ts
 * accuracy(model.predict(x) as tf.Tensor2D, testLabels);   // e.g. 0.985
 * ```
 */
export function accuracy(scores: tf.Tensor, labels: tf.Tensor | Int32Array): number {
  const dims = {};
  checkTensor('accuracy', 'scores', scores, { shape: ['n', 'k'] }, dims);
  const truth = labels instanceof tf.Tensor ? (labels.dataSync() as Int32Array) : labels;
  if (truth.length !== scores.shape[0]) throw new ShapeError('accuracy', 'labels', [`n = ${scores.shape[0]}`], [truth.length]);
  const predicted = readValues(() => tf.argMax(scores, 1)) as Int32Array;
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) correct++;
  return predicted.length === 0 ? 0 : correct / predicted.length;
}
