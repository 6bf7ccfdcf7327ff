/**
 * The generic canonical head of the manual-gradient route (the matching loss of §4.5–4.8, with `Y − T` imposed as the gradient): any monotone output function with
 * the canonical delta `Y − T` imposed through `tf.customGrad`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { resolveHeadOptions, type HeadOptions } from './head-options.js';
import { createOutputHead, type OutputHead } from './output-head.js';

/** Extra settings of {@link canonicalHead}. */
export interface CanonicalHeadOptions extends Pick<HeadOptions, 'targets' | 'reduction' | 'debug'> {
  /** Name used in messages and logs. Default `'canonical'`. */
  name?: string;
  /** `f⁻¹`, needed only to compute loss values from head outputs (`input: 'outputs'`). */
  inverse?: (y: tf.Tensor) => tf.Tensor;
}

/**
 * Builds a head from an output function `f` and, optionally, its antiderivative `F` (`F' = f`). The loss value is the
 * matching loss `Σ [F(Z) − T∘Z]`, whose gradient is `f(Z) − T = Y − T`; the gradient is always imposed as that
 * closed form (`path: 'manual'`). Without `F` the head reports `½‖f(Z) − T‖²` as a monitoring value only, while still
 * imposing `Y − T` — "an output activation with an incorrect gradient formulation imposed on it" (§4.5).
 *
 * Every built-in head is such a pair up to constants: linear (`z`, `½z²`), sigmoid (`σ`, softplus), tanh
 * (`tanh`, `log cosh`), exp (`αe^z`, `αe^z`), cubic (`αz³ + β`, `¼αz⁴ + βz`). `f` must be increasing for decoding by
 * `argmax Z` to hold. Custom heads are not serialisable as layers.
 *
 * @example
 * ```ts
 * // exp-GA without the −T·ln α constant, through the manual route
 * const head = canonicalHead((z) => tf.mul(0.1, tf.exp(z)), (z) => tf.mul(0.1, tf.exp(z)), { targets: { neg: 0, pos: 2 } });
 * const loss = head.loss(labels, logits);   // gradient (0.1·e^Z − T)/n
 * ```
 */
export function canonicalHead(f: (z: tf.Tensor) => tf.Tensor, F?: (z: tf.Tensor) => tf.Tensor, options: CanonicalHeadOptions = {}): OutputHead {
  const fn = 'canonicalHead';
  if (typeof f !== 'function') throw new InvalidArgumentError(fn, 'f', 'must be a function of the logits', f);
  if (F !== undefined && typeof F !== 'function')
    throw new InvalidArgumentError(fn, 'F', 'must be a function of the logits (the antiderivative of f) or undefined', F);
  const name = options.name ?? 'canonical';
  const params = resolveHeadOptions(fn, 'custom', { targets: options.targets ?? { neg: 0, pos: 1 }, reduction: options.reduction, debug: options.debug });
  const head = createOutputHead(name, null, params, {
    output: f,
    elementLoss: F ? (z, t) => tf.sub(F(z), tf.mul(t, z)) : null,
    deltaFromOutput: (y, t) => tf.sub(y, t),
    inverse: options.inverse ?? null,
    stationaryPoint: null,
  });
  // The closed form is the point of this head: make the manual route the only route.
  return Object.freeze({
    ...head,
    loss: (y, logits, opts = {}) => head.loss(y, logits, { ...opts, path: 'manual' }),
    lossFn: (opts = {}) => head.lossFn({ ...opts, path: 'manual' }),
  } satisfies OutputHead);
}
