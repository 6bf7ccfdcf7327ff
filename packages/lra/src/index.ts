/**
 * `@beyond-backprop/lra` — local representation alignment for TensorFlow.js.
 *
 * - **rec-LRA** (Ororbia et al., P2 Alg. 1–2): {@link RecLraNetwork} trains fully connected and residual networks
 *   without a global backward pass — error neurons, targets `φ(H − β·D)` carried by error synapses, local updates with
 *   no activation derivatives, re-projection onto a ball ({@link projectToBall}); the per-layer rules as pure functions
 *   ({@link layerSignal}, {@link layerUpdate}, {@link synapseUpdate}); the fixed-noise {@link PseudoConvolution}.
 * - **LRA RNNs** (Manchev & Garcia-Peraza-Herrera, P3): {@link LraRnn} with the regulariser in the direction of the
 *   update ({@link directionPenalty}), and its backprop-through-time twin {@link BpttRnn}.
 * - **Measuring locality**: {@link measureStepMemory}.
 *
 * @packageDocumentation
 */
export { ACTIVATION_NAMES, LEAKY_RELU_ALPHA, resolveActivation, type Activation, type ActivationName } from './activation.js';
export { projectToBall, type ProjectionOptions } from './update-projection.js';
export { errorParents, type ErrorWiring } from './error-wiring.js';
export { layerSignal, layerUpdate, synapseUpdate, type LayerSignal, type LayerUpdate } from './local-rules.js';
export {
  RecLraNetwork,
  disposeUpdates,
  type ErrorSynapseOptions,
  type RecLraCheckpoint,
  type RecLraConfig,
  type RecLraFitOptions,
  type RecLraUpdates,
} from './rec-lra-network.js';
export { PseudoConvolution, type PseudoConvolutionConfig } from './pseudo-convolution.js';
export { checkLocalLoss, localLoss, localLossGradient, type LocalLossName, type LossReduction } from './local-losses.js';
export { directionPenalty, type DirectionPenalty } from './direction-regularizer.js';
export { ElmanRnn, type ElmanRnnConfig, type RnnCheckpoint, type RnnFitOptions, type RnnGradients } from './elman-rnn.js';
export { LraRnn, type LraRnnConfig, type LraRnnDiagnostics, type LraRnnUpdates, type RegularizeTargets } from './lra-rnn.js';
export { BpttRnn, type BpttRnnConfig } from './bptt-rnn.js';
export { measureStepMemory, type StepMemory } from './step-memory.js';
export type { SavedTensor } from './training-state.js';
