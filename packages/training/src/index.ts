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
  type FitCallbacks,
  type FitOptions,
  type FitStep,
  type StateSnapshots,
  type History,
} from './fit-loop.js';
export { meanSquaredError, resolveLoss, softmaxCrossEntropy, type LossFunction, type LossName } from './losses.js';
export { accuracy } from './metrics.js';
export { denseNetwork, type DenseActivation, type DenseNetworkSpec } from './dense-network.js';
export { initialiseWeights, type DenseInit } from './weight-init.js';
export { backpropBatch, fitBackprop, paperAdam, type BackpropFitOptions } from './backprop.js';
