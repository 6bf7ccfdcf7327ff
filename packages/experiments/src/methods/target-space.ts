/**
 * `target-space` and `target-space-ocu`: Fairbank & Samothrakis' training in target space on an experiment's
 * architecture — dense (Alg. 1–4), recurrent (Alg. 5–6) or convolutional (§4.2) — with sequential cascade
 * untangling (the paper's method; for RNNs the SCU/OCU hybrid of Alg. 6) or the optimistic ablation (§5.1, §5.3).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, readValues } from '@beyond-backprop/core-linalg';
import type { FitOptions, History } from '@beyond-backprop/training';
import { TargetSpaceCnn, TargetSpaceMlp, TargetSpaceRnn, type TargetOptimizerConfig, type TargetSpaceEngine } from '@beyond-backprop/target-space';
import type { Method, MethodContext, MethodOption, MethodRun } from '../registry.js';
import { recurrentData } from './recurrent-data.js';

const OPTIONS: MethodOption[] = [
  { flag: '--lambda <λ>', description: 'Tikhonov constant of the ridge solves (target space; paper: 0.001 or 0.1)' },
  {
    flag: '--realisation-size <n>',
    description: 'n̄_b, rows of the fixed realisation batch X̄: the first n training examples (target space; default: the batch size)',
  },
  {
    flag: '--realisation <source>',
    description: "target space RNN: 'train' (first training sequences, default) or 'uniform' (fixed U[−1,1] already-embedded sequences, §5.4)",
  },
  { flag: '--realisation-length <n>', description: 'n̄_t, steps of uniform realisation sequences (target space RNN)' },
  { flag: '--target-std <σ>', description: 'std of the truncated-normal target initialisation (target space)' },
  { flag: '--dropout <p>', description: 'drop probability on hidden layers, in both passes (target space)' },
  { flag: '--patch-rows <n>', description: 'solve conv kernels from n fixed patch rows (target space CNN; default all)' },
  { flag: '--engine <engine>', description: 'float64 (CPU, exact), tfjs (active backend) or auto (target space); float64 or tfjs (recurrent backprop)' },
];

function numberOption(ctx: MethodContext, key: string): number | undefined {
  const v = ctx.options[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a number, got '${String(v)}'`);
  return n;
}

function optimizer(ctx: MethodContext): TargetOptimizerConfig {
  return ctx.optimizer === 'adam' ? { kind: 'adam', learningRate: ctx.learningRate } : { kind: 'sgd', learningRate: ctx.learningRate };
}

/** Wraps a trained network's `predict` (tensor in, tensor out) as the runner's flat-array predict. */
function arrayPredict(predict: (x: tf.Tensor) => tf.Tensor, dtype: 'float32' | 'int32' = 'float32') {
  return (xv: Float32Array, shape: number[]) => {
    // Reshapes inside `predict` are freed with the input; only the read values leave.
    return readValues(() => predict(tf.tensor(dtype === 'int32' ? Int32Array.from(xv) : xv, shape, dtype))) as Float32Array;
  };
}

/** A run that trains `net` on `x`, `y` with the context's budget, and frees the network and the data afterwards. */
function networkRun<X extends tf.Tensor, Y extends tf.Tensor>(
  ctx: MethodContext,
  net: { readonly engine: 'float64' | 'tfjs'; fit(x: X, y: Y, options: FitOptions): Promise<History>; dispose(): void },
  x: X,
  y: Y,
  predict: MethodRun['predict'],
): MethodRun {
  return {
    engine: net.engine,
    fit: (callbacks, signal) => net.fit(x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, callbacks, signal }),
    predict,
    dispose: () => {
      net.dispose();
      tf.dispose([x, y]);
    },
  };
}

function denseRun(ctx: MethodContext, ocu: boolean): MethodRun {
  const { data } = ctx;
  const arch = ctx.architecture;
  if (arch.kind !== 'dense') throw new Error('unreachable');
  const n = data.train.xShape[0];
  const inputSize = data.train.xShape.slice(1).reduce((p, d) => p * d, 1);
  const classification = data.train.y instanceof Int32Array;
  const outputs = classification ? (data.numClasses ?? 2) : (data.train.yShape[1] ?? 1);
  const realisationSize = Math.min(n, numberOption(ctx, 'realisationSize') ?? ctx.batchSize);
  const x = tf.tensor2d(data.train.x, [n, inputSize]);
  const y = classification ? tf.tensor1d(data.train.y as Int32Array, 'int32') : tf.tensor2d(data.train.y as Float32Array, [n, outputs]);
  const xBar = tf.slice(x, [0, 0], [realisationSize, inputSize]) as tf.Tensor2D;
  const net = new TargetSpaceMlp(
    { layers: [inputSize, ...arch.hidden, outputs], activation: arch.activation, shortcuts: arch.shortcuts },
    {
      realisationInputs: xBar,
      lambda: numberOption(ctx, 'lambda') ?? 1e-3,
      cascade: ocu ? 'ocu' : 'scu',
      targetStd: numberOption(ctx, 'targetStd') ?? 1,
      dropout: numberOption(ctx, 'dropout') ?? 0,
      engine: (ctx.options.engine as TargetSpaceEngine | undefined) ?? 'auto',
      optimizer: optimizer(ctx),
      seed: ctx.seed,
    },
  );
  xBar.dispose();
  return networkRun<tf.Tensor2D, typeof y>(
    ctx,
    net,
    x as tf.Tensor2D,
    y,
    arrayPredict((t) => net.predict(tf.reshape(t, [t.shape[0], inputSize]) as tf.Tensor2D)),
  );
}

function recurrentRun(ctx: MethodContext, ocu: boolean): MethodRun {
  const { x, y, spec } = recurrentData(ctx);
  const n = x.shape[0]!;
  const time = x.shape[1]!;
  const size = Math.min(n, numberOption(ctx, 'realisationSize') ?? ctx.batchSize);
  let xBar: tf.Tensor3D;
  if (ctx.options.realisation === 'uniform' || spec.embedding) {
    // Already-embedded random sequences, fixed for the run (paper §5.4, footnote 2).
    const length = numberOption(ctx, 'realisationLength') ?? time;
    xBar = createRng(ctx.seed).fork('realisation').uniformTensor([size, length, spec.inputSize], { low: -1, high: 1 }) as tf.Tensor3D;
  } else {
    xBar = tf.slice(x, [0, 0, 0], [size, time, spec.inputSize]) as tf.Tensor3D;
  }
  const net = new TargetSpaceRnn(spec, {
    realisationInputs: xBar,
    lambda: numberOption(ctx, 'lambda') ?? 0.1,
    cascade: ocu ? 'ocu' : 'hybrid',
    targetStd: numberOption(ctx, 'targetStd') ?? 1,
    engine: (ctx.options.engine as TargetSpaceEngine | undefined) ?? 'auto',
    optimizer: optimizer(ctx),
    seed: ctx.seed,
  });
  xBar.dispose();
  return networkRun(
    ctx,
    net,
    x,
    y,
    arrayPredict((t) => net.predict(t), spec.embedding ? 'int32' : 'float32'),
  );
}

function convRun(ctx: MethodContext): MethodRun {
  const { data } = ctx;
  const arch = ctx.architecture;
  if (arch.kind !== 'conv') throw new Error('unreachable');
  const shape = data.train.xShape.slice(1);
  const input = (shape.length === 2 ? [...shape, 1] : shape) as [number, number, number];
  const n = data.train.xShape[0];
  const x = tf.tensor4d(data.train.x, [n, ...input]);
  const y = tf.tensor1d(data.train.y as Int32Array, 'int32');
  const size = Math.min(n, numberOption(ctx, 'realisationSize') ?? ctx.batchSize);
  const xBar = tf.slice(x, [0, 0, 0, 0], [size, ...input]) as tf.Tensor4D;
  const patchRows = numberOption(ctx, 'patchRows');
  const net = new TargetSpaceCnn(
    { input, conv: arch.conv, dense: arch.dense, outputs: data.numClasses ?? 2, activation: arch.activation },
    {
      realisationInputs: xBar,
      lambda: numberOption(ctx, 'lambda') ?? 0.1,
      targetStd: numberOption(ctx, 'targetStd') ?? 0.1,
      dropout: numberOption(ctx, 'dropout') ?? 0,
      ...(patchRows === undefined ? {} : { patchRows }),
      optimizer: optimizer(ctx),
      seed: ctx.seed,
    },
  );
  xBar.dispose();
  return networkRun(
    ctx,
    net,
    x,
    y,
    arrayPredict((t) => net.predict(tf.reshape(t, [t.shape[0], ...input]) as tf.Tensor4D)),
  );
}

/** Target space with sequential cascade untangling (the paper's method). */
export const targetSpaceMethod: Method = {
  name: 'target-space',
  description: 'training in target space with sequential cascade untangling (Fairbank & Samothrakis); dense, recurrent and conv nets',
  source: 'Fairbank & Samothrakis, Deep Learning in Target Space, Alg. 1–6, §4.2',
  options: OPTIONS,
  supports: (experiment) => ['dense', 'recurrent', 'conv'].includes(experiment.architecture.kind),
  create: (ctx) => (ctx.architecture.kind === 'recurrent' ? recurrentRun(ctx, false) : ctx.architecture.kind === 'conv' ? convRun(ctx) : denseRun(ctx, false)),
};

/** Target space with optimistic cascade untangling (the prior-work ablation). */
export const targetSpaceOcuMethod: Method = {
  name: 'target-space-ocu',
  description: 'training in target space with optimistic cascade untangling (the ablation of §5.1 and §5.3)',
  source: 'Fairbank & Samothrakis, Deep Learning in Target Space, eq. 8 and Alg. 6 (fully OCU)',
  options: OPTIONS,
  supports: (experiment) => experiment.architecture.kind === 'dense' || experiment.architecture.kind === 'recurrent',
  create: (ctx) => (ctx.architecture.kind === 'recurrent' ? recurrentRun(ctx, true) : denseRun(ctx, true)),
};
