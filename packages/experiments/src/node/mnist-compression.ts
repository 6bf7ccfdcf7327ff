/**
 * `mnist-compression`: the setting C0 of Øland's compression chapter (thesis §3.1, §3.7): MNIST as 784-pixel rows,
 * a fully connected 784-392-50-10 network with tanh in every layer including the output, mean squared error on
 * one-hot {0, 1} targets, weights synchronised (quantised, Huffman-coded, decoded) once per epoch. The thesis trains
 * 100 epochs on all 60 000 images; the optimiser, learning rate, batch size and initialisation are not reported —
 * SGD with momentum 0.9, learning rate 0.05, batch 64 and Glorot-uniform are our choices. The default budget (10 000
 * training images, 20 epochs) fits a shared CPU; `--train-size 60000 --epochs 100` is the thesis's.
 */
import { fileURLToPath } from 'node:url';
import { loadMnist } from '@beyond-backprop/datasets/node';
import type { Experiment, MethodOption } from '../registry.js';
import { DATA_DIR_OPTION, SIZE_OPTIONS, dataDirectory, limitSizes } from '../experiments/experiment-options.js';

const OPTIONS: MethodOption[] = [DATA_DIR_OPTION, ...SIZE_OPTIONS];

export const mnistCompressionExperiment: Experiment = {
  name: 'mnist-compression',
  description:
    'MNIST 784-392-50-10, tanh in every layer, MSE on one-hot targets (first 10 000 training images by default, all 10 000 test): compressed weight sync',
  source: 'Øland, Efficient Deep Learning (2024), §3.1, §3.7–3.9 (C0; sweeps C1–C8 via bbp sweep --param c | m | fixed-bits)',
  task: 'classification',
  options: OPTIONS,
  load: (_seed, options) => {
    const data = loadMnist({ ...dataDirectory(options), flatten: true, resolveFrom: fileURLToPath(import.meta.url) });
    return limitSizes(data, options, { train: 10_000 });
  },
  architecture: { kind: 'dense', hidden: [392, 50], activation: 'tanh', shortcuts: false },
  defaults: { epochs: 20, method: 'compressed-sync', batchSize: 64, learningRate: 0.05, optimizer: 'sgd' },
  methodDefaults: {
    'compressed-sync': { outputActivation: 'tanh', loss: 'mse', momentum: 0.9 },
  },
};
