/**
 * `data-parallel`, browser-safe core: the experiment's dense or conv network trained by K replicas on K shards of the
 * training set, synchronised by periodic model averaging of codec-encoded weights (Øland's thesis §3.1: workers
 * exchange their parameters as compressed packages; `--codec huffman` is Alg. 1/2). Where the replicas run is the
 * caller's launcher: worker threads or Redis in Node (`@beyond-backprop/experiments/node`), Web Workers in browsers.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, readValues } from '@beyond-backprop/core-linalg';
import { DataParallelTrainer, type DataParallelStats, type ReplicaLauncher, type SyncMode } from '@beyond-backprop/cluster';
import { createWeightCodec } from '@beyond-backprop/compression';
import { denseNetwork, type DenseInit } from '@beyond-backprop/training';
import { classifierNetwork } from './classifier-network.js';
import type { Method, MethodContext, MethodOption, MethodRun, OptionValues, ResultFieldValue } from '../registry.js';

/** The weight codecs of `--codec` (from `@beyond-backprop/compression`). */
export const DATA_PARALLEL_CODECS = ['none', 'fixed8', 'huffman'] as const;
const CODECS = DATA_PARALLEL_CODECS;

/** Where a data-parallel run's replicas run, and how they get the codec. */
export interface DataParallelSettings {
  /**
   * The launcher of a run with these method options and `workers` replicas (it validates its own options, e.g.
   * `--transport`, and throws `InvalidArgumentError` for bad ones).
   */
  launcher: (options: OptionValues, workers: number) => ReplicaLauncher;
  /**
   * The URL every replica imports the codec module from (Node: `import.meta.resolve('@beyond-backprop/compression')`).
   * Without it the codec travels by name only and every participant links `@beyond-backprop/compression` statically:
   * the coordinator here, browser replicas through `serveReplica(self, { codecModule })`.
   */
  codecModuleUrl?: () => string;
}

/** The options every data-parallel variant takes, in `bbp run --help` order (launchers add their own). */
export const dataParallelOptions: Readonly<Record<'workers' | 'lrScaling' | 'codec' | 'syncEvery' | 'syncMode', MethodOption>> = {
  workers: { flag: '--workers <k>', description: 'data-parallel: number of replicas K (default 2); each trains on batch-size examples per step (as DDP)' },
  lrScaling: {
    flag: '--lr-scaling <rule>',
    description: "data-parallel: 'linear' (default: the learning rate times K, for the K-fold global batch) or 'none'",
  },
  codec: { flag: '--codec <name>', description: 'data-parallel: weight codec none | fixed8 | huffman (default none)' },
  syncEvery: { flag: '--sync-every <n>', description: 'data-parallel: minibatches between synchronisations (default 10; every epoch also ends with one)' },
  syncMode: { flag: '--sync-mode <mode>', description: "data-parallel: 'weights' (the thesis) or 'delta' (change since the last sync, error feedback)" },
};

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
  let model: tf.LayersModel;
  let inputShape: number[];
  if (arch.kind === 'dense') {
    inputShape = [data.train.xShape.slice(1).reduce((p, d) => p * d, 1)];
    model = denseNetwork({
      inputSize: inputShape[0],
      hidden: arch.hidden,
      outputs,
      activation: arch.activation,
      shortcuts: arch.shortcuts,
      init,
      seed: ctx.seed,
    });
  } else if (arch.kind === 'conv') {
    ({ model, inputShape } = classifierNetwork(arch, data.train.xShape.slice(1), outputs, ctx.seed, init, { batchNorm: false, dropout: 0 }));
  } else {
    throw new InvalidArgumentError('bbp run', '--method', 'data-parallel trains dense and conv networks', arch.kind);
  }
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

/** What a data-parallel method variant shows and where its replicas run. */
export interface DataParallelMethodSpec extends DataParallelSettings {
  description: string;
  /** Its options (default: {@link dataParallelOptions}). */
  options?: MethodOption[];
}

/**
 * A `data-parallel` method whose replicas run where `spec.launcher` puts them — how `@beyond-backprop/experiments/node`
 * builds its threads/Redis method and the browser demo its Web Worker one.
 *
 * @example
 * ```ts
 * const method = createDataParallelMethod({
 *   description: 'data-parallel over Web Workers',
 *   launcher: () => webWorkerReplicas((rank) => new Worker(new URL('./replica-worker.ts', import.meta.url), { type: 'module' })),
 * });
 * registerMethod(method);
 * ```
 */
export function createDataParallelMethod(spec: DataParallelMethodSpec): Method {
  return {
    name: 'data-parallel',
    description: spec.description,
    source: 'Øland, Efficient Deep Learning (2024), §3.1 and §3.6 (weights exchanged as compressed packages); model averaging',
    options: spec.options ?? Object.values(dataParallelOptions),
    supports: (experiment) => experiment.architecture.kind === 'dense' || experiment.architecture.kind === 'conv',
    create: (ctx) => createDataParallelRun(ctx, spec),
  };
}
