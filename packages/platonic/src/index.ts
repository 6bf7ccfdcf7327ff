/**
 * `@beyond-backprop/platonic` — Platonic projections (Øland, *Efficient Deep Learning*, 2024, ch. 7): fitting
 * multilayer perceptrons in closed form, one least-squares problem per layer, without backpropagation.
 *
 * - {@link fitPlatonic}: random projections with α/β scaling and the best of `nTries` per layer by LSD; Platonic
 *   PCA, Sorted PCA, the fully deterministic pipeline with re-weighting ({@link fullyDeterministicConfig}), the
 *   ELM and `T = Y·P` baselines; pinv / lstsq / ridge solvers; float64, mixed and float32 precision.
 * - {@link PlatonicModel}: forward pass, class predictions, and export to a standard `tf.LayersModel`
 *   ({@link PlatonicModel.toLayersModel}) that can be saved or fine-tuned with backprop.
 * - Building blocks: {@link platonicTargets}, {@link gaussianProjection}, {@link platonicPCAProjection},
 *   {@link sortedPCASelection}, {@link leastSquaresDistance}, {@link classTargets}.
 *
 * @packageDocumentation
 */
export { PLATONIC_ACTIVATIONS, type PlatonicActivation } from './activation.js';
export { classScores, classTargets, predictedClasses, type ClassCoding, type TargetCoding } from './class-targets.js';
export {
  fitPlatonic,
  type FirstLayerSpec,
  type PlatonicCallbacks,
  type PlatonicFitInfo,
  type PlatonicConfig,
  type PlatonicFitOptions,
  type PlatonicLayerLogs,
  type ProjectionSpec,
} from './fit-platonic.js';
export { leastSquaresDistance } from './least-squares-distance.js';
export type { SolverSpec } from './least-squares-solver.js';
export { platonicPCAProjection, type PlatonicPCAOptions, type PlatonicPCAProjection } from './platonic-pca.js';
export { augmentedMatrix, gaussianProjection, platonicTargets } from './platonic-projection.js';
export { PlatonicModel, type LayersModelExportOptions, type PlatonicDiagnostics, type PlatonicModelParts } from './platonic-model.js';
export type { Precision } from './precision.js';
export { fullyDeterministicConfig, type FullyDeterministicOptions } from './presets.js';
export { roundHalfEven } from './round-half-even.js';
export { sortedPCASelection, sortedPCAWeights, type SortedPCAOptions, type SortedPCASelection } from './sorted-pca.js';
export { stableArgsort } from './stable-argsort.js';
