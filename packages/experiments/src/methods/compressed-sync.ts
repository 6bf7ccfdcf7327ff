/**
 * `compressed-sync`: backpropagation whose weights are quantised, entropy-coded, decoded and written back at every
 * synchronisation — the single-process reproduction of Øland's compressed data-parallel training (thesis ch. 3,
 * §3.7–3.9) through `SimulatedSync` from `@beyond-backprop/compression/tfjs`. `--codec none` is the uncompressed
 * baseline on the same network, loss and batches.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, readValues } from '@beyond-backprop/core-linalg';
import type { BitRounding, CodecName } from '@beyond-backprop/compression';
import { SimulatedSync } from '@beyond-backprop/compression/tfjs';
import { denseNetwork, fitBackprop, paperAdam, type DenseInit } from '@beyond-backprop/training';
import type { Method, MethodContext, MethodOption, MethodRun } from '../registry.js';

const CODECS: readonly CodecName[] = ['none', 'fixed8', 'huffman'];

const OPTIONS: MethodOption[] = [
  { flag: '--codec <name>', description: 'none (float32), fixed8 (fixed N-bit baseline, §3.2) or huffman (Alg. 1: N = H + c, Huffman-coded; default)' },
  { flag: '--c <bits>', description: 'bit floor c in N = H + c (default 6; thesis §3.9: best accuracy; 5 = max compression)' },
  { flag: '--m <bits>', description: 'bits M of the preliminary quantisation that estimates H (default 4)' },
  { flag: '--sample-fraction <F>', description: 'fraction F of each layer sampled for the entropy estimate (default 0.03)' },
  { flag: '--min-sample <n>', description: 'smallest entropy sample per layer (default 256; 0 = the thesis literally)' },
  { flag: '--rounding <rule>', description: 'how H + c becomes an integer: ceil (default), round or floor' },
  { flag: '--fixed-bits <N>', description: 'bit depth of the fixed codec (default 8; the C1 sweep uses 2..24)' },
  { flag: '--sync-every <epochs>', description: 'epochs between synchronisations (default 1)' },
  { flag: '--include-biases', description: 'compress the biases too (default: sent as raw float32, outside bits/parameter)' },
  { flag: '--momentum <m>', description: 'momentum of SGD (--optimizer sgd; default 0.9)' },
  { flag: '--output-activation <a>', description: 'linear (default) or tanh (thesis §3.1: tanh in every layer)' },
  { flag: '--loss <name>', description: 'softmax-ce (default) or mse on one-hot {0, 1} targets (thesis §3.3)' },
  { flag: '--init <scheme>', description: 'glorot-uniform (default), glorot-truncated or he-normal' },
];

function numberOption(ctx: MethodContext, key: string, fallback: number): number {
  const raw = ctx.options[key];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value)) throw new InvalidArgumentError('bbp run', `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, 'must be a number', raw);
  return value;
}

function choice<T extends string>(ctx: MethodContext, key: string, allowed: readonly T[], fallback: T): T {
  const value = (ctx.options[key] ?? fallback) as T;
  if (!allowed.includes(value))
    throw new InvalidArgumentError('bbp run', `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, `must be one of ${allowed.join(', ')}`, value);
  return value;
}

function create(ctx: MethodContext): MethodRun {
  const { data } = ctx;
  const arch = ctx.architecture;
  if (arch.kind !== 'dense') throw new InvalidArgumentError('bbp run', '--method', 'compressed-sync needs a dense architecture', arch.kind);
  const n = data.train.xShape[0];
  const inputSize = data.train.xShape.slice(1).reduce((p, d) => p * d, 1);
  const classes = data.numClasses ?? 2;
  if (!(data.train.y instanceof Int32Array))
    throw new InvalidArgumentError('bbp run', 'experiment', 'compressed-sync needs a classification experiment', ctx.experiment.name);
  const codec = choice(ctx, 'codec', CODECS, 'huffman');
  const loss = choice(ctx, 'loss', ['softmax-ce', 'mse'] as const, 'softmax-ce');
  const outputActivation = choice(ctx, 'outputActivation', ['linear', 'tanh'] as const, 'linear');
  const init = (ctx.options.init as DenseInit | undefined) ?? 'glorot-uniform';
  const base = denseNetwork({ inputSize, hidden: arch.hidden, outputs: classes, activation: arch.activation, shortcuts: arch.shortcuts, init, seed: ctx.seed });
  const model =
    outputActivation === 'tanh'
      ? tf.model({
          inputs: base.inputs,
          outputs: tf.layers.activation({ activation: 'tanh', name: 'output_tanh' }).apply(base.outputs[0]) as tf.SymbolicTensor,
        })
      : base;
  const sync = new SimulatedSync(model, {
    codec,
    bitFloor: numberOption(ctx, 'c', 6),
    preliminaryBits: numberOption(ctx, 'm', 4),
    sampleFraction: numberOption(ctx, 'sampleFraction', 0.03),
    minSample: numberOption(ctx, 'minSample', 256),
    rounding: choice<BitRounding>(ctx, 'rounding', ['ceil', 'round', 'floor'], 'ceil'),
    fixedBits: numberOption(ctx, 'fixedBits', 8),
    syncEvery: numberOption(ctx, 'syncEvery', 1),
    includeBiases: ctx.options.includeBiases === true || ctx.options.includeBiases === 'true',
    seed: ctx.seed,
  });
  const x = tf.tensor2d(data.train.x, [n, inputSize]);
  const labels = data.train.y;
  const y = loss === 'mse' ? tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat()) : tf.tensor1d(labels, 'int32');
  const optimizer = ctx.optimizer === 'adam' ? paperAdam(ctx.learningRate) : tf.train.momentum(ctx.learningRate, numberOption(ctx, 'momentum', 0.9));
  return {
    // The sync runs before the runner's callbacks, so every evaluation sees the weights a replica would hold.
    fit: (callbacks, signal) =>
      fitBackprop(model, x, y, {
        epochs: ctx.epochs,
        batchSize: ctx.batchSize,
        seed: ctx.seed,
        optimizer,
        loss: loss === 'mse' ? 'meanSquaredError' : 'softmaxCrossEntropy',
        callbacks: [sync, callbacks],
        signal,
      }),
    predict: (xv, shape) => readValues(() => model.predict(tf.tensor2d(xv, [shape[0], inputSize]), { batchSize: 1024 }) as tf.Tensor) as Float32Array,
    resultFields: () => {
      const s = sync.summary();
      return {
        codec,
        syncs: s.syncs,
        bitsPerParameter: s.bitsPerParameter,
        quantizedBitsPerParameter: s.quantizedBitsPerParameter,
        compressionRatio: s.compressionRatio,
        bytesSent: s.bytesSent,
        bytesSentFloat32: s.bytesSentFloat32,
        wireCompressionRatio: s.wireCompressionRatio,
        bitsPerParameterByEpoch: sync.records.map((r) => r.bitsPerParameter),
        layerBitsByEpoch: sync.records.map((r) => r.layers.map((l) => l.bits)),
        layerEntropyByEpoch: sync.records.map((r) => r.layers.map((l) => l.entropy)),
      };
    },
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** Backprop with compressed weight synchronisation every `--sync-every` epochs (Øland, ch. 3). */
export const compressedSyncMethod: Method = {
  name: 'compressed-sync',
  description: 'backprop with the weights quantised + Huffman-coded and written back every sync (simulated data-parallel synchronisation, bits accounted)',
  source: 'Øland, Efficient Deep Learning (2024), ch. 3, Alg. 1–2',
  options: OPTIONS,
  supports: (experiment) => experiment.architecture.kind === 'dense' && experiment.task === 'classification',
  create,
};
