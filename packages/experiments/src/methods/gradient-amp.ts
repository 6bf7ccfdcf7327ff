/**
 * Output heads of Øland's gradient amplification (thesis ch. 4) as `bbp` methods: the experiment's own network with a
 * linear last layer, trained by backpropagation with one head's loss — `softmax`, `exp-ga`, `pow3-ga`, `linear-mse`,
 * `sigmoid`, `tanh` — at the same budget, batches and initial weights for a given seed.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, readValues } from '@beyond-backprop/core-linalg';
import { createHead, fitHead, type HeadName, type HeadOptions, type Reduction } from '@beyond-backprop/gradient-amp';
import { paperAdam } from '@beyond-backprop/training';
import type { Method, MethodContext, MethodOption, MethodRun } from '../registry.js';
import type { DenseInit } from '@beyond-backprop/training';
import { classifierNetwork } from './classifier-network.js';

const SOURCE = 'Øland, Efficient Deep Learning (CMU-CS-24-147), ch. 4 Gradient Amplification';

/**
 * Options shared by every head method (flags are shared across methods, so none carries a default value here; each
 * head applies its own defaults).
 */
const OPTIONS: MethodOption[] = [
  { flag: '--alpha <a>', description: 'output scale α of exp-ga (Y = α·e^Z, default 0.1) and pow3-ga (Y = α·Z³ + β, default 0.001)' },
  { flag: '--beta <b>', description: 'offset β ≥ 0 of pow3-ga (default 0)' },
  { flag: '--t-neg <t>', description: 'target value of the other classes (defaults: softmax/exp-ga/sigmoid/tanh 0, pow3-ga/linear-mse −1)' },
  { flag: '--t-pos <t>', description: 'target value of the labelled class (defaults: exp-ga 2, others 1)' },
  { flag: '--reduction <r>', description: 'loss reduction: mean (default), sum or meanAll' },
  { flag: '--init <scheme>', description: 'weight init of dense networks: glorot-uniform (default), glorot-truncated or he-normal' },
  { flag: '--grad-path <p>', description: 'autodiff (default: differentiate the derived loss) or manual (impose Y − T with tf.customGrad)' },
];

function numberOption(method: string, flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const v = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(v)) throw new InvalidArgumentError(method, flag, 'must be a number', value);
  return v;
}

/** The head options and loss route a method run asks for, from its command-line / experiment options. */
export function headSettings(method: string, head: HeadName, options: MethodContext['options']): { head: HeadOptions; path: 'autodiff' | 'manual' } {
  const alpha = numberOption(method, '--alpha', options.alpha);
  const beta = numberOption(method, '--beta', options.beta);
  const neg = numberOption(method, '--t-neg', options.tNeg);
  const pos = numberOption(method, '--t-pos', options.tPos);
  if (alpha !== undefined) checkNumber(method, '--alpha', alpha, { min: 0, exclusiveMin: true });
  if (beta !== undefined) checkNumber(method, '--beta', beta, { min: 0 });
  const reduction = options.reduction as Reduction | undefined;
  if (reduction !== undefined && !['sum', 'mean', 'meanAll'].includes(reduction))
    throw new InvalidArgumentError(method, '--reduction', "must be 'mean', 'sum' or 'meanAll'", reduction);
  const path = (options.gradPath as 'autodiff' | 'manual' | undefined) ?? 'autodiff';
  if (path !== 'autodiff' && path !== 'manual') throw new InvalidArgumentError(method, '--grad-path', "must be 'autodiff' or 'manual'", path);
  const defaults = createHead(head).params.targets;
  const settings: HeadOptions = {};
  if (alpha !== undefined) settings.alpha = alpha;
  if (beta !== undefined) settings.beta = beta;
  if (neg !== undefined || pos !== undefined) {
    settings.targets = { neg: neg ?? defaults.neg, pos: pos ?? defaults.pos };
    if (!(settings.targets.pos > settings.targets.neg))
      throw new InvalidArgumentError(method, '--t-pos', `must be greater than the --t-neg target ${settings.targets.neg}`, settings.targets.pos);
  }
  if (reduction !== undefined) settings.reduction = reduction;
  // The head's own checks (softmax's {0, 1}, the sigmoid and tanh target ranges) remain.
  createHead(head, settings);
  return { head: settings, path };
}

function headMethod(name: string, head: HeadName, description: string, section: string): Method {
  return {
    name,
    description,
    source: `${SOURCE}, ${section}`,
    options: OPTIONS,
    supports: (experiment) => experiment.task === 'classification' && (experiment.architecture.kind === 'dense' || experiment.architecture.kind === 'conv'),
    create: (ctx: MethodContext): MethodRun => {
      const { data } = ctx;
      const arch = ctx.architecture;
      if (arch.kind !== 'dense' && arch.kind !== 'conv')
        throw new InvalidArgumentError(name, 'experiment', 'must have a dense or conv architecture', arch.kind);
      if (!(data.train.y instanceof Int32Array) || data.train.yShape.length !== 1) {
        throw new InvalidArgumentError(
          name,
          'experiment',
          'must be classification with one integer label per example (y: [n])',
          `y of shape [${data.train.yShape.join(', ')}]`,
        );
      }
      const labels = data.train.y;
      let numClasses = data.numClasses ?? 0;
      if (!numClasses) for (const l of labels) numClasses = Math.max(numClasses, l + 1);
      const settings = headSettings(name, head, ctx.options);
      const outputHead = createHead(head, settings.head);
      const { model, inputShape } = classifierNetwork(
        arch,
        data.train.xShape.slice(1),
        Math.max(numClasses, 2),
        ctx.seed,
        (ctx.options.init as DenseInit | undefined) ?? 'glorot-uniform',
      );
      const n = data.train.xShape[0];
      const x = tf.tensor(data.train.x, [n, ...inputShape], 'float32');
      const y = tf.tensor1d(labels, 'int32');
      const optimizer = ctx.optimizer === 'adam' ? paperAdam(ctx.learningRate) : tf.train.sgd(ctx.learningRate);
      return {
        fit: (callbacks, signal) =>
          fitHead(model, x, y, outputHead, {
            epochs: ctx.epochs,
            batchSize: ctx.batchSize,
            seed: ctx.seed,
            optimizer,
            callbacks,
            signal,
            loss: { path: settings.path },
          }),
        // The logits: every head's output is increasing in them, so they rank the classes exactly as the head does
        // (without the ties of saturated outputs), and the CLI's softmax shading reads them as exp-GA/softmax would.
        predict: (xv, shape) => readValues(() => model.predict(tf.tensor(xv, [shape[0], ...inputShape]), { batchSize: 1024 }) as tf.Tensor) as Float32Array,
        dispose: () => {
          model.dispose();
          optimizer.dispose();
          tf.dispose([x, y]);
        },
      };
    },
  };
}

/** `softmax`: softmax + cross-entropy, the baseline (§4.2). */
export const softmaxMethod = headMethod(
  'softmax',
  'softmax-ce',
  'softmax output + cross-entropy on the experiment’s network: the baseline head (deltas bounded in [−1, 1])',
  '§4.2',
);
/** `exp-ga`: exponential outputs `α·e^Z` with the sparse cross-entropy loss (§4.5–4.6). */
export const expGaMethod = headMethod(
  'exp-ga',
  'exp-ga',
  'exponential gradient amplification: Y = α·e^Z with the sparse cross-entropy loss (gradient Y − T)',
  '§4.5–4.6',
);
/** `pow3-ga`: cubic amplification `α·Z³ + β` with the negative correlation loss (§4.7–4.8). */
export const pow3GaMethod = headMethod(
  'pow3-ga',
  'pow3-ga',
  'cubic gradient amplification: Y = α·Z³ + β with the negative correlation loss (gradient Y − T)',
  '§4.7–4.8',
);
/** `linear-mse`: linear outputs with half the squared error (§4.3, Table 4.2). */
export const linearMseMethod = headMethod('linear-mse', 'linear-mse', 'linear output + mean squared error (gradient Z − T), targets {−1, 1}', '§4.3');
/** `sigmoid`: sigmoid outputs with binary cross-entropy per class (Table 4.1). */
export const sigmoidMethod = headMethod('sigmoid', 'sigmoid', 'sigmoid output + binary cross-entropy per class (Table 4.1 baseline)', '§4.3, Table 4.1');
/** `tanh`: tanh outputs with the matching loss `log cosh Z − T·Z` (Table 4.1). */
export const tanhMethod = headMethod('tanh', 'tanh', 'tanh output + its matching loss log cosh Z − T·Z (Table 4.1 baseline)', '§4.3, Table 4.1');

/** Every gradient-amplification head as a `bbp` method. */
export const gradientAmpMethods: Method[] = [softmaxMethod, expGaMethod, pow3GaMethod, linearMseMethod, sigmoidMethod, tanhMethod];
