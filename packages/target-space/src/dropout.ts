/**
 * Inverted dropout masks for target space: drawn from a seeded generator per iteration and pass, so that the
 * realisation pass and the training pass get independent masks (paper §5.2, footnote 4) and a resumed run draws the
 * same masks as an uninterrupted one.
 */
import type { Rng } from '@beyond-backprop/core-linalg';

/**
 * A mask of `size` entries: 0 with probability `rate`, else `1/(1 − rate)` (TensorFlow's `tf.nn.dropout` scaling,
 * as the authors' TensorFlow code; paper §5.2, footnote 4), so expected activations are unchanged.
 */
export function dropoutMask(rng: Rng, size: number, rate: number): Float64Array {
  const keep = 1 - rate;
  const scale = 1 / keep;
  const mask = new Float64Array(size);
  for (let i = 0; i < size; i++) mask[i] = rng.uniform() < keep ? scale : 0;
  return mask;
}
