/**
 * A typed front for `tf.customGrad`, whose own signature mixes tensors and the save callback in one rest parameter.
 */
import * as tf from '@tensorflow/tfjs';

/** Forward of a custom-gradient op: returns the value and a VJP that yields one gradient per input. */
export type CustomForward<I extends tf.Tensor[]> = (...args: [...I, tf.GradSaveFunc]) => {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
};

/** @internal Wraps `tf.customGrad` with parameter types. */
export function customOp<I extends tf.Tensor[]>(forward: CustomForward<I>): (...inputs: I) => tf.Tensor {
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: I) => op(...inputs);
}
