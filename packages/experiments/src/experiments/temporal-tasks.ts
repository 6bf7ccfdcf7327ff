/**
 * The temporal tasks of Manchev & Garcia-Peraza-Herrera (LRA for RNNs, §IV; generators from the authors' code):
 * temporal order, 3-bit temporal order and random permutation (classification at the last step), and the adding
 * problem (regression). `--length T` sets the sequence length; a classification run stops once the test set is solved
 * (no errors: the paper's "error below 10⁻⁴"), so `bbp sweep <task> --param length` finds the longest T a method solves
 * (P3 Table V).
 */
import { addingProblem, randomPermutation, temporalOrder, temporalOrder3Bit, type Dataset, type TemporalTaskOptions } from '@beyond-backprop/datasets';
import type { Experiment, MethodOption, OptionValues, RecurrentArchitecture } from '../registry.js';
import { SIZE_OPTIONS, integerOption } from './experiment-options.js';

const OPTIONS: MethodOption[] = [{ flag: '--length <T>', description: 'sequence length T of the temporal tasks (≥ 10, default 10)' }, ...SIZE_OPTIONS];

function taskOptions(options: OptionValues, seed: number): TemporalTaskOptions {
  return {
    length: integerOption(options, 'length', 10, 10),
    trainSize: integerOption(options, 'trainSize', 2000, 1),
    testSize: integerOption(options, 'testSize', 1000, 1),
    seed,
  };
}

// P3 §IV-A: 100 tanh units, orthogonal init, plain SGD (α = 0.1 in its grid), batch 20 and "solved" = no validation
// error (authors' code). The paper draws a fresh batch every iteration for up to 100 000 iterations; here a fixed
// training set of --train-size sequences (default 2000, 100 batches an epoch) keeps a CPU run to minutes.
const ARCHITECTURE: RecurrentArchitecture = { kind: 'recurrent', hidden: 100, activation: 'tanh', readout: 'last-step' };
const SOURCE = 'Manchev & Garcia-Peraza-Herrera, Can LRA RNNs Solve Temporal Tasks?, §IV, Tables I–V';

function task(name: string, description: string, load: (o: TemporalTaskOptions) => Dataset<Int32Array | Float32Array>, regression = false): Experiment {
  return {
    name,
    description,
    source: SOURCE,
    task: regression ? 'regression' : 'classification',
    options: OPTIONS,
    load: (seed, options) => load(taskOptions(options, seed)),
    architecture: ARCHITECTURE,
    defaults: { epochs: 10, method: 'lra-rnn', batchSize: 20, learningRate: 0.1, optimizer: 'sgd', ...(regression ? {} : { targetAccuracy: 0.9999 }) },
  };
}

export const temporalOrderExperiment = task(
  'temporal-order',
  'temporal order (6 symbols, 4 classes) at --length T, 6-100-4 tanh RNN; stops when the test set is solved',
  temporalOrder,
);
export const temporalOrder3BitExperiment = task(
  'temporal-order-3bit',
  '3-bit temporal order (6 symbols, 8 classes) at --length T, 6-100-8 tanh RNN; stops when solved',
  temporalOrder3Bit,
);
export const randomPermutationExperiment = task(
  'random-permutation',
  'random permutation (100 symbols, remember the first: 0 or 1) at --length T, 100-100-100 tanh RNN; stops when solved',
  randomPermutation,
);
export const addingProblemExperiment = task(
  'adding-problem',
  'adding problem (sum of two marked values) at --length T, 2-100-1 tanh RNN, mean squared error',
  addingProblem,
  true,
);

/** The four temporal tasks. */
export const temporalTaskExperiments: Experiment[] = [
  temporalOrderExperiment,
  temporalOrder3BitExperiment,
  randomPermutationExperiment,
  addingProblemExperiment,
];
