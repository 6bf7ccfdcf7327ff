/**
 * `@beyond-backprop/compression/tfjs` — TensorFlow.js adapters of the codec: model weights in and out, the
 * {@link SimulatedSync} training callback that reproduces the thesis's compressed synchronisation in one process
 * (Øland, ch. 3), and the per-layer gradient RMS of §3.3.
 *
 * @packageDocumentation
 */
export { applyDecompressed, compressVariables, modelWeights, readVariables, type ModelWeights } from './model-weights.js';
export { SimulatedSync, type SimulatedSyncOptions, type SyncRecord, type SyncSummary } from './simulated-sync.js';
export { kernelGradientRms } from './gradient-rms.js';
