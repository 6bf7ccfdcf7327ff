/**
 * Hidden-layer nonlinearities of rec-LRA. The learning rule only ever *applies* φ (to form a target φ(H − βD)), never
 * differentiates it, so activations without a useful derivative, such as `sign`, train as well as smooth ones.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';

/** Names of the built-in hidden activations (P2 Table 1: tanh, leaky ReLU, ELU, sign; Fig. 4: logistic sigmoid). */
export type ActivationName = 'tanh' | 'sigmoid' | 'relu' | 'leakyRelu' | 'elu' | 'sign' | 'linear';

/**
 * A nonlinearity φ applied element-wise. Only `apply` is used by the local rules; `derivative` exists for callers
 * that compare with backprop and may be missing (or throw) for non-differentiable functions.
 */
export interface Activation {
  readonly name: string;
  apply(h: tf.Tensor): tf.Tensor;
  derivative?(h: tf.Tensor): tf.Tensor;
}

/** Negative-side slope of `leakyRelu` (tfjs' default; P2 Sec. 4 does not give one). */
export const LEAKY_RELU_ALPHA = 0.2;

const BUILT_IN: Record<ActivationName, Activation> = {
  tanh: { name: 'tanh', apply: (h) => tf.tanh(h), derivative: (h) => tf.tidy(() => tf.sub(1, tf.square(tf.tanh(h)))) },
  sigmoid: {
    name: 'sigmoid',
    apply: (h) => tf.sigmoid(h),
    derivative: (h) => tf.tidy(() => {
      const s = tf.sigmoid(h);
      return tf.mul(s, tf.sub(1, s));
    }),
  },
  relu: { name: 'relu', apply: (h) => tf.relu(h), derivative: (h) => tf.tidy(() => tf.cast(tf.greater(h, 0), 'float32')) },
  leakyRelu: {
    name: 'leakyRelu',
    apply: (h) => tf.leakyRelu(h, LEAKY_RELU_ALPHA),
    derivative: (h) => tf.tidy(() => tf.where(tf.greater(h, 0), tf.onesLike(h), tf.fill(h.shape, LEAKY_RELU_ALPHA))),
  },
  elu: { name: 'elu', apply: (h) => tf.elu(h), derivative: (h) => tf.tidy(() => tf.where(tf.greater(h, 0), tf.onesLike(h), tf.exp(h))) },
  // No derivative: sign is the paper's example of a function backprop cannot train through (P2 Table 1).
  sign: { name: 'sign', apply: (h) => tf.sign(h) },
  linear: { name: 'linear', apply: (h) => tf.clone(h), derivative: (h) => tf.onesLike(h) },
};

/** The names {@link resolveActivation} accepts. */
export const ACTIVATION_NAMES = Object.keys(BUILT_IN) as ActivationName[];

/**
 * The activation called `name`, or `activation` itself when it already is an {@link Activation} object.
 *
 * @example
 * ```ts
 * resolveActivation('sign').apply(tf.tensor1d([-2, 0.5]));   // [-1, 1]
 * ```
 */
export function resolveActivation(fn: string, argument: string, activation: ActivationName | Activation): Activation {
  if (typeof activation === 'string') {
    if (Object.hasOwn(BUILT_IN, activation)) return BUILT_IN[activation];
  } else if (activation !== null && typeof activation === 'object' && typeof activation.apply === 'function') {
    return activation;
  }
  throw new InvalidArgumentError(fn, argument, `must be one of ${ACTIVATION_NAMES.map((a) => `'${a}'`).join(', ')} or an object with apply(h)`, activation);
}
