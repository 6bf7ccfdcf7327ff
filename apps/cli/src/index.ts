/**
 * `@beyond-backprop/cli` — the `bbp` experiment runner, also usable as a library: register experiments and methods,
 * run them, and render their results.
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
  type RecurrentArchitecture,
} from './registry.js';
export { registerBuiltins } from './plugins.js';
export { evaluateSplit, runExperiment, type CompletedRun, type HistoryEntry, type RunOptions, type RunResult, type SplitMetrics } from './runner.js';
export { renderRunSvg, type PlotOptions } from './plot-svg.js';
export { summaryTable } from './summary-table.js';
export { createProgram, main } from './main.js';
