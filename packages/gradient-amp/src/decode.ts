/**
 * From head outputs or logits to classes and, where the thesis gives a reading, to probabilities (§4.2).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, checkTensor } from '@beyond-backprop/core-linalg';
import type { HeadName } from './head-options.js';
import type { OutputHead } from './output-head.js';

/**
 * The predicted class of each row, `argmax_j scores_ij` (int32 `[n]`; rank > 2 scores give labels of their leading
 * shape). Every head's output is increasing in its logit (α > 0), so logits and head outputs decode alike (thesis
 * §4.5: normalising exp-GA's outputs gives softmax).
 *
 * @example
 * ```ts
 * predictClasses(model.predict(x) as tf.Tensor);   // int32 [n]
 * ```
 */
export function predictClasses(scores: tf.Tensor): tf.Tensor {
  checkTensor('predictClasses', 'scores', scores, { dtype: 'float32' });
  if (scores.rank < 2) throw new ShapeError('predictClasses', 'scores', ['n', 'k'], scores.shape, 'rank ≥ 2 with classes on the last axis');
  return tf.tidy(() => tf.argMax(scores, -1));
}

/**
 * Class probabilities from logits, where the thesis gives them a meaning: for softmax and exp-GA, `softmax(Z)` —
 * for exp-GA this is the post-hoc normalisation `Y / Σ_j Y` of §4.2 ("the normalization might just as well be
 * applied after training"), independent of α. The other heads have no probabilistic reading in the thesis and throw.
 *
 * @example
 * ```ts
 * const p = toProbabilities(expGA(), logits);   // rows sum to 1
 * ```
 */
export function toProbabilities(head: OutputHead | HeadName, logits: tf.Tensor): tf.Tensor {
  const fn = 'toProbabilities';
  const name = typeof head === 'string' ? head : head?.builtin;
  if (name !== 'softmax-ce' && name !== 'exp-ga') {
    throw new InvalidArgumentError(
      fn,
      'head',
      "must be 'softmax-ce' or 'exp-ga' (the thesis defines no probabilities for the other heads)",
      typeof head === 'string' ? head : head?.name,
    );
  }
  checkTensor(fn, 'logits', logits, { dtype: 'float32' });
  if (logits.rank < 2) throw new ShapeError(fn, 'logits', ['n', 'k'], logits.shape, 'rank ≥ 2 with classes on the last axis');
  return tf.tidy(() => tf.softmax(logits));
}
