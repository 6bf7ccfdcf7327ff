/**
 * `imdb`: IMDB review sentiment with an embedding + tanh RNN scored at the last step, as in Fairbank & Samothrakis
 * §5.4 (Table 4). Needs the `aclImdb` folder locally (`--data-dir` or `$BBP_DATA_DIR`).
 */
import { loadImdb } from '@beyond-backprop/datasets/node';
import type { Experiment, MethodOption, OptionValues, RecurrentArchitecture } from '../registry.js';
import { DATA_DIR_OPTION, SIZE_OPTIONS, dataDirectory, integerOption, limitSizes } from '../experiments/experiment-options.js';

const OPTIONS: MethodOption[] = [
  DATA_DIR_OPTION,
  { flag: '--num-words <n>', description: 'IMDB vocabulary incl. 3 reserved ids (default 5000)' },
  { flag: '--max-len <n>', description: 'IMDB review length after pre-padding / pre-truncation (default 500)' },
  ...SIZE_OPTIONS,
];

function architecture(options: OptionValues): RecurrentArchitecture {
  return {
    kind: 'recurrent',
    hidden: 100,
    activation: 'tanh',
    readout: 'last-step',
    embedding: { vocabulary: integerOption(options, 'numWords', 5000, 4), dim: 32 },
  };
}

export const imdbExperiment: Experiment = {
  name: 'imdb',
  description: 'IMDB sentiment (aclImdb via --data-dir or $BBP_DATA_DIR; 25k/25k reviews), embedding 32 → tanh RNN 100 → 2 at the last step',
  source: 'Fairbank & Samothrakis, Deep Learning in Target Space, §5.4, Table 4',
  task: 'classification',
  options: OPTIONS,
  load: (seed, options) => {
    const data = loadImdb({
      ...dataDirectory(options),
      numWords: integerOption(options, 'numWords', 5000, 4),
      maxLen: integerOption(options, 'maxLen', 500, 1),
      seed,
    });
    return limitSizes(data, options);
  },
  architecture: architecture({}),
  configure: architecture,
  // §5.4: n_b = 40, Adam 0.001, 10 epochs; target space λ = 0.001 with X̄ ~ U[−1,1]^{40×60×32} fixed (n̄_t = 60).
  defaults: { epochs: 10, method: 'target-space', batchSize: 40, learningRate: 0.001, optimizer: 'adam' },
  methodDefaults: {
    'target-space': { lambda: 0.001, realisation: 'uniform', realisationSize: 40, realisationLength: 60 },
    'target-space-ocu': { lambda: 0.001, realisation: 'uniform', realisationSize: 40, realisationLength: 60 },
  },
};
