/**
 * `@beyond-backprop/target-space` — Fairbank & Samothrakis, *Deep Learning in Target Space*: networks whose
 * parameters are layer targets on a fixed realisation batch, whose weights are realised from them by ridge least
 * squares with sequential cascade untangling, and which are trained by gradient descent on the targets.
 *
 * - {@link TargetSpaceMlp}: fully connected networks (Alg. 1–4), SCU or OCU, dropout in both passes, any optimiser,
 *   float64 CPU or TensorFlow.js engine, `toLayersModel()`, exact checkpoints.
 * - {@link TargetSpaceRnn}: recurrent networks (Alg. 5–6) with the SCU/OCU hybrid, every-step or last-step readout,
 *   token embeddings trained in weight space, fixed or uniform-random realisation sequences.
 * - {@link TargetSpaceCnn}: convolutional networks (§4.2) whose kernels are solved from patch matrices, optionally
 *   from a fixed subset of patch rows.
 * - {@link WeightSpaceMlp}, {@link WeightSpaceRnn}, {@link weightSpaceCnn}: the same networks trained by plain
 *   backpropagation (through time), the baselines of every comparison.
 * - {@link realise}, {@link feedForward}, {@link targetGradients}, {@link realiseRecurrent}, {@link realiseConv}: the
 *   algorithms themselves.
 *
 * @packageDocumentation
 */
export { fanIns, resolveDenseArchitecture, type DenseArchitecture, type ResolvedDenseArchitecture } from './dense-architecture.js';
export { DenseBackpropF64 } from './dense-backprop-f64.js';
export { feedForward, realise, type CascadeUntangling, type Realisation } from './realisation.js';
export { targetGradients } from './target-gradient.js';
export { Float64Ops, LEAKY_RELU_ALPHA, TfOps, type Activation, type Ops } from './tensor-ops.js';
export {
  createFloat64Optimizer,
  resolveOptimizerConfig,
  tfOptimizerFor,
  type Float64Optimizer,
  type Float64OptimizerState,
  type TargetOptimizer,
  type TargetOptimizerConfig,
} from './target-optimizer.js';
export { dropoutMask } from './dropout.js';
export { toMatrixInput, type MatrixInput } from './matrix-input.js';
export {
  FLOAT64_ENGINE_WORK_LIMIT,
  TargetSpaceModel,
  isTfOptimizer,
  type LossBuilder,
  type ParameterState,
  type TargetSpaceEngine,
} from './target-space-model.js';
export { TargetSpaceMlp, estimateStepWork, type TargetSpaceFitOptions, type TargetSpaceMlpCheckpoint, type TargetSpaceMlpOptions } from './target-space-mlp.js';
export { WeightSpaceMlp, initialWeights, type WeightInit, type WeightSpaceMlpOptions } from './weight-space-twin.js';
export {
  realiseRecurrent,
  recurrentForward,
  runRecurrentLayer,
  type RecurrentCascade,
  type RecurrentRealisation,
  type RecurrentShape,
} from './recurrent-realisation.js';
export {
  TargetSpaceRnn,
  type RecurrentArchitecture,
  type TargetSpaceRnnCheckpoint,
  type TargetSpaceRnnFitOptions,
  type TargetSpaceRnnOptions,
} from './target-space-rnn.js';
export {
  convForward,
  convLayer,
  convOutputSizes,
  flattenedWidth,
  realiseConv,
  type ConvArchitecture,
  type ConvLayerSpec,
  type ConvRealisation,
  type ConvShape,
} from './conv-realisation.js';
export {
  TargetSpaceCnn,
  type TargetSpaceCnnCheckpoint,
  type TargetSpaceCnnFitOptions,
  type TargetSpaceCnnOptions,
} from './target-space-cnn.js';
export { WeightSpaceRnn, type WeightSpaceRnnFitOptions, type WeightSpaceRnnOptions } from './weight-space-rnn.js';
export { weightSpaceCnn, type WeightSpaceCnnOptions } from './weight-space-cnn.js';
