/**
 * `blobs`: three Gaussian clusters in 2-D (300 train / 300 test), a quick multi-class sanity check.
 */
import { gaussianBlobs } from '@beyond-backprop/datasets';
import type { Experiment } from '../registry.js';

export const blobsExperiment: Experiment = {
  name: 'blobs',
  description: 'three Gaussian blobs in 2-D (300 train / 300 test), 2-8-3 tanh net, Adam 0.01, full batch',
  source: 'scikit-learn make_blobs (centres uniform in [−10, 10]², unit variance)',
  task: 'classification',
  load: (seed) => gaussianBlobs({ seed }),
  architecture: { kind: 'dense', hidden: [8], activation: 'tanh', shortcuts: false },
  defaults: { epochs: 300, method: 'backprop', batchSize: 300, learningRate: 0.01, optimizer: 'adam' },
};
