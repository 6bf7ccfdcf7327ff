/**
 * `@beyond-backprop/cli` — the `bbp` experiment runner, also usable as a library: register experiments and methods,
 * run them, and render their results. The registry and runner live in `@beyond-backprop/experiments` (re-exported
 * here); this package adds the file-based experiments, the command line, progress, tables, sweeps and SVG plots.
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
  evaluateSplit,
  type CompletedRun,
  type HistoryEntry,
  type RunOptions,
  type RunResult,
  type SplitMetrics,
} from '@beyond-backprop/experiments';
export { registerBuiltins, runExperiment } from './builtins.js';
export { renderRunSvg, type PlotOptions } from './plot-svg.js';
export { summaryTable } from './summary-table.js';
export { runSweep, sweepTable, type SweepOptions, type SweepPoint, type SweepResult } from './sweep.js';
export { VERSION, createProgram, gitCommit, main } from './main.js';
