/**
 * `backprop` and `backprop-bn`: the plain-backpropagation baselines, on the experiment's own architecture — dense and
 * convolutional networks as tfjs models, recurrent ones as the target-space package's BPTT twin.
 */
import * as tf from '@tensorflow/tfjs';
import { readValues } from '@beyond-backprop/core-linalg';
import { WeightSpaceRnn } from '@beyond-backprop/target-space';
import { denseNetwork, fitBackprop, paperAdam, type DenseInit } from '@beyond-backprop/training';
import type { Method, MethodContext, MethodRun } from '../registry.js';
import { classifierNetwork } from './classifier-network.js';
import { recurrentData } from './recurrent-data.js';

function optimizerFor(ctx: MethodContext): tf.Optimizer {
  return ctx.optimizer === 'adam' ? paperAdam(ctx.learningRate) : tf.train.sgd(ctx.learningRate);
}

/** Dense and conv networks trained by `fitBackprop`. */
function layersRun(ctx: MethodContext, batchNorm: boolean): MethodRun {
  const { data } = ctx;
  const arch = ctx.architecture;
  const n = data.train.xShape[0]!;
  const classification = data.train.y instanceof Int32Array;
  // Regression targets [n] or [n, d] are trained as [n, d] with a mean-squared-error loss.
  const outputs = classification ? (data.numClasses ?? 2) : (data.train.yShape[1] ?? 1);
  const init = (ctx.options.init as DenseInit | undefined) ?? 'glorot-uniform';
  let model: tf.LayersModel;
  let inputShape: number[];
  if (arch.kind === 'dense') {
    inputShape = [data.train.xShape.slice(1).reduce((p, d) => p * d, 1)];
    model = denseNetwork({
      inputSize: inputShape[0]!,
      hidden: arch.hidden,
      outputs,
      activation: arch.activation,
      shortcuts: arch.shortcuts,
      batchNorm,
      init,
      seed: ctx.seed,
    });
  } else if (arch.kind === 'conv') {
    const dropout = Number(ctx.options.dropout ?? 0);
    ({ model, inputShape } = classifierNetwork(arch, data.train.xShape.slice(1), outputs, ctx.seed, init, { batchNorm, dropout }));
  } else {
    throw new Error(`backprop: the '${arch.kind}' architecture is trained by the recurrent twin`);
  }
  const x = tf.tensor(data.train.x, [n, ...inputShape]);
  const y = classification ? tf.tensor1d(data.train.y as Int32Array, 'int32') : tf.tensor2d(data.train.y as Float32Array, [n, outputs]);
  const optimizer = optimizerFor(ctx);
  const loss = classification ? 'softmaxCrossEntropy' : 'meanSquaredError';
  return {
    fit: (callbacks, signal) => fitBackprop(model, x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, optimizer, loss, callbacks, signal }),
    predict: (xv, shape) => readValues(() => model.predict(tf.tensor(xv, [shape[0]!, ...inputShape]), { batchSize: 1024 }) as tf.Tensor) as Float32Array,
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** Recurrent networks trained by backpropagation through time (the paper's weight-space RNN). */
function recurrentRun(ctx: MethodContext): MethodRun {
  const arch = ctx.architecture;
  if (arch.kind !== 'recurrent') throw new Error('unreachable');
  const { x, y, spec } = recurrentData(ctx);
  const engine = ctx.options.engine === 'tfjs' ? 'tfjs' : 'float64';
  const twin = new WeightSpaceRnn(spec, {
    seed: ctx.seed,
    engine,
    optimizer: ctx.optimizer === 'adam' ? { kind: 'adam', learningRate: ctx.learningRate } : { kind: 'sgd', learningRate: ctx.learningRate },
  });
  return {
    fit: (callbacks, signal) => twin.fit(x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, callbacks, signal }),
    predict: (xv, shape) => readValues(() => twin.predict(tf.tensor(xv, shape, spec.embedding ? 'int32' : 'float32'))) as Float32Array,
    dispose: () => {
      twin.dispose();
      tf.dispose([x, y]);
    },
  };
}

const OPTIONS = [
  {
    flag: '--init <scheme>',
    description: "weight init for backprop: glorot-uniform (default), glorot-truncated (the target-space authors' variant) or he-normal",
  },
  { flag: '--engine <engine>', description: 'float64 (CPU, exact) or tfjs for the recurrent twin; target space: float64, tfjs or auto' },
  {
    flag: '--dropout <p>',
    description: 'drop probability after pooled conv layers and hidden dense layers (conv nets); target space: on hidden layers in both passes',
  },
];

/** Plain backpropagation: the baseline of every comparison. */
export const backpropMethod: Method = {
  name: 'backprop',
  description: 'plain backpropagation (weight space; through time for recurrent nets) on the same architecture: the baseline',
  source: 'Rumelhart, Hinton & Williams (1986); weight-space baseline of every paper',
  options: OPTIONS,
  supports: (experiment) => ['dense', 'conv', 'recurrent'].includes(experiment.architecture.kind),
  create: (ctx) => (ctx.architecture.kind === 'recurrent' ? recurrentRun(ctx) : layersRun(ctx, false)),
};

/** Backpropagation with batch normalisation after every hidden activation (the paper's "weight space + BN"). */
export const backpropBnMethod: Method = {
  name: 'backprop-bn',
  description: 'backpropagation with batch normalisation after every hidden activation (dense and conv nets)',
  source: 'Ioffe & Szegedy (2015); the "weight space + BN" baseline of Fairbank & Samothrakis §5',
  options: OPTIONS,
  supports: (experiment) => experiment.architecture.kind === 'dense' || experiment.architecture.kind === 'conv',
  create: (ctx) => layersRun(ctx, true),
};
