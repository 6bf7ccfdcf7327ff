/**
 * `mixed-frequency`: Øland's mixed-frequency board (§8.3.2): an 8×8 checkerboard on the left half beside a 2×2 one on
 * the right (4000 points), with a 2-64-64-2 ReLU network (ours; the thesis uses the set for its
 * k-redundancy argument).
 */
import { mixedFrequency } from '@beyond-backprop/datasets';
import type { Experiment } from '../registry.js';

export const mixedFrequencyExperiment: Experiment = {
  name: 'mixed-frequency',
  description: '8×8 board on the left half, 2×2 on the right (4000 train / 4000 test), 2-64-64-2 ReLU net, Adam 0.003, batch 64',
  source: 'Øland, Efficient Deep Learning (2024), §8.3.2',
  task: 'classification',
  load: (seed) => mixedFrequency({ seed }),
  architecture: { kind: 'dense', hidden: [64, 64], activation: 'relu', shortcuts: false },
  defaults: { epochs: 100, method: 'backprop', batchSize: 64, learningRate: 0.003, optimizer: 'adam' },
};
