/**
 * `sinusoid-boundary`: Øland's sinusoidal decision boundary (§5.3.4, Figs. 5.11–5.12) at frequency 2, with a 2-64-64-2
 * ReLU network (ours: the thesis uses the set only for its Voronoi-entropy analysis). A tanh net of the same budget
 * stalls at the straight boundary x₂ = 0 (≈ 84 %), which is itself a nice picture of the low-frequency bias.
 */
import { sinusoidBoundary } from '@beyond-backprop/datasets';
import type { Experiment } from '../registry.js';

export const sinusoidBoundaryExperiment: Experiment = {
  name: 'sinusoid-boundary',
  description: 'points above/below 0.25·sin(4πx₁) (1000 train / 1000 test), 2-64-64-2 ReLU net, Adam 0.003, batch 32',
  source: 'Øland, Efficient Deep Learning (2024), §5.3.4, Figs. 5.11–5.12 (f = 2)',
  task: 'classification',
  load: (seed) => sinusoidBoundary({ frequency: 2, seed }),
  architecture: { kind: 'dense', hidden: [64, 64], activation: 'relu', shortcuts: false },
  defaults: { epochs: 100, method: 'backprop', batchSize: 32, learningRate: 0.003, optimizer: 'adam' },
};
