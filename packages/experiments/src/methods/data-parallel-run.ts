/**
 * The run behind the `data-parallel` method (`data-parallel.ts`): the experiment's network on K replicas with
 * periodic model averaging through `DataParallelTrainer`. Imported when a run starts.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, readValues } from '@beyond-backprop/core-linalg';
import { DataParallelTrainer, type DataParallelStats, type SyncMode } from '@beyond-backprop/cluster';
import { createWeightCodec } from '@beyond-backprop/compression';
import type { DenseInit } from '@beyond-backprop/training';
import { classifierNetwork } from './classifier-network.js';
import { DATA_PARALLEL_CODECS, type DataParallelSettings } from './data-parallel.js';
import type { MethodContext, MethodRun, ResultFieldValue } from '../registry.js';

const CODECS = DATA_PARALLEL_CODECS;

/** The result fields of a data-parallel run (`workers`, `transport`, bytes on the wire, …): the run so far during `fit`. */
function statsFields(s: DataParallelStats | undefined, replicaBatchSize: number, learningRate: number): Record<string, ResultFieldValue> {
  if (!s) return {};
  return {
    workers: s.workers,
    transport: s.transport,
    bytesSent: s.bytesSent,
    bytesSentFloat32: s.bytesSentFloat32,
    compressionRatio: s.compressionRatio,
    bitsPerParameter: s.bitsPerParameter,
    samplesPerSecond: s.samplesPerSecond,
    syncRounds: s.rounds,
    replicaBatchSize,
    globalBatchSize: replicaBatchSize * s.workers,
    replicaLearningRate: learningRate,
    trainSeconds: s.trainSeconds,
    trainCpuSeconds: s.trainCpuSeconds ?? null,
    replicaStepSeconds: s.replicaStepSeconds,
    replicaSyncSeconds: s.replicaSyncSeconds,
    setupSeconds: s.setupSeconds,
    evaluationSeconds: s.callbackSeconds,
  };
}

/**
 * One data-parallel run (the `create` of every data-parallel method): parses the shared options, builds the network
 * and a {@link DataParallelTrainer} over `settings.launcher`.
 */
export function createDataParallelRun(ctx: MethodContext, settings: DataParallelSettings): MethodRun {
  const { data, options } = ctx;
  const arch = ctx.architecture;
  const workers = Number(options.workers ?? 2);
  checkNumber('bbp run', '--workers', workers, { min: 1, integer: true });
  const syncEvery = Number(options.syncEvery ?? 10);
  checkNumber('bbp run', '--sync-every', syncEvery, { min: 1, integer: true });
  const codec = String(options.codec ?? 'none');
  if (!(CODECS as readonly string[]).includes(codec)) throw new InvalidArgumentError('bbp run', '--codec', `must be one of ${CODECS.join(', ')}`, codec);
  const mode = String(options.syncMode ?? 'weights') as SyncMode;
  if (mode !== 'weights' && mode !== 'delta') throw new InvalidArgumentError('bbp run', '--sync-mode', "must be 'weights' or 'delta'", mode);
  const launcher = settings.launcher(options, workers);
  const lrScaling = String(options.lrScaling ?? 'linear');
  if (lrScaling !== 'linear' && lrScaling !== 'none') throw new InvalidArgumentError('bbp run', '--lr-scaling', "must be 'linear' or 'none'", lrScaling);
  // K replicas at `--batch-size` each average into one update of K × batch-size examples: the linear scaling rule
  // (Goyal et al. 2017, "Accurate, Large Minibatch SGD") multiplies the single-replica learning rate by K.
  const learningRate = lrScaling === 'linear' ? ctx.learningRate * workers : ctx.learningRate;

  const n = data.train.xShape[0];
  const classification = data.train.y instanceof Int32Array;
  const outputs = classification ? (data.numClasses ?? 2) : (data.train.yShape[1] ?? 1);
  const init = (options.init as DenseInit | undefined) ?? 'glorot-uniform';
  if (arch.kind !== 'dense' && arch.kind !== 'conv')
    throw new InvalidArgumentError('bbp run', '--method', 'data-parallel trains dense and conv networks', arch.kind);
  const { model, inputShape } = classifierNetwork(arch, data.train.xShape.slice(1), outputs, ctx.seed, init);
  const x = tf.tensor(data.train.x, [n, ...inputShape]);
  const y = classification ? tf.tensor1d(data.train.y as Int32Array, 'int32') : tf.tensor2d(data.train.y as Float32Array, [n, outputs]);
  const trainer = new DataParallelTrainer(model, {
    workers,
    launcher,
    mode,
    syncEvery,
    // Every participant creates the same codec from the compression package: loaded from an absolute URL that worker
    // threads and processes resolve too, or linked statically (bundles, where no specifier is imported at run time).
    ...(settings.codecModuleUrl
      ? { codec: { name: codec, module: settings.codecModuleUrl() } }
      : { codec: { name: codec }, codecModule: { createWeightCodec } }),
    loss: classification ? 'softmaxCrossEntropy' : 'meanSquaredError',
    // The backprop baseline's optimiser (paperAdam: TF1 defaults) so the two compare at equal settings.
    optimizer: ctx.optimizer === 'adam' ? { kind: 'adam', learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } : { kind: 'sgd', learningRate },
  });
  // `--batch-size` is each replica's minibatch, as in PyTorch DDP (a per-process batch size) and in the thesis's
  // setting (§3.1: each worker locally updates its own model on its own data): K replicas process K × batch-size
  // examples per step. Splitting one global batch in K parts instead made each replica pay a step's fixed cost
  // (the Adam update of every parameter, kernel launches) for 1/K of the examples, so two threads were no faster than one.
  const replicaBatchSize = ctx.batchSize;
  return {
    fit: (callbacks, signal) => trainer.fit(x, y, { epochs: ctx.epochs, batchSize: replicaBatchSize, seed: ctx.seed, callbacks, signal }),
    predict: (xv, shape) => readValues(() => model.predict(tf.tensor(xv, [shape[0], ...inputShape]), { batchSize: 1024 }) as tf.Tensor) as Float32Array,
    resultFields: () => statsFields(trainer.stats, replicaBatchSize, learningRate),
    dispose: () => {
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}
