/**
 * `@beyond-backprop/experiments` — the experiment runner behind `bbp` and the browser demo: a typed registry of
 * experiments (data + network) and methods (training algorithms), the runner that trains one with the other and
 * measures it (the `bbp run --json` result), and the built-in methods and synthetic experiments. This entry is
 * browser-safe; experiments that read local files are in `@beyond-backprop/experiments/node`.
 *
 * @example
 * ```ts
 * import { runExperiment } from '@beyond-backprop/experiments';
 * const { result, run } = await runExperiment({ experiment: 'two-spirals', method: 'target-space', epochs: 300 });
 * console.log(result.trainAccuracy, result.msPerIteration);
 * run.dispose();
 * ```
 *
 * @packageDocumentation
 */
export {
  getExperiment,
  getMethod,
  listExperiments,
  listMethods,
  registerExperiment,
  registerMethod,
  type ArchitectureActivation,
  type ArchitectureSpec,
  type ConvArchitecture,
  type DenseArchitecture,
  type Experiment,
  type Method,
  type MethodContext,
  type MethodOption,
  type MethodRun,
  type OptionValues,
  type RecurrentArchitecture,
  type ResultFieldValue,
  type UnitProgress,
} from './registry.js';
export { builtinExperiments, builtinMethods, registerBuiltins } from './plugins.js';
export {
  evaluateSplit,
  optionKey,
  runExperiment,
  type CompletedRun,
  type HistoryEntry,
  type RunOptions,
  type RunResult,
  type RunStartInfo,
  type SplitMetrics,
} from './runner.js';
export {
  BACKPROP_FLOAT64_WORK_LIMIT,
  backpropBnMethod,
  backpropMethod,
  denseBackpropEngine,
  denseBackpropStepWork,
  type BackpropEngine,
} from './methods/backprop.js';
export { targetSpaceMethod, targetSpaceOcuMethod } from './methods/target-space.js';
export { gradientAmpMethods, headSettings } from './methods/gradient-amp.js';
export { platonicMethod, platonicPcaMethod } from './methods/platonic.js';
export { lraMethods } from './methods/lra.js';
export { createDataParallelRun } from './methods/data-parallel-run.js';
export {
  createDataParallelMethod,
  DATA_PARALLEL_CODECS,
  dataParallelOptions,
  type DataParallelMethodSpec,
  type DataParallelSettings,
} from './methods/data-parallel.js';
