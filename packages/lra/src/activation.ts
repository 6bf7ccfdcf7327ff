/**
 * Hidden-layer nonlinearities of rec-LRA. The learning rule only ever *applies* φ (to form a target φ(H − βD)), never
 * differentiates it, so activations without a useful derivative, such as `sign`, train as well as smooth ones.
 */
import type * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, ACTIVATION_NAMES as REGISTRY_NAMES, InvalidArgumentError, LEAKY_RELU_ALPHA, type ActivationName } from '@beyond-backprop/core-linalg';

/**
 * Names of the built-in hidden activations (P2 Table 1: tanh, leaky ReLU, ELU, sign; Fig. 4: logistic sigmoid): all
 * of core-linalg's activation registry.
 */
export type { ActivationName };

/**
 * A nonlinearity φ applied element-wise. Only `apply` is used by the local rules; `derivative` exists for callers
 * that compare with backprop and may be missing (or throw) for non-differentiable functions.
 */
export interface Activation {
  readonly name: string;
  apply(h: tf.Tensor): tf.Tensor;
  derivative?(h: tf.Tensor): tf.Tensor;
}

/** Negative-side slope of `leakyRelu` (core-linalg's registry value, tfjs' default; P2 does not give one). */
export { LEAKY_RELU_ALPHA };

const BUILT_IN = Object.fromEntries(
  REGISTRY_NAMES.map((name): [ActivationName, Activation] => {
    const spec = ACTIVATIONS[name];
    // No derivative for sign: the paper's example of a function backprop cannot train through (P2 Table 1).
    const derivative = name === 'sign' ? undefined : (h: tf.Tensor) => spec.tfDerivative(h, LEAKY_RELU_ALPHA);
    return [name, { name, apply: (h) => spec.tf(h, LEAKY_RELU_ALPHA), ...(derivative ? { derivative } : {}) }];
  }),
) as Record<ActivationName, Activation>;

/** The names {@link resolveActivation} accepts. */
export const ACTIVATION_NAMES: ActivationName[] = [...REGISTRY_NAMES];

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
