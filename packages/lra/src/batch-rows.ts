/**
 * One minibatch step on selected rows: the fit loops of every trainer here gather the rows a batch needs, train on
 * them and free the copies.
 */
import * as tf from '@tensorflow/tfjs';

/** Runs `step` on rows `indices` of `x` and `y` (gathered copies, freed afterwards) and returns its loss. */
export function stepOnRows<X extends tf.Tensor>(x: X, y: tf.Tensor, indices: Int32Array, step: (xb: X, yb: tf.Tensor) => number): number {
  const idx = tf.tensor1d(indices, 'int32');
  const xb = tf.gather(x, idx) as X;
  const yb = tf.gather(y, idx);
  try {
    return step(xb, yb);
  } finally {
    tf.dispose([idx, xb, yb]);
  }
}
