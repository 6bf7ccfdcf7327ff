/**
 * `bit-memory` and `bit-addition`: the delayed bit-stream tasks of Fairbank & Samothrakis §5.3 (Figs. 6–7), where an
 * RNN must carry information across `--delay` steps. A run stops once the test accuracy reaches 99% (the paper's
 * success criterion), so its `firstIterationAtTarget` is the number Figs. 6–7 plot; `bbp sweep` finds the longest
 * delay a method solves.
 */
import { delayedAddition, delayedMemorisation, type BitStreamOptions, type Dataset } from '@beyond-backprop/datasets';
import type { Experiment, MethodOption, OptionValues, RecurrentArchitecture } from '../registry.js';
import { SIZE_OPTIONS, integerOption } from './experiment-options.js';

const OPTIONS: MethodOption[] = [{ flag: '--delay <n>', description: 'delay N in steps (bit tasks; streams have N + 50 steps; default 2)' }, ...SIZE_OPTIONS];

function streamOptions(options: OptionValues, seed: number): BitStreamOptions {
  return {
    delay: integerOption(options, 'delay', 2, 1),
    trainSize: integerOption(options, 'trainSize', 8000, 1),
    testSize: integerOption(options, 'testSize', 100, 1),
    seed,
  };
}

function architecture(extra: number) {
  return (options: OptionValues): RecurrentArchitecture => ({
    kind: 'recurrent',
    hidden: integerOption(options, 'delay', 2, 1) + extra,
    activation: 'tanh',
    readout: 'every-step',
  });
}

// §5.3: λ = 0.1, X̄ = 100 fixed training streams of full length, Adam 0.001 for both spaces, n_b = 100, 50 000
// iterations (625 epochs of the 8000 streams), success = test accuracy ≥ 99%.
const shared = {
  task: 'classification' as const,
  options: OPTIONS,
  defaults: { epochs: 625, method: 'target-space', batchSize: 100, learningRate: 0.001, optimizer: 'adam' as const, targetAccuracy: 0.99 },
  methodDefaults: {
    'target-space': { lambda: 0.1, realisationSize: 100 },
    'target-space-ocu': { lambda: 0.1, realisationSize: 100 },
  },
};

/** Delayed memorisation: output the bit from N steps ago; a `1-(N+3)-2` tanh RNN. */
export const bitMemoryExperiment: Experiment = {
  ...shared,
  name: 'bit-memory',
  description: 'recall the input bit from --delay N steps ago (8000 streams of N+50 bits), 1-(N+3)-2 tanh RNN; stops at 99% test accuracy',
  source: 'Fairbank & Samothrakis, Deep Learning in Target Space, §5.3, Fig. 6',
  load: (seed, options): Dataset<Int32Array> => delayedMemorisation(streamOptions(options, seed)),
  architecture: architecture(3)({}),
  configure: architecture(3),
};

/** Delayed binary addition: add the stream to itself delayed by N; a `1-(N+5)-2` tanh RNN. */
export const bitAdditionExperiment: Experiment = {
  ...shared,
  name: 'bit-addition',
  description: 'add the bit stream to itself delayed by --delay N steps (little-endian), 1-(N+5)-2 tanh RNN; stops at 99% test accuracy',
  source: 'Fairbank & Samothrakis, Deep Learning in Target Space, §5.3, Fig. 7',
  load: (seed, options): Dataset<Int32Array> => delayedAddition(streamOptions(options, seed)),
  architecture: architecture(5)({}),
  configure: architecture(5),
};
