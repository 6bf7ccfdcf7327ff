/**
 * `shapes-cnn`: the procedurally generated shape images (no files), with a small conv net whose units are the conv
 * layers — the "small settings" on which the layer-wise methods are compared with backprop (Øland, thesis §6.6).
 */
import { proceduralShapes } from '@beyond-backprop/datasets';
import { SIZE_OPTIONS, limitSizes } from './experiment-options.js';
import type { Experiment } from '../registry.js';

export const proceduralShapesExperiment: Experiment = {
  name: 'shapes-cnn',
  description: 'procedural 16×16 shape images (6 classes, 4000 train / 1000 test, generated from the seed), 4-conv ReLU CNN, Adam 0.001, batch 64',
  source: 'beyond-backprop procedural set; Øland, Efficient Deep Learning (2024), §6.6 small settings',
  task: 'classification',
  options: SIZE_OPTIONS,
  load: (seed, options) => limitSizes(proceduralShapes({ seed }), options, { train: 4000 }),
  architecture: {
    kind: 'conv',
    conv: [
      { kernel: 3, channels: 16, pool: 1 },
      { kernel: 3, channels: 16, pool: 2 },
      { kernel: 3, channels: 32, pool: 1 },
      { kernel: 3, channels: 32, pool: 2 },
    ],
    dense: [],
    activation: 'relu',
  },
  defaults: { epochs: 5, method: 'backprop', batchSize: 64, learningRate: 0.001, optimizer: 'adam' },
};
