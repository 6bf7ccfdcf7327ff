/**
 * `mnist-deep-mlp` and `fashion-deep-mlp`: the 8-hidden-layer × 256 logistic-sigmoid or tanh networks of rec-LRA's
 * Fig. 4 (Ororbia et al., Sec. 4), where backprop struggles with vanishing gradients and rec-LRA is reported to train
 * and converge sooner. The paper runs 100 epochs on 58 000 images with the same naive Gaussian init for both methods;
 * the default here is 5 epochs on the first 10 000 (`--activation tanh` for the tanh panel).
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import type { DenseArchitecture, Experiment, MethodOption, OptionValues } from '../registry.js';
import { IMAGE_MLP_OPTIONS, IMAGE_MLP_TRAINING, loadImageRows } from './image-mlps.js';

const OPTIONS: MethodOption[] = [
  { flag: '--activation <φ>', description: 'hidden activation of the deep MLPs: sigmoid (default) or tanh' },
  ...IMAGE_MLP_OPTIONS,
];

function architecture(options: OptionValues): DenseArchitecture {
  const activation = String(options.activation ?? 'sigmoid');
  if (activation !== 'sigmoid' && activation !== 'tanh')
    throw new InvalidArgumentError('bbp run', '--activation', "must be 'sigmoid' or 'tanh' for the deep MLPs", activation);
  return { kind: 'dense', hidden: Array.from({ length: 8 }, () => 256), activation, shortcuts: false };
}

function deepMlp(set: 'mnist' | 'fashion', title: string): Experiment {
  return {
    name: `${set}-deep-mlp`,
    description: `${title} as 784-pixel rows (first 10 000 training images), 8 × 256 sigmoid (--activation tanh) MLP, Adam 2e-4, batch 32`,
    source: 'Ororbia et al., rec-LRA, Sec. 4, Fig. 4',
    task: 'classification',
    options: OPTIONS,
    load: (_seed, options) => loadImageRows(set, options),
    architecture: architecture({}),
    configure: architecture,
    ...IMAGE_MLP_TRAINING,
  };
}

export const mnistDeepMlpExperiment = deepMlp('mnist', 'MNIST');
export const fashionDeepMlpExperiment = deepMlp('fashion', 'Fashion-MNIST');
