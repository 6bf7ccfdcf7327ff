/**
 * `backprop` and `backprop-bn`: the plain-backpropagation baselines, on the experiment's own architecture.
 */
import * as tf from '@tensorflow/tfjs';
import { denseNetwork, fitBackprop, paperAdam, type DenseInit } from '@beyond-backprop/training';
import type { Method, MethodContext, MethodRun } from '../registry.js';

/** Trains the experiment's dense network by backpropagation with Adam (TF1 defaults) or SGD. */
function createRun(ctx: MethodContext, batchNorm: boolean): MethodRun {
  const { data, experiment } = ctx;
  const arch = experiment.architecture;
  if (arch.kind !== 'dense') throw new Error(`backprop: the '${arch.kind}' architecture is not supported by this method`);
  const [n, inputSize] = data.train.xShape as [number, number];
  const classification = data.train.y instanceof Int32Array;
  // Regression targets [n] or [n, d] are trained as [n, d] with a mean-squared-error loss.
  const outputs = classification ? (data.numClasses ?? 2) : (data.train.yShape[1] ?? 1);
  const model = denseNetwork({
    inputSize,
    hidden: arch.hidden,
    outputs,
    activation: arch.activation,
    shortcuts: arch.shortcuts,
    batchNorm,
    init: (ctx.options.init as DenseInit | undefined) ?? 'glorot-uniform',
    seed: ctx.seed,
  });
  const x = tf.tensor2d(data.train.x, [n, inputSize]);
  const y = classification ? tf.tensor1d(data.train.y as Int32Array, 'int32') : tf.tensor2d(data.train.y as Float32Array, [n, outputs]);
  const optimizer = ctx.optimizer === 'adam' ? paperAdam(ctx.learningRate) : tf.train.sgd(ctx.learningRate);
  const loss = classification ? 'softmaxCrossEntropy' : 'meanSquaredError';
  return {
    fit: (callbacks, signal) => fitBackprop(model, x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, optimizer, loss, callbacks, signal }),
    predict: (xv, shape) => tf.tidy(() => (model.predict(tf.tensor(xv, shape)) as tf.Tensor).dataSync() as Float32Array),
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}

const INIT_OPTION = {
  flag: '--init <scheme>',
  description: "weight init for backprop: glorot-uniform (default), glorot-truncated (the target-space authors' variant) or he-normal",
};

/** Plain backpropagation: the baseline of every comparison. */
export const backpropMethod: Method = {
  name: 'backprop',
  description: 'plain backpropagation (weight space) on the same architecture: the baseline',
  source: 'Rumelhart, Hinton & Williams (1986); weight-space baseline of every paper',
  options: [INIT_OPTION],
  supports: (experiment) => experiment.architecture.kind === 'dense',
  create: (ctx) => createRun(ctx, false),
};

/** Backpropagation with batch normalisation after every hidden activation (the paper's "weight space + BN"). */
export const backpropBnMethod: Method = {
  name: 'backprop-bn',
  description: 'backpropagation with batch normalisation after every hidden activation',
  source: 'Ioffe & Szegedy (2015); the "weight space + BN" baseline of Fairbank & Samothrakis §5',
  options: [INIT_OPTION],
  supports: (experiment) => experiment.architecture.kind === 'dense',
  create: (ctx) => createRun(ctx, true),
};
