/**
 * `data-parallel`: the experiment's dense or conv network trained by K replicas on K shards of the training set,
 * synchronised by periodic model averaging of codec-encoded weights (Øland's thesis §3.1: workers exchange their
 * parameters as compressed packages; `--codec huffman` is Alg. 1/2). Replicas run in worker threads of this process
 * or in processes that join through Redis (`--transport redis://host:port`; `bbp worker` joins from another machine).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, readValues } from '@beyond-backprop/core-linalg';
import { DataParallelTrainer, type DataParallelStats, type ReplicaLauncher, type SyncMode } from '@beyond-backprop/cluster';
import { redisReplicas, threadReplicas } from '@beyond-backprop/cluster/node';
import { denseNetwork, type DenseInit } from '@beyond-backprop/training';
import { classifierNetwork } from '../methods/classifier-network.js';
import type { Method, MethodContext, MethodRun } from '../registry.js';

const CODECS = ['none', 'fixed8', 'huffman'] as const;

/** The launcher a `--transport` value names: `threads` (default) or `redis://host:port`. */
export function launcherFor(transport: string, _workers: number, localWorkers: number, namespace: string): ReplicaLauncher {
  if (transport === 'threads') return threadReplicas();
  if (/^rediss?:\/\//.test(transport)) return redisReplicas({ url: transport, namespace, localProcesses: localWorkers });
  throw new InvalidArgumentError('bbp run', '--transport', "must be 'threads' or a redis://host:port URL", transport);
}

function create(ctx: MethodContext): MethodRun {
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
  const transport = String(options.transport ?? 'threads');
  const localWorkers = Number(options.localWorkers ?? workers);
  checkNumber('bbp run', '--local-workers', localWorkers, { min: 0, max: workers, integer: true });
  const launcher = launcherFor(transport, workers, localWorkers, String(options.namespace ?? 'bbp'));
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
    // Every participant loads the same codec from the compression package (absolute URL: workers resolve it too).
    codec: { name: codec, module: import.meta.resolve('@beyond-backprop/compression') },
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
    resultFields: () => {
      const s = trainer.stats as DataParallelStats;
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
        globalBatchSize: replicaBatchSize * workers,
        replicaLearningRate: learningRate,
        trainSeconds: s.trainSeconds,
        trainCpuSeconds: s.trainCpuSeconds ?? null,
        replicaStepSeconds: s.replicaStepSeconds,
        replicaSyncSeconds: s.replicaSyncSeconds,
        setupSeconds: s.setupSeconds,
        evaluationSeconds: s.callbackSeconds,
      };
    },
    dispose: () => {
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** Data-parallel training by periodic averaging of (compressed) weights over worker threads or Redis. */
export const dataParallelMethod: Method = {
  name: 'data-parallel',
  description: 'K replicas on K data shards, periodic averaging of codec-encoded weights over worker threads or Redis (bbp worker joins remote machines)',
  source: 'Øland, Efficient Deep Learning (2024), §3.1 and §3.6 (weights exchanged as compressed packages); model averaging',
  options: [
    { flag: '--workers <k>', description: 'data-parallel: number of replicas K (default 2); each trains on batch-size examples per step (as DDP)' },
    {
      flag: '--lr-scaling <rule>',
      description: "data-parallel: 'linear' (default: the learning rate times K, for the K-fold global batch) or 'none'",
    },
    { flag: '--transport <t>', description: "data-parallel: 'threads' (default) or redis://host:port (K local worker processes join; see --local-workers)" },
    { flag: '--codec <name>', description: 'data-parallel: weight codec none | fixed8 | huffman (default none)' },
    { flag: '--sync-every <n>', description: 'data-parallel: minibatches between synchronisations (default 10; every epoch also ends with one)' },
    { flag: '--sync-mode <mode>', description: "data-parallel: 'weights' (the thesis) or 'delta' (change since the last sync, error feedback)" },
    { flag: '--local-workers <n>', description: 'data-parallel over Redis: worker processes to start here (default K; the rest join with bbp worker)' },
    { flag: '--namespace <ns>', description: "data-parallel over Redis: key prefix shared with bbp worker (default 'bbp')" },
  ],
  supports: (experiment) => experiment.architecture.kind === 'dense' || experiment.architecture.kind === 'conv',
  create,
};
