/**
 * `two-moons`: scikit-learn's two moons (1000 train / 1000 test, noise 0.1) with the 2-16-16-2 tanh network of the lra
 * package's learning test (Adam 0.01, batch 32, 3000 steps ≈ 100 epochs).
 */
import { twoMoons } from '@beyond-backprop/datasets';
import type { Experiment } from '../registry.js';

export const twoMoonsExperiment: Experiment = {
  name: 'two-moons',
  description: 'two moons (1000 train / 1000 test, noise 0.1), 2-16-16-2 tanh net, Adam 0.01, batch 32',
  source: "scikit-learn make_moons (the lra package's test problem)",
  task: 'classification',
  load: (seed) => twoMoons({ seed }),
  architecture: { kind: 'dense', hidden: [16, 16], activation: 'tanh', shortcuts: false },
  defaults: { epochs: 100, method: 'backprop', batchSize: 32, learningRate: 0.01, optimizer: 'adam' },
  // T13: weights and error synapses ~ N(0, 0.5²) (P2's MNIST σ = 0.05 is too small for a 2-input net).
  methodDefaults: { 'rec-lra': { sigmaW: 0.5 }, 'rec-lra-resnet': { sigmaW: 0.5 } },
};
