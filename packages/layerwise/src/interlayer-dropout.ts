/**
 * Forward and backward dropout (Øland, thesis §6.6.3, Fig. 6.4): the interlayer regularisation that strict bottom-up
 * layer-wise learning loses. Forward dropout drops elements of the unit's input with a rate that decays per epoch;
 * backward ("gradient") dropout leaves the forward value untouched and drops elements of the gradient that flows from
 * the decision head back into the unit, so the head still fits everything while the unit gets a noisier signal.
 */
import * as tf from '@tensorflow/tfjs';
import { checkNumber } from '@beyond-backprop/core-linalg';

/**
 * Identity in the forward pass; in the backward pass multiplies the upstream gradient by a Bernoulli keep-mask
 * (keep probability `1 − p`, drawn with `seed`) scaled by `1/(1 − p)` (inverted dropout). `p = 0` is the identity in
 * both directions.
 *
 * @param z any tensor (the unit's output, `[m, …]`)
 * @param p drop probability of a gradient element, `0 ≤ p < 1` (Table 6.3: 0.3–0.6)
 * @param seed seed of the mask; give every minibatch its own
 *
 * @example
 * ```ts
 * const y = head.apply(gradientDropout(unit.apply(h) as tf.Tensor, 0.6, rng.int(2 ** 31))) as tf.Tensor;
 * ```
 */
export function gradientDropout(z: tf.Tensor, p: number, seed: number): tf.Tensor {
  checkNumber('gradientDropout', 'p', p, { min: 0, max: 1, exclusiveMax: true });
  checkNumber('gradientDropout', 'seed', seed, { integer: true });
  if (p === 0) return z;
  const op = tf.customGrad((x, save) => {
    (save as tf.GradSaveFunc)([]);
    return {
      value: tf.clone(x as tf.Tensor),
      gradFunc: (dy: tf.Tensor) => {
        const keep = tf.cast(tf.greaterEqual(tf.randomUniform(dy.shape, 0, 1, 'float32', seed), p), 'float32');
        return tf.mul(dy, tf.div(keep, 1 - p));
      },
    };
  });
  return op(z);
}

/**
 * Element-wise inverted dropout of the unit's input (forward dropout, §6.6.3): each element is zeroed with
 * probability `p` and the survivors are scaled by `1/(1 − p)`; `p = 0` returns `h` itself.
 *
 * @example
 * ```ts
 * const hIn = inputDropout(h, inputDropoutRate({ p0: 0.8 }, epoch), seed);
 * ```
 */
export function inputDropout(h: tf.Tensor, p: number, seed: number): tf.Tensor {
  checkNumber('inputDropout', 'p', p, { min: 0, max: 1, exclusiveMax: true });
  if (p === 0) return h;
  return tf.dropout(h, p, undefined, seed);
}
