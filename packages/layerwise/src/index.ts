/**
 * `@beyond-backprop/layerwise` — deep layer-, segment- and partition-wise learning (Øland, *Efficient Deep Learning*,
 * thesis ch. 5–6, §8.3–8.4) on TensorFlow.js.
 *
 * - {@link trainLayerwise}: DLL (Algorithm 3), DSL (`window`), sequential DPL (`boundaries`), round robin and random
 *   robin (Algorithm 4), forward and backward dropout (§6.6.3), feature checkpointing, peak truncation; the result is
 *   one plain `tf.LayersModel`.
 * - Schedules ({@link unitEpochs}, {@link unitRate}, {@link learningRateAt}, {@link inputDropoutRate}) and
 *   decoupled-weight-decay optimisers ({@link AdamW}, {@link SgdW}).
 * - Memory accounting: each window's `peakStepBytes` and {@link backpropStepBytes} for the relative memory of
 *   Table 6.3.
 *
 * @packageDocumentation
 */
export { AdamW, SgdW, type ScheduledOptimizer } from './decoupled-optimizers.js';
export {
  inputDropoutRate,
  learningRateAt,
  unitEpochs,
  unitRate,
  type EpochSchedule,
  type InputDropoutSchedule,
  type LearningRateSchedule,
  type UnitRate,
} from './unit-schedules.js';
export { gradientDropout, inputDropout } from './interlayer-dropout.js';
export { splitIntoUnits, type SplitOptions, type TrainingUnit, type UnitSource } from './training-units.js';
export { checkHead, defaultHeadFactory, type DefaultHeadOptions, type HeadFactory } from './decision-head.js';
export {
  backpropStepBytes,
  slidingWindows,
  trainLayerwise,
  type HeadBudget,
  type LayerwiseOptions,
  type LayerwiseResult,
  type RobinSchedule,
  type UnitReport,
} from './layerwise-trainer.js';
export { PipelineSimulator, type PipelineEvent, type PipelineTimeline } from './pipeline-simulator.js';
export { lsdProbe, type LsdProbeResult } from './probes/least-squares-distance-probe.js';
export { kFilter, type KFilterOptions, type KFilterResult } from './probes/k-filter.js';
export { ConflictingDuplicatesError, pureVoronoiMap, type PureVoronoiMap } from './probes/pure-voronoi-map.js';
export { selectionEntropy, type SelectionEntropy } from './probes/selection-entropy.js';
export { stableRank } from './probes/stable-rank.js';
export { pca2d } from './probes/pca-projection.js';
export {
  filterActive,
  filterRows,
  lossFilterKeep,
  resolveDataFilter,
  type DataFilter,
  type KnnDataFilter,
  type LossDataFilter,
  type ResolvedDataFilter,
} from './data-filter.js';
export {
  runPartition,
  trainPipelined,
  type PartitionStats,
  type PipelinedOptions,
  type PipelinedResult,
  type PipelineLauncher,
  type PipelineTransport,
  type PipelineWorkerHandle,
} from './pipelined-dpl.js';
