/**
 * `target-space` and `target-space-ocu`: Fairbank & Samothrakis' training in target space on an experiment's dense
 * architecture (SCU, the paper's method, and the OCU ablation of §5.1 / Fig. 5).
 */
import * as tf from '@tensorflow/tfjs';
import { TargetSpaceMlp, type CascadeUntangling, type TargetSpaceEngine } from '@beyond-backprop/target-space';
import type { Method, MethodContext, MethodOption, MethodRun } from '../registry.js';

const OPTIONS: MethodOption[] = [
  { flag: '--lambda <λ>', description: 'Tikhonov constant of the ridge solves (target space; paper: 0.001 or 0.1)' },
  { flag: '--realisation-size <n>', description: 'rows of the fixed realisation batch X̄, the first n training examples (target space; default: the batch size)' },
  { flag: '--target-std <σ>', description: 'std of the truncated-normal target initialisation (target space; default 1)' },
  { flag: '--dropout <p>', description: 'drop probability on hidden layers, in both passes (target space; default 0)' },
  { flag: '--engine <engine>', description: 'target space: float64 (CPU, exact), tfjs (active backend) or auto' },
];

function numberOption(ctx: MethodContext, key: string, fallback: number): number {
  const v = ctx.options[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a number, got '${String(v)}'`);
  return n;
}

function createRun(ctx: MethodContext, cascade: CascadeUntangling): MethodRun {
  const { data, experiment } = ctx;
  const arch = experiment.architecture;
  if (arch.kind !== 'dense') throw new Error(`target space: the '${arch.kind}' architecture is not supported by this method`);
  const [n, inputSize] = data.train.xShape as [number, number];
  const classification = data.train.y instanceof Int32Array;
  const outputs = classification ? (data.numClasses ?? 2) : (data.train.yShape[1] ?? 1);
  const realisationSize = Math.min(n, numberOption(ctx, 'realisationSize', ctx.batchSize));
  const x = tf.tensor2d(data.train.x, [n, inputSize]);
  const y = classification ? tf.tensor1d(data.train.y as Int32Array, 'int32') : tf.tensor2d(data.train.y as Float32Array, [n, outputs]);
  const xBar = tf.slice(x, [0, 0], [realisationSize, inputSize]) as tf.Tensor2D;
  const net = new TargetSpaceMlp(
    { layers: [inputSize, ...arch.hidden, outputs], activation: arch.activation, shortcuts: arch.shortcuts },
    {
      realisationInputs: xBar,
      lambda: numberOption(ctx, 'lambda', 1e-3),
      cascade,
      targetStd: numberOption(ctx, 'targetStd', 1),
      dropout: numberOption(ctx, 'dropout', 0),
      engine: (ctx.options.engine as TargetSpaceEngine | undefined) ?? 'auto',
      optimizer: ctx.optimizer === 'adam' ? { kind: 'adam', learningRate: ctx.learningRate } : { kind: 'sgd', learningRate: ctx.learningRate },
      seed: ctx.seed,
    },
  );
  xBar.dispose();
  return {
    fit: (callbacks, signal) => net.fit(x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, callbacks, signal }),
    predict: (xv, shape) => {
      const input = tf.tensor2d(xv, shape as [number, number]);
      const out = net.predict(input);
      const values = out.dataSync() as Float32Array;
      tf.dispose([input, out]);
      return values;
    },
    dispose: () => {
      net.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** Target space with sequential cascade untangling (the paper's method). */
export const targetSpaceMethod: Method = {
  name: 'target-space',
  description: 'training in target space, sequential cascade untangling (Fairbank & Samothrakis)',
  source: 'Fairbank & Samothrakis, Deep Learning in Target Space, Alg. 1–4',
  options: OPTIONS,
  supports: (experiment) => experiment.architecture.kind === 'dense',
  create: (ctx) => createRun(ctx, 'scu'),
};

/** Target space with optimistic cascade untangling (the prior-work ablation). */
export const targetSpaceOcuMethod: Method = {
  name: 'target-space-ocu',
  description: 'training in target space, optimistic cascade untangling (the ablation of §5.1)',
  source: 'Fairbank & Samothrakis, Deep Learning in Target Space, eq. 8',
  options: OPTIONS,
  supports: (experiment) => experiment.architecture.kind === 'dense',
  create: (ctx) => createRun(ctx, 'ocu'),
};
