/**
 * `sine-fit`: Øland's sinusoid regression (§7.5: y = sin(2πx) on 5000 grid points of [−1, 1]) with the thesis's
 * 1-16-16-1 shape. The thesis uses CELU; the CLI's dense architectures offer ReLU, its closest relative here (a tanh
 * net at Adam 0.01 tends to stall at the mean, MSE ≈ 0.43).
 */
import { sineFit } from '@beyond-backprop/datasets';
import type { Experiment } from '../registry.js';

export const sineFitExperiment: Experiment = {
  name: 'sine-fit',
  description: 'y = sin(2πx), 5000 points on [−1, 1] (test: the 4999 midpoints), 1-16-16-1 ReLU net, MSE, Adam 0.01, batch 100',
  source: 'Øland, Efficient Deep Learning (2024), §7.5, Figs. 7.3–7.4 (reported Platonic-projection MSE 2e-5)',
  task: 'regression',
  load: (seed) => sineFit({ seed }),
  architecture: { kind: 'dense', hidden: [16, 16], activation: 'relu', shortcuts: false },
  defaults: { epochs: 60, method: 'backprop', batchSize: 100, learningRate: 0.01, optimizer: 'adam' },
  // The closed-form fit of the same 16-16 widths, ELU units (§7.5).
  methodDefaults: { platonic: { width: 16, alpha: 1, beta: 1, activation: 'elu' } },
};
