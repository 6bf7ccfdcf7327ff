/**
 * `@beyond-backprop/datasets` — the data sets of the beyond-backprop papers, generated from a seed or read from local
 * files, as plain typed arrays with one row per example.
 *
 * @packageDocumentation
 */
export { checkSplit, numExamples, oneHot, toTensors, type Dataset, type Split } from './split.js';
export { twoSpirals, type TwoSpiralsOptions } from './two-spirals.js';
