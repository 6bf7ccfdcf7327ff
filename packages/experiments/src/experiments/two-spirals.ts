/**
 * `two-spirals`: the 194-point benchmark with the 2-5-5-5-2 all-shortcut tanh network of Fairbank & Samothrakis §5.1.
 */
import { twoSpirals } from '@beyond-backprop/datasets';
import type { Experiment } from '../registry.js';

export const twoSpiralsExperiment: Experiment = {
  name: 'two-spirals',
  description: 'two interleaved spirals (194 train / 194 test points), 2-5-5-5-2 tanh net with all shortcuts, Adam, full batch',
  source: 'Fairbank & Samothrakis, Deep Learning in Target Space, §5.1',
  task: 'classification',
  load: () => twoSpirals(),
  architecture: { kind: 'dense', hidden: [5, 5, 5], activation: 'tanh', shortcuts: true },
  defaults: { epochs: 1500, method: 'backprop', batchSize: 194, learningRate: 0.01, optimizer: 'adam' },
  // §5.1: λ = 0.001, X̄ = the whole training set; weight-space methods start from the authors' Glorot variant.
  methodDefaults: {
    '*': { init: 'glorot-truncated' },
    'target-space': { lambda: 0.001, realisationSize: 194 },
    'target-space-ocu': { lambda: 0.001, realisationSize: 194 },
  },
};
