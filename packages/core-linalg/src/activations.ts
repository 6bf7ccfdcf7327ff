/**
 * The one registry of elementwise activations for every beyond-backprop package: for each name, the float64
 * function and derivative (the float64 tape, the explicit target gradients, the Platonic closed-form fits), the
 * TensorFlow.js op, and the `tf.layers` layer that exports it.
 *
 * It lives in core-linalg because core-linalg owns the numerics (its float64 tape differentiates these functions)
 * and every other package already depends on it, so no package keeps a private copy of a formula or a slope.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';

/** Every built-in activation name. Packages accept subsets of it (e.g. target-space: no `elu`, `sign`). */
export type ActivationName = 'tanh' | 'sigmoid' | 'relu' | 'leakyRelu' | 'elu' | 'sign' | 'linear';

/**
 * Default negative-side slope of `leakyRelu`: 0.2, eq. 21 of Fairbank & Samothrakis (target-space CNNs), also
 * tfjs's `tf.leakyRelu` default; the LRA and Platonic papers give none.
 */
export const LEAKY_RELU_ALPHA = 0.2;

/** One registry entry. `alpha` is the leaky-ReLU slope (ignored by the others). */
export interface ActivationSpec {
  readonly name: ActivationName;
  /** φ(s) in float64. NaN stays NaN (callers detect non-finite values after the fact). */
  f64(s: number, alpha: number): number;
  /**
   * φ'(s) given the sum `s` and the output `y = φ(s)` (tanh and sigmoid use `y`, which is exact and cheaper).
   * `sign` has no useful derivative: it returns 0 (the paper's example of what backprop cannot train through).
   */
  f64Derivative(s: number, y: number, alpha: number): number;
  /** φ on a tensor. */
  tf(x: tf.Tensor, alpha: number): tf.Tensor;
  /** φ' on a tensor of sums (`sign`: zeros). */
  tfDerivative(x: tf.Tensor, alpha: number): tf.Tensor;
  /** The `tf.layers` layer computing φ (`null` for `sign`, which has none). */
  layer(options: { alpha?: number; name?: string }): tf.layers.Layer | null;
}

const activationLayer = (activation: 'tanh' | 'sigmoid' | 'relu' | 'elu' | 'linear') => (options: { name?: string }) =>
  tf.layers.activation({ activation, ...(options.name === undefined ? {} : { name: options.name }) });

/**
 * The registry. Values match the formulas each package used before it existed bit for bit on finite inputs.
 *
 * @example
 * ```ts
 * ACTIVATIONS.tanh.f64(0.5, LEAKY_RELU_ALPHA);             // Math.tanh(0.5)
 * ACTIVATIONS.leakyRelu.layer({ alpha: 0.2, name: 'act' }); // tf.layers.leakyReLU
 * ```
 */
export const ACTIVATIONS: Readonly<Record<ActivationName, ActivationSpec>> = {
  tanh: {
    name: 'tanh',
    f64: (s) => Math.tanh(s),
    f64Derivative: (_s, y) => 1 - y * y,
    tf: (x) => tf.tanh(x),
    tfDerivative: (x) => tf.tidy(() => tf.sub(1, tf.square(tf.tanh(x)))),
    layer: activationLayer('tanh'),
  },
  sigmoid: {
    name: 'sigmoid',
    f64: (s) => 1 / (1 + Math.exp(-s)),
    f64Derivative: (_s, y) => y * (1 - y),
    tf: (x) => tf.sigmoid(x),
    tfDerivative: (x) =>
      tf.tidy(() => {
        const s = tf.sigmoid(x);
        return tf.mul(s, tf.sub(1, s));
      }),
    layer: activationLayer('sigmoid'),
  },
  relu: {
    name: 'relu',
    f64: (s) => (s > 0 ? s : s <= 0 ? 0 : s),
    f64Derivative: (s) => (s > 0 ? 1 : 0),
    tf: (x) => tf.relu(x),
    tfDerivative: (x) => tf.tidy(() => tf.cast(tf.greater(x, 0), 'float32')),
    layer: activationLayer('relu'),
  },
  leakyRelu: {
    name: 'leakyRelu',
    f64: (s, alpha) => (s > 0 ? s : alpha * s),
    f64Derivative: (s, _y, alpha) => (s > 0 ? 1 : alpha),
    tf: (x, alpha) => tf.leakyRelu(x, alpha),
    tfDerivative: (x, alpha) => tf.tidy(() => tf.where(tf.greater(x, 0), tf.onesLike(x), tf.fill(x.shape, alpha))),
    layer: (options) => tf.layers.leakyReLU({ alpha: options.alpha ?? LEAKY_RELU_ALPHA, ...(options.name === undefined ? {} : { name: options.name }) }),
  },
  elu: {
    name: 'elu',
    f64: (s) => (s < 0 ? Math.expm1(s) : s),
    f64Derivative: (s) => (s > 0 ? 1 : Math.exp(s)),
    tf: (x) => tf.elu(x),
    tfDerivative: (x) => tf.tidy(() => tf.where(tf.greater(x, 0), tf.onesLike(x), tf.exp(x))),
    layer: activationLayer('elu'),
  },
  sign: {
    name: 'sign',
    f64: (s) => Math.sign(s),
    f64Derivative: () => 0,
    tf: (x) => tf.sign(x),
    tfDerivative: (x) => tf.zerosLike(x),
    layer: () => null,
  },
  linear: {
    name: 'linear',
    f64: (s) => s,
    f64Derivative: () => 1,
    tf: (x) => tf.clone(x),
    tfDerivative: (x) => tf.onesLike(x),
    layer: activationLayer('linear'),
  },
};

/** Every name in the registry. */
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

/**
 * The registry entry called `name`, checked against `allowed` (default: all); otherwise `InvalidArgumentError`
 * naming `fn` and `argument` and listing the allowed names.
 *
 * @example
 * ```ts
 * const phi = activation('TargetSpaceMlp', 'architecture.activation', 'tanh', ['tanh', 'relu']);
 * ```
 */
export function activation<N extends ActivationName>(
  fn: string,
  argument: string,
  name: unknown,
  allowed: readonly N[] = ACTIVATION_NAMES as N[],
): ActivationSpec & { name: N } {
  if (typeof name !== 'string' || !allowed.includes(name as N)) {
    throw new InvalidArgumentError(fn, argument, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, name);
  }
  return ACTIVATIONS[name as N] as ActivationSpec & { name: N };
}
