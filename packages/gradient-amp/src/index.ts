/**
 * `@beyond-backprop/gradient-amp` — non-squashing output heads and gradient-amplifying losses for TensorFlow.js
 * (Øland, *Efficient Deep Learning*, CMU-CS-24-147, ch. 4 "Gradient Amplification").
 *
 * - **Heads** ({@link OutputHead}): {@link expGA} (exponential outputs, sparse cross-entropy loss, §4.5–4.6),
 *   {@link pow3GA} (cubic amplification, negative correlation loss, §4.7–4.8) and the baselines
 *   {@link softmaxCrossEntropy}, {@link linearMse}, {@link sigmoidCrossEntropy}, {@link tanhCanonical}; all with
 *   `∂L/∂Z = Y − T`, reductions, masking, and both the autodiff and the manual (`tf.customGrad`) route;
 *   {@link canonicalHead} for any output function. Losses plug into `model.compile({ loss })`.
 * - **Layers**: {@link OutputHeadLayer} (serialisable), {@link withOutputHead}; decoding with
 *   {@link predictClasses} and {@link toProbabilities}.
 * - **Training**: {@link fitHead} through the shared fit loop.
 * - **Analysis**: {@link curvature} (eqs. 4.1–4.4), {@link outputDeltas}, {@link gradientRmsByLayer},
 *   {@link softmaxNormalizer}.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_MAX_LOGIT,
  HEAD_DEFAULTS,
  HEAD_NAMES,
  type HeadName,
  type HeadOptions,
  type HeadParams,
  type LossOptions,
  type Reduction,
  type TargetFormat,
  type TargetValues,
} from './head-options.js';
export type { HeadLossFunction, OutputHead } from './output-head.js';
export { linearMse, sigmoidCrossEntropy, softmaxCrossEntropy, tanhCanonical } from './baseline-heads.js';
export { expGA, expOutput, sparseCrossEntropyLoss } from './exp-ga.js';
export { cubicOutput, negativeCorrelationLoss, pow3GA } from './pow3-ga.js';
export { canonicalHead, type CanonicalHeadOptions } from './canonical-head.js';
export { createHead } from './create-head.js';
export { encodeTargets, flattenPixels, type Labels } from './targets.js';
export { predictClasses, toProbabilities } from './decode.js';
export { OutputHeadLayer, outputHead, withOutputHead, type HeadBackward, type OutputHeadLayerArgs } from './output-layer.js';
export { curvature, type CurvatureFormulas } from './curvature.js';
export { gradientRmsByLayer, outputDeltas, softmaxNormalizer, type GradientRms } from './instrumentation.js';
export { fitHead, type FitHeadOptions } from './fit-head.js';
export { HeadOverflowError } from './errors.js';
