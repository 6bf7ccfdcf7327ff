/**
 * Local representation alignment: `rec-lra` and `rec-lra-resnet` (Ororbia et al., rec-LRA, Alg. 1–2) on dense
 * experiments, and `lra-rnn`, `lra-rnn-plain` and their backprop-through-time twin `bptt` (Manchev &
 * Garcia-Peraza-Herrera) on the temporal tasks.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, readValues } from '@beyond-backprop/core-linalg';
import {
  BpttRnn,
  LraRnn,
  RecLraNetwork,
  type ActivationName,
  type ElmanRnn,
  type ErrorWiring,
  type LraRnnConfig,
  type RecLraConfig,
} from '@beyond-backprop/lra';
import { paperAdam } from '@beyond-backprop/training';
import type { Experiment, Method, MethodContext, MethodOption, MethodRun, OptionValues } from '../registry.js';

const REC_LRA_OPTIONS: MethodOption[] = [
  { flag: '--beta <β>', description: 'rec-LRA: scale of the target nudge φ(H − β·D) (default 0.1)' },
  { flag: '--gamma-e <γ>', description: 'rec-LRA: error-synapse update factor (default 1)' },
  { flag: '--clip <c>', description: 'LRA: radius of the update re-projection, 0 = off (default 1)' },
  { flag: '--sigma-w <σ>', description: 'rec-LRA: std of the Gaussian initial weights (default 0.05, P2 MNIST)' },
  { flag: '--sigma-e <σ>', description: 'rec-LRA: std of the initial error synapses (default: --sigma-w)' },
  { flag: '--wiring <kind>', description: 'rec-LRA: error wiring chain (default), direct, skip:<g> or residual:<g>' },
  { flag: '--e-rule <rule>', description: 'rec-LRA: error-synapse rule alg2 (default), alg1-literal or none (fixed E)' },
  { flag: '--e-optimizer <kind>', description: "rec-LRA: error synapses by same-as-W (default: the weights' optimiser, Adam, as P2 §4) or sgd" },
  { flag: '--activation <φ>', description: 'rec-LRA: hidden activation instead of the experiment’s (tanh, sigmoid, relu, leakyRelu, elu, sign, linear)' },
];

const RESNET_OPTIONS: MethodOption[] = [
  { flag: '--gap <g>', description: 'rec-LRA resnet: residual block length g (default 2)' },
  { flag: '--block-learning <mode>', description: 'rec-LRA resnet: local (default) or backprop inside each block' },
];

const RNN_OPTIONS: MethodOption[] = [
  { flag: '--k <K>', description: 'LRA RNN: inner target iterations (default 10)' },
  { flag: '--target-step <γ>', description: 'LRA RNN: step of each target iteration (default 10)' },
  { flag: '--lambda-reg <λ>', description: 'LRA RNN: weight of the direction regulariser (lra-rnn default 0.1; lra-rnn-plain 0)' },
  { flag: '--mode <mode>', description: 'LRA RNN: inner-loop reading intended (default) or literal' },
  { flag: '--local-loss <loss>', description: 'LRA RNN: mse (default) or logPenalty' },
  { flag: '--clip <c>', description: 'LRA RNN and BPTT: radius of the gradient (and target-step) normalisation, 0 = off (default 1)' },
];

function num(ctx: MethodContext, key: string, fallback: number): number {
  const v = ctx.options[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('bbp run', `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, 'must be a number', v);
  return n;
}

function str<T extends string>(options: OptionValues, key: string, allowed: readonly T[], fallback: T): T {
  const v = options[key] === undefined ? fallback : String(options[key]);
  if (!allowed.includes(v as T))
    throw new InvalidArgumentError('bbp run', `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, `must be one of: ${allowed.join(', ')}`, v);
  return v as T;
}

function wiringOf(ctx: MethodContext, fallback: string): ErrorWiring {
  const raw = String(ctx.options.wiring ?? fallback);
  const [kind, g] = raw.split(':');
  if (kind === 'chain' || kind === 'direct') return { kind };
  if ((kind === 'skip' || kind === 'residual') && Number.isInteger(Number(g)) && Number(g) >= 1) return { kind, g: Number(g) };
  throw new InvalidArgumentError('bbp run', '--wiring', 'must be chain, direct, skip:<g> or residual:<g>', raw);
}

function tfOptimizer(ctx: MethodContext): tf.Optimizer {
  return ctx.optimizer === 'adam' ? paperAdam(ctx.learningRate) : tf.train.sgd(ctx.learningRate);
}

/** Dense, no all-shortcut connections (rec-LRA layers see only the layer below). */
const supportsMlp = (e: Experiment) => e.architecture.kind === 'dense' && !e.architecture.shortcuts;

function recLraRun(ctx: MethodContext, residual: boolean): MethodRun {
  const { data } = ctx;
  const arch = ctx.architecture;
  if (arch.kind !== 'dense') throw new Error('rec-LRA trains dense architectures');
  const n = data.train.xShape[0];
  const inputSize = data.train.xShape.slice(1).reduce((p, d) => p * d, 1);
  const classification = data.train.y instanceof Int32Array;
  const outputs = classification ? (data.numClasses ?? 2) : (data.train.yShape[1] ?? 1);
  const sigmaW = num(ctx, 'sigmaW', 0.05);
  const config: RecLraConfig = {
    layerSizes: [inputSize, ...arch.hidden, outputs],
    hiddenActivation: str(ctx.options, 'activation', ['tanh', 'sigmoid', 'relu', 'leakyRelu', 'elu', 'sign', 'linear'] as ActivationName[], arch.activation),
    outputActivation: classification ? 'softmax' : 'linear',
    wiring: residual ? { kind: 'residual', g: num(ctx, 'gap', 2) } : wiringOf(ctx, 'chain'),
    beta: num(ctx, 'beta', 0.1),
    gammaE: num(ctx, 'gammaE', 1),
    clip: num(ctx, 'clip', 1),
    init: { sigmaW, sigmaE: num(ctx, 'sigmaE', sigmaW) },
    errorSynapses: {
      rule: str(ctx.options, 'eRule', ['alg2', 'alg1-literal', 'none'] as const, 'alg2'),
      optimizer: str(ctx.options, 'eOptimizer', ['same-as-W', 'sgd'] as const, 'same-as-W'),
      learningRate: ctx.learningRate,
    },
    ...(residual ? { blockLearning: str(ctx.options, 'blockLearning', ['local', 'backprop'] as const, 'local') } : {}),
    optimizer: tfOptimizer(ctx),
    seed: ctx.seed,
  };
  const net = new RecLraNetwork(config);
  const x = tf.tensor2d(data.train.x, [n, inputSize]);
  const y = classification ? tf.tensor1d(data.train.y as Int32Array, 'int32') : tf.tensor2d(data.train.y as Float32Array, [n, outputs]);
  return {
    fit: (callbacks, signal) => net.fit(x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, callbacks, signal }),
    predict: (xv, shape) => readValues(() => net.predict(tf.tensor2d(xv, [shape[0], inputSize]))) as Float32Array,
    dispose: () => {
      net.dispose();
      config.optimizer!.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** Recurrent experiments with one-hot float inputs and a read-out at the last step (the temporal tasks). */
const supportsRnn = (e: Experiment) => e.architecture.kind === 'recurrent' && e.architecture.readout === 'last-step' && e.architecture.embedding === undefined;

function rnnRun(ctx: MethodContext, kind: 'lra' | 'plain' | 'bptt'): MethodRun {
  const arch = ctx.architecture;
  if (arch.kind !== 'recurrent') throw new Error('LRA RNNs train recurrent architectures');
  if (arch.activation !== 'tanh')
    throw new InvalidArgumentError('bbp run', 'architecture.activation', "must be 'tanh' for the LRA RNN (P3's Elman network)", arch.activation);
  const { train } = ctx.data;
  const classification = train.y instanceof Int32Array;
  const outputs = classification ? (ctx.data.numClasses ?? 2) : (train.yShape[1] ?? 1);
  const [, T, p] = train.xShape as [number, number, number];
  const optimizer = tfOptimizer(ctx);
  const base = { inputSize: p, hidden: arch.hidden, outputs, output: classification ? ('softmax' as const) : ('linear' as const), optimizer, seed: ctx.seed };
  let rnn: ElmanRnn;
  if (kind === 'bptt') {
    rnn = new BpttRnn({ ...base, clipW: num(ctx, 'clip', 1) });
  } else {
    const config: LraRnnConfig = {
      ...base,
      K: num(ctx, 'k', 10),
      targetStep: num(ctx, 'targetStep', 10),
      clipW: num(ctx, 'clip', 1),
      clipTarget: num(ctx, 'clip', 1),
      lambdaReg: kind === 'plain' ? 0 : num(ctx, 'lambdaReg', 0.1),
      mode: str(ctx.options, 'mode', ['intended', 'literal'] as const, 'intended'),
      localLoss: str(ctx.options, 'localLoss', ['mse', 'logPenalty'] as const, 'mse'),
    };
    rnn = new LraRnn(config);
  }
  const x = tf.tensor3d(train.x, [train.xShape[0], T, p]);
  const y = classification ? tf.tensor1d(train.y as Int32Array, 'int32') : tf.tensor2d(train.y as Float32Array, [train.xShape[0], outputs]);
  return {
    fit: (callbacks, signal) => rnn.fit(x, y, { epochs: ctx.epochs, batchSize: ctx.batchSize, seed: ctx.seed, callbacks, signal }),
    predict: (xv, shape) => readValues(() => rnn.predict(tf.tensor3d(xv, shape as [number, number, number]))) as Float32Array,
    dispose: () => {
      rnn.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}

const P2 = 'Ororbia, Mali, Kifer & Giles, Reducing the computational burden of deep learning with recursive local representation alignment';
const P3 = 'Manchev & Garcia-Peraza-Herrera, Can Local Representation Alignment RNNs Solve Temporal Tasks?';

/** rec-LRA on a dense network (P2 Alg. 1). */
export const recLraMethod: Method = {
  name: 'rec-lra',
  description: 'recursive local representation alignment: per-layer targets from error synapses, local updates, no backward pass (dense nets)',
  source: `${P2}, Alg. 1`,
  options: REC_LRA_OPTIONS,
  supports: supportsMlp,
  create: (ctx) => recLraRun(ctx, false),
};

/** rec-LRA with residual blocks and skip-error connections from the output (P2 Alg. 2). */
export const recLraResnetMethod: Method = {
  name: 'rec-lra-resnet',
  description: 'rec-LRA on the dense net with residual blocks every --gap layers and skip-error connections from the output',
  source: `${P2}, Sec. 3.3, Alg. 2`,
  options: [...REC_LRA_OPTIONS.filter((o) => !o.flag.startsWith('--wiring')), ...RESNET_OPTIONS],
  supports: supportsMlp,
  create: (ctx) => recLraRun(ctx, true),
};

/** LRA RNN with the direction regulariser (P3 Alg. 1–2). */
export const lraRnnMethod: Method = {
  name: 'lra-rnn',
  description: 'LRA for RNNs with regularisation in the direction of the update (λ = 0.1): local one-step losses toward per-step targets',
  source: `${P3}, Alg. 1–2`,
  options: RNN_OPTIONS,
  supports: supportsRnn,
  create: (ctx) => rnnRun(ctx, 'lra'),
};

/** LRA RNN without the regulariser (P3 Alg. 1, "vanilla"). */
export const lraRnnPlainMethod: Method = {
  name: 'lra-rnn-plain',
  description: 'LRA for RNNs without the regulariser (RNN-LRA-diff, the paper’s vanilla method)',
  source: `${P3}, Alg. 1`,
  options: RNN_OPTIONS.filter((o) => !o.flag.startsWith('--lambda-reg')),
  supports: supportsRnn,
  create: (ctx) => rnnRun(ctx, 'plain'),
};

/** Backprop through time on the LRA RNN's network (same init, optimiser and normalisation). */
export const bpttMethod: Method = {
  name: 'bptt',
  description: 'backpropagation through time on the same Elman network as lra-rnn (same orthogonal init, SGD and normalisation)',
  source: `${P3}, baseline (Sec. IV)`,
  options: RNN_OPTIONS.filter((o) => o.flag.startsWith('--clip')),
  supports: supportsRnn,
  create: (ctx) => rnnRun(ctx, 'bptt'),
};

/** Every LRA method, in the order `bbp list` shows them. */
export const lraMethods: Method[] = [recLraMethod, recLraResnetMethod, lraRnnMethod, lraRnnPlainMethod, bpttMethod];
