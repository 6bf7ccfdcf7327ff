/**
 * `@beyond-backprop/training` — how every beyond-backprop method trains: {@link runFitLoop} (epochs, seeded
 * minibatches, callbacks, `AbortSignal`, divergence, history), the losses and metrics the papers use, and the
 * plain-backprop baseline ({@link denseNetwork}, {@link fitBackprop}) every method is compared with.
 *
 * @packageDocumentation
 */
export { TrainingDivergedError, variableSnapshots } from './divergence.js';
export {
  resolveFitOptions,
  epochRng,
  runFitLoop,
  type CheckpointHook,
  type EpochLogs,
  tracksAccuracy,
  type FitCallbacks,
  type FitControl,
  type FitMetric,
  type FitOptions,
  type FitStep,
  type StateSnapshots,
  type History,
} from './fit-loop.js';
export { exportModelName, type ToLayersModelOptions } from './layers-export.js';
export { earlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { meanSquaredError, resolveLoss, softmaxCrossEntropy, type LossFunction, type LossName } from './losses.js';
export { SOFTMAX_CROSS_ENTROPY_KERNEL } from './softmax-cross-entropy-kernel.js';
export { accuracy } from './metrics.js';
export { denseNetwork, type DenseActivation, type DenseNetworkSpec } from './dense-network.js';
export { checkInit, initScheme, initialiseWeights, type DenseInit, type InitScheme } from './weight-init.js';
export { FUSED_ADAM_KERNEL, FusedAdamOptimizer, fusedAdam } from './fused-optimizer.js';
export { backpropBatch, fitBackprop, paperAdam, type BackpropFitOptions } from './backprop.js';
export {
  CHECKPOINT_BINARY_VERSION,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  CheckpointReader,
  checkpointEnvelope,
  decodeCheckpoint,
  encodeCheckpoint,
  type CheckpointEnvelope,
} from './checkpoint.js';
export { disposeOptimizer, optimizerFromState, restoreOptimizerState, saveOptimizerState, type OptimizerState } from './optimizer-state.js';
export {
  measureStepMemory,
  startStepMemory,
  tensorBytes,
  variableBytes,
  type StepMemory,
  type StepMemoryOptions,
  type StepMemoryRecorder,
} from './step-memory.js';
