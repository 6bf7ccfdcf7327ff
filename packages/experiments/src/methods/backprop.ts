/**
 * `backprop` and `backprop-bn`: the plain-backpropagation baselines, on the experiment's own architecture — small
 * dense networks on the float64 twin (the target-space package's {@link WeightSpaceMlp}: no per-op dispatch cost),
 * larger dense and all convolutional networks as tfjs models, recurrent ones as the target-space package's BPTT twin.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, readValues, type Matrix } from '@beyond-backprop/core-linalg';
import { WeightSpaceMlp, WeightSpaceRnn, fanIns, resolveDenseArchitecture } from '@beyond-backprop/target-space';
import { denseNetwork, fitBackprop, paperAdam, type DenseInit } from '@beyond-backprop/training';
import type { Method, MethodContext, MethodRun } from '../registry.js';
import { classifierNetwork } from './classifier-network.js';
import { recurrentData } from './recurrent-data.js';

function optimizerFor(ctx: MethodContext): tf.Optimizer {
  return ctx.optimizer === 'adam' ? paperAdam(ctx.learningRate) : tf.train.sgd(ctx.learningRate);
}

/** The engines `--engine` names for backprop. */
export type BackpropEngine = 'auto' | 'float64' | 'tfjs';

function engineOption(ctx: MethodContext): BackpropEngine {
  const engine = ctx.options.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'float64' && engine !== 'tfjs') {
    throw new InvalidArgumentError('bbp run', '--engine', "must be 'auto', 'float64' or 'tfjs'", engine);
  }
  return engine;
}

/**
 * Multiply-adds per backprop step up to which `--engine auto` trains a dense network on the float64 twin. Measured
 * on checkerboard (batch 64, wasm backend, ms per iteration float64 / tfjs): hidden 64,64 (0.86 M) 2.6 / 8.8, 96,96
 * (1.9 M) 6.0 / 10.1, 128,128 (3.3 M) 10.1 / 11.4, 256,256 (12.8 M) 32.9 / 13.0.
 */
export const BACKPROP_FLOAT64_WORK_LIMIT = 3e6;

/**
 * Multiply-adds of one backprop step of a dense network: forward, backward to the activations and to the weights,
 * each about `batch · Σ fan-in · width`.
 */
export function denseBackpropStepWork(layers: number[], shortcuts: boolean, batchSize: number): number {
  const arch = resolveDenseArchitecture('denseBackpropStepWork', { layers, shortcuts });
  const f = fanIns(arch);
  return 3 * batchSize * layers.slice(1).reduce((sum, d, i) => sum + f[i] * d, 0);
}

/**
 * The engine `backprop` trains a dense network on: `--engine float64|tfjs` as given; by default (`auto`) the float64
 * twin while a step costs at most {@link BACKPROP_FLOAT64_WORK_LIMIT} multiply-adds (two-spirals, XOR, two-moons: the
 * tfjs engine spends its time dispatching ops there), tfjs beyond (MNIST-size layers). Batch normalisation exists
 * only on the tfjs engine.
 */
export function denseBackpropEngine(engine: BackpropEngine, layers: number[], shortcuts: boolean, batchSize: number, batchNorm: boolean): 'float64' | 'tfjs' {
  if (batchNorm) {
    if (engine === 'float64')
      throw new InvalidArgumentError('bbp run', '--engine', 'must be tfjs or auto for backprop-bn (batch normalisation runs on tfjs)', engine);
    return 'tfjs';
  }
  if (engine !== 'auto') return engine;
  return denseBackpropStepWork(layers, shortcuts, batchSize) <= BACKPROP_FLOAT64_WORK_LIMIT ? 'float64' : 'tfjs';
}

/**
 * The initial weights the tfjs engine would start from (`denseNetwork` with this init and seed), as the twin's
 * `[1 + fan-in, width]` matrices with the bias in row 0: both engines start from the same point.
 */
function tfjsInitialWeights(ctx: MethodContext, layers: number[], init: DenseInit): Matrix[] {
  const arch = ctx.architecture;
  if (arch.kind !== 'dense') throw new Error('unreachable');
  const model = denseNetwork({
    inputSize: layers[0],
    hidden: arch.hidden,
    outputs: layers.at(-1)!,
    activation: arch.activation,
    shortcuts: arch.shortcuts,
    init,
    seed: ctx.seed,
  });
  try {
    return model.layers
      .filter((layer) => layer.getClassName() === 'Dense')
      .map((layer) => {
        const [kernel, bias] = layer.getWeights();
        const [fanIn, width] = kernel!.shape as [number, number];
        const data = new Float64Array((1 + fanIn) * width);
        data.set(bias!.dataSync());
        data.set(kernel!.dataSync(), width);
        return { rows: 1 + fanIn, cols: width, data };
      });
  } finally {
    model.dispose();
  }
}

/**
 * A dense network trained by backpropagation on the float64 twin: the same architecture, initial weights, loss,
 * optimiser and minibatch order as the tfjs engine, in float64 on the CPU.
 */
function float64DenseRun(ctx: MethodContext, layers: number[], init: DenseInit): MethodRun {
  const arch = ctx.architecture;
  if (arch.kind !== 'dense') throw new Error('unreachable');
  const { data } = ctx;
  const n = data.train.xShape[0];
  const classification = data.train.y instanceof Int32Array;
  const outputs = layers.at(-1)!;
  const twin = new WeightSpaceMlp(
    { layers, activation: arch.activation, shortcuts: arch.shortcuts },
    {
      weights: tfjsInitialWeights(ctx, layers, init),
      seed: ctx.seed,
      engine: 'float64',
      optimizer: ctx.optimizer === 'adam' ? { kind: 'adam', learningRate: ctx.learningRate } : { kind: 'sgd', learningRate: ctx.learningRate },
    },
  );
  const x = tf.tensor2d(data.train.x, [n, layers[0]]);
  const y = classification ? tf.tensor1d(data.train.y as Int32Array, 'int32') : tf.tensor2d(data.train.y as Float32Array, [n, outputs]);
  return {
    engine: 'float64',
    fit: (callbacks, signal) => twin.fit(x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, callbacks, signal }),
    predict: (xv, shape) => readValues(() => twin.predict(tf.tensor2d(xv, [shape[0], layers[0]]))) as Float32Array,
    dispose: () => {
      twin.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** Dense and conv networks trained by `fitBackprop` (or, for small dense ones, by the float64 twin). */
function layersRun(ctx: MethodContext, batchNorm: boolean): MethodRun {
  const { data } = ctx;
  const arch = ctx.architecture;
  const n = data.train.xShape[0];
  const classification = data.train.y instanceof Int32Array;
  // Regression targets [n] or [n, d] are trained as [n, d] with a mean-squared-error loss.
  const outputs = classification ? (data.numClasses ?? 2) : (data.train.yShape[1] ?? 1);
  const init = (ctx.options.init as DenseInit | undefined) ?? 'glorot-uniform';
  const engine = engineOption(ctx);
  let model: tf.LayersModel;
  let inputShape: number[];
  if (arch.kind === 'dense') {
    const layers = [data.train.xShape.slice(1).reduce((p, d) => p * d, 1), ...arch.hidden, outputs];
    if (denseBackpropEngine(engine, layers, arch.shortcuts, ctx.batchSize, batchNorm) === 'float64') return float64DenseRun(ctx, layers, init);
    inputShape = [data.train.xShape.slice(1).reduce((p, d) => p * d, 1)];
    model = denseNetwork({
      inputSize: inputShape[0],
      hidden: arch.hidden,
      outputs,
      activation: arch.activation,
      shortcuts: arch.shortcuts,
      batchNorm,
      init,
      seed: ctx.seed,
    });
  } else if (arch.kind === 'conv') {
    if (engine === 'float64') throw new InvalidArgumentError('bbp run', '--engine', 'must be tfjs or auto for a conv network (no float64 conv engine)', engine);
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
    engine: 'tfjs',
    fit: (callbacks, signal) => fitBackprop(model, x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, optimizer, loss, callbacks, signal }),
    predict: (xv, shape) => readValues(() => model.predict(tf.tensor(xv, [shape[0], ...inputShape]), { batchSize: 1024 }) as tf.Tensor) as Float32Array,
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
  // The recurrent twin's per-step work is small next to tfjs' per-op cost of unrolled time steps: float64 by default.
  const engine = engineOption(ctx) === 'tfjs' ? 'tfjs' : 'float64';
  const twin = new WeightSpaceRnn(spec, {
    seed: ctx.seed,
    engine,
    optimizer: ctx.optimizer === 'adam' ? { kind: 'adam', learningRate: ctx.learningRate } : { kind: 'sgd', learningRate: ctx.learningRate },
  });
  return {
    engine,
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
  {
    flag: '--engine <engine>',
    description:
      'auto (default: the fastest; float64 for small dense and recurrent nets, tfjs for larger dense, conv and batch-normalised ones), float64 (CPU, exact) or tfjs',
  },
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
