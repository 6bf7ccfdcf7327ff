/**
 * Exponential gradient amplification, exp-GA, and the sparse cross-entropy loss it minimises (thesis §4.5–4.6).
 */
import * as tf from '@tensorflow/tfjs';
import { checkNumber, checkTensor } from '@beyond-backprop/core-linalg';
import { DEFAULT_MAX_LOGIT, resolveHeadOptions, type HeadOptions, type LossOptions } from './head-options.js';
import { createOutputHead, type HeadLossFunction, type OutputHead } from './output-head.js';

/**
 * The exp-GA output `Y = α·e^Z` (§4.5). The thesis' formula has no cap, and neither has the default
 * (`maxLogit = Infinity`; float32 overflows above Z ≈ 88.7). A finite `maxLogit` continues it flat above the cap
 * (`α·e^{min(Z, maxLogit)}`); below the cap the value is bit-identical to the uncapped one.
 *
 * @example
 * ```ts
 * expOutput(tf.tensor2d([[0, 1]]), 0.1);   // [[0.1, 0.2718]]
 * ```
 */
export function expOutput(logits: tf.Tensor, alpha = 0.1, maxLogit = DEFAULT_MAX_LOGIT): tf.Tensor {
  checkTensor('expOutput', 'logits', logits, { dtype: 'float32' });
  checkNumber('expOutput', 'alpha', alpha, { min: 0, exclusiveMin: true });
  return tf.tidy(() => expKernel(logits, alpha, maxLogit));
}

function expKernel(z: tf.Tensor, alpha: number, maxLogit: number): tf.Tensor {
  return tf.mul(alpha, tf.exp(maxLogit === Infinity ? z : capped(z, maxLogit)));
}

/**
 * `min(z, c)` written as `z − relu(z − c)`, which tfjs can differentiate twice (its `Minimum` gradient cannot be).
 * Below the cap `relu(z − c)` is exactly 0, so `z` passes unrounded and the output and gradient equal the uncapped
 * ones bit for bit (the form `c − relu(c − z)` rounded `z` to the ulp of `c`: a relative error of ~1e-6 in `e^Z`).
 */
function capped(z: tf.Tensor, c: number): tf.Tensor {
  return tf.sub(z, tf.relu(tf.sub(z, c)));
}

/**
 * The exp-GA head (thesis §4.5–4.6): exponential output units trained with the **sparse cross-entropy loss**
 *
 * `L = Σ_m (‖y_m‖₁ − Σ_k t_mk ln y_mk) = Σ [α·e^Z − T∘(ln α + Z)]`,
 *
 * multiclass cross-entropy plus an L1 penalty on the (positive) outputs, whose gradient is `α·e^Z − T = Y − T` (the
 * displayed derivation of §4.6). It is the Poisson negative log-likelihood of `T` with rate `Y`, strictly convex in `Z`
 * (`∂²ℓ/∂Z² = α·e^Z`), minimised at `Z* = ln(T/α)` for `T > 0` and only as `Z → −∞` for `T = 0` — the "inequality"
 * relaxation of §4.5. Normalising the outputs after training gives `softmax(Z)` exactly (α cancels).
 *
 * `ln Y` is computed as `ln α + Z`, never as `log(exp(Z))`, so very negative logits are safe. Like the thesis, the
 * default has no cap: `α·e^Z` overflows float32 above Z ≈ 88.7 (the fit loop then stops with `TrainingDivergedError`
 * without applying the update; `debug: true` names the logit). Set `maxLogit` (e.g. 50) to continue the exponential
 * by its tangent above it, so +100 is safe too; below the cap nothing changes.
 *
 * Defaults: α = 0.1 ("worked well in all our experiments", §4.5), targets {0, 2}; the thesis used
 * {0, 16} (5-layer CNN), {0, 6} (10-layer CNN), {0, 2} with α = 0.5 (VGG).
 *
 * @example
 * ```ts
 * const head = expGA({ alpha: 0.1, targets: { neg: 0, pos: 6 } });
 * model.compile({ optimizer: tf.train.sgd(0.1), loss: head.lossFn(), metrics: ['accuracy'] });
 * await model.fit(x, tf.oneHot(labels, 10), { epochs: 10 });
 * ```
 */
export function expGA(options: HeadOptions = {}): OutputHead {
  const params = resolveHeadOptions('expGA', 'exp-ga', options);
  const { alpha, maxLogit, dropConstant } = params;
  const lnAlpha = Math.log(alpha);
  return createOutputHead('exp-ga', 'exp-ga', params, {
    output: (z) => expKernel(z, alpha, maxLogit),
    elementLoss: (z, t) => {
      // α·e^Z, continued by its tangent above maxLogit: the loss stays convex and C¹ with a non-zero gradient.
      const ey = maxLogit === Infinity ? tf.mul(alpha, tf.exp(z)) : tf.mul(tf.mul(alpha, tf.exp(capped(z, maxLogit))), tf.add(1, tf.relu(tf.sub(z, maxLogit))));
      return tf.sub(ey, tf.mul(t, dropConstant ? z : tf.add(z, lnAlpha)));
    },
    deltaFromOutput: (y, t) => tf.sub(y, t),
    inverse: (y) => tf.sub(tf.log(tf.maximum(y, 1e-37)), lnAlpha),
    stationaryPoint: (t) => (t > 0 ? Math.log(t / alpha) : t === 0 ? -Infinity : Number.NaN),
  });
}

/**
 * The sparse cross-entropy loss of exp-GA (§4.6) as a `(yTrue, yPred)` closure, `yPred` being the logits of a linear
 * last layer and `yTrue` one-hot rows (or int32 labels in custom loops). Same as `expGA(head).lossFn(loss)`.
 *
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: sparseCrossEntropyLoss({ alpha: 0.1, targets: { neg: 0, pos: 16 } }) });
 * ```
 */
export function sparseCrossEntropyLoss(head: HeadOptions = {}, loss: Omit<LossOptions, 'weights'> = {}): HeadLossFunction {
  return expGA(head).lossFn(loss);
}
