/**
 * `xor`: the four XOR points with the 2-3-2 tanh network of the target-space package's XOR test.
 */
import { xor } from '@beyond-backprop/datasets';
import type { Experiment } from '../registry.js';

export const xorExperiment: Experiment = {
  name: 'xor',
  description: 'XOR (4 points, train = test), 2-3-2 tanh net, Adam 0.01, full batch',
  source: "Minsky & Papert (1969); the target-space package's test (2-3-2 tanh, Adam 0.01, 100% within 1,000 iterations)",
  task: 'classification',
  load: () => xor(),
  architecture: { kind: 'dense', hidden: [3], activation: 'tanh', shortcuts: false },
  defaults: { epochs: 1000, method: 'backprop', batchSize: 4, learningRate: 0.01, optimizer: 'adam' },
};
