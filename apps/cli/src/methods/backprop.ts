/**
 * `backprop`: the plain-backpropagation baseline, on the experiment's own architecture.
 */
import * as tf from '@tensorflow/tfjs';
import { denseNetwork, fitBackprop, paperAdam, type DenseInit } from '@beyond-backprop/training';
import type { Method, MethodContext, MethodRun } from '../registry.js';

/** Trains the experiment's dense network by backpropagation with Adam (TF1 defaults) or SGD. */
export const backpropMethod: Method = {
  name: 'backprop',
  description: 'plain backpropagation (weight space) on the same architecture: the baseline',
  source: 'Rumelhart, Hinton & Williams (1986); weight-space baseline of every paper',
  options: [{ flag: '--init <scheme>', description: "weight init for backprop: glorot-uniform (default), glorot-truncated (the target-space authors' variant) or he-normal" }],
  supports: (experiment) => experiment.architecture !== undefined,
  create: (ctx: MethodContext): MethodRun => {
    const { data, experiment } = ctx;
    const [n, inputSize] = data.train.xShape as [number, number];
    const model = denseNetwork({
      inputSize,
      hidden: experiment.architecture.hidden,
      outputs: data.numClasses ?? 2,
      activation: experiment.architecture.activation,
      shortcuts: experiment.architecture.shortcuts,
      init: (ctx.options.init as DenseInit | undefined) ?? 'glorot-uniform',
      seed: ctx.seed,
    });
    const x = tf.tensor2d(data.train.x, [n, inputSize]);
    const y = tf.tensor1d(data.train.y, 'int32');
    const optimizer = ctx.optimizer === 'adam' ? paperAdam(ctx.learningRate) : tf.train.sgd(ctx.learningRate);
    return {
      fit: (callbacks, signal) => fitBackprop(model, x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, optimizer, callbacks, signal }),
      predict: (xv, shape) => tf.tidy(() => (model.predict(tf.tensor(xv, shape)) as tf.Tensor).dataSync() as Float32Array),
      dispose: () => {
        model.dispose();
        optimizer.dispose();
        tf.dispose([x, y]);
      },
    };
  },
};
