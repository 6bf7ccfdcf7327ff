/**
 * `DataParallelTrainer`: K replicas of a `tf.LayersModel`, each training on its own shard of the data, synchronised
 * every `syncEvery` minibatches (and at the end of every epoch) by periodic model averaging through a weight codec —
 * the setting of Øland's thesis §3.1, where workers exchange their parameters as compressed packages. The
 * coordinator (this object, the "server") decodes the K uploads, averages them, re-encodes the average and
 * broadcasts it; every replica then holds bit-identical weights, which the coordinator checks with a checksum of
 * each replica's weights at the next upload.
 */
import * as tf from '@tensorflow/tfjs';
import { BbpError, InvalidArgumentError, checkNumber, checkTensor, createRng } from '@beyond-backprop/core-linalg';
import { accuracy, resolveLoss, type EpochLogs, type FitCallbacks, type History } from '@beyond-backprop/training';
import { tensorFrame, type JsonValue, type Message, type TensorFrame } from '../frame.js';
import { createInProcessLinkPair, type Link } from '../link.js';
import { expectMessage } from '../remote-failure.js';
import { SyncSide, type SyncMode } from './model-averaging.js';
import { syncsPerEpoch, type OptimizerSpec, type ReplicaConfig, type ReplicaLoss } from './protocol.js';
import { runReplica } from './replica.js';
import { resolveWeightCodec, weightsChecksum, type WeightCodecModule, type WeightCodecSpec } from './weight-codec.js';

/** Starts K replicas somewhere and returns one link to each (index = rank). */
export interface ReplicaLauncher {
  /** Name reported as `transport` (e.g. `'in-process'`, `'threads'`, `'redis://host:port'`). */
  readonly transport: string;
  start(count: number): Promise<Link[]>;
  /** Stops whatever `start` started (threads, connections). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Replicas in this thread, over in-process links: no parallelism, same protocol and same results — for tests and
 * browsers.
 *
 * @example
 * ```ts
 * const trainer = new DataParallelTrainer(model, { workers: 3, launcher: inProcessReplicas() });
 * ```
 */
export function inProcessReplicas(): ReplicaLauncher {
  const running: Promise<void>[] = [];
  const links: Link[] = [];
  return {
    transport: 'in-process',
    async start(count) {
      for (let r = 0; r < count; r++) {
        const [coordinator, replica] = createInProcessLinkPair({ names: ['coordinator', `replica-${r}`] });
        links.push(coordinator);
        running.push(runReplica(replica).catch(() => {}));
      }
      return links;
    },
    async stop() {
      await Promise.all(links.map((l) => l.close()));
      await Promise.all(running);
      links.length = 0;
      running.length = 0;
    },
  };
}

/** Options of {@link DataParallelTrainer}. */
export interface DataParallelOptions {
  /** Number of replicas K (default 2). */
  workers?: number;
  /**
   * Where replicas run (default {@link inProcessReplicas}); {@link webWorkerReplicas} in browsers; `threadReplicas()` /
   * `redisReplicas()` from `./node`.
   */
  launcher?: ReplicaLauncher;
  /** What a sync exchanges (default `'weights'`, as in the thesis). */
  mode?: SyncMode;
  /** Minibatches between syncs (default: once per epoch). Every epoch also ends with a sync. */
  syncEvery?: number;
  /** The weight codec every participant creates (default `{ name: 'none' }`, float32). */
  codec?: WeightCodecSpec;
  /**
   * The codec module, linked statically: creates the coordinator's codec instead of importing `codec.module`
   * (bundles; replicas in browser workers get theirs through `serveReplica`).
   */
  codecModule?: WeightCodecModule;
  /** Loss (default: the model's compile loss when it is `'meanSquaredError'`, else by `y`'s dtype). */
  loss?: ReplicaLoss;
  /** Optimiser (default: the compiled model's Adam/SGD settings, else Adam 0.001). */
  optimizer?: OptimizerSpec;
  /** Longest wait for any replica message, in ms (default 10 minutes). */
  timeoutMs?: number;
}

/** Fit options (the shared training contract). */
export interface DataParallelFitOptions {
  epochs: number;
  /**
   * Each replica's minibatch (default 32), as the per-process batch size of PyTorch DDP: one step of the K replicas
   * together processes `K × batchSize` examples. (Capped at the shard size `⌈n / K⌉`.)
   */
  batchSize?: number;
  seed?: number;
  callbacks?: FitCallbacks | FitCallbacks[];
  signal?: AbortSignal;
  validationData?: [tf.Tensor, tf.Tensor];
}

/** Communication and speed of the last `fit`. */
export interface DataParallelStats {
  workers: number;
  transport: string;
  /** Synchronisation rounds completed. */
  rounds: number;
  /** Parameters per model (values exchanged per package). */
  parameters: number;
  /** Payload bytes exchanged by synchronisation: every upload plus the broadcast to every replica. */
  bytesSent: number;
  /** What the same packages cost as raw float32 (4 bytes per parameter each). */
  bytesSentFloat32: number;
  /** `bytesSentFloat32 / bytesSent`. */
  compressionRatio: number;
  /** Mean bits per parameter per package. */
  bitsPerParameter: number;
  /** Training examples processed by all replicas per second of `trainSeconds` (start-up and callbacks excluded). */
  samplesPerSecond: number;
  /** Seconds from the first step to the last sync, less the time spent in `onEpochEnd` callbacks. */
  trainSeconds: number;
  /** Seconds the coordinator spent in `onEpochEnd` callbacks (evaluation by the caller); replicas wait at the next sync. */
  callbackSeconds: number;
  /** Seconds spent starting replicas and shipping model and data. */
  setupSeconds: number;
  /**
   * CPU seconds of this process (all its threads: coordinator and thread replicas) during `trainSeconds`, where the
   * runtime reports it (Node's `process.cpuUsage`; undefined elsewhere). `trainCpuSeconds / trainSeconds` is the mean
   * number of cores the run got — on a shared machine, what the neighbours left it.
   */
  trainCpuSeconds?: number;
  /** Per replica (index = rank): seconds spent in its minibatch steps. */
  replicaStepSeconds: number[];
  /**
   * Per replica: seconds spent synchronising — encoding, waiting for the broadcast (while the slowest replica finishes,
   * the coordinator averages and runs `onEpochEnd`) and applying it.
   */
  replicaSyncSeconds: number[];
  /** Checksum of the synced weights after each round: the coordinator's, equal to every replica's. */
  checksums: number[];
}

/** A replica's weights differ from the broadcast after a sync (which must never happen). */
export class ReplicaDivergenceError extends BbpError {
  constructor(replica: string, round: number, expected: number, actual: number) {
    super(
      'replica-divergence',
      `DataParallelTrainer: '${replica}' holds different weights after round ${round} (checksum ${actual.toString(16)}, broadcast ${expected.toString(16)})`,
    );
  }
}

/** CPU milliseconds of this process, all threads (NaN where the runtime does not say). */
function cpuMs(): number {
  const usage = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process?.cpuUsage?.();
  return usage ? (usage.user + usage.system) / 1000 : Number.NaN;
}

function optimizerFromModel(model: tf.LayersModel): OptimizerSpec | undefined {
  const opt = model.optimizer as (tf.Optimizer & { getConfig?: () => Record<string, unknown> }) | undefined;
  if (!opt) return undefined;
  const config = opt.getConfig?.() ?? {};
  const cls = opt.getClassName();
  if (cls === 'Adam')
    return {
      kind: 'adam',
      learningRate: Number(config.learningRate),
      beta1: Number(config.beta1),
      beta2: Number(config.beta2),
      epsilon: Number(config.epsilon),
    };
  if (cls === 'SGD') return { kind: 'sgd', learningRate: Number(config.learningRate) };
  throw new InvalidArgumentError('DataParallelTrainer', 'model.optimizer', 'must be Adam or SGD (or pass options.optimizer)', cls);
}

/**
 * Data-parallel training of a `tf.LayersModel` by periodic model averaging of codec-encoded weights.
 *
 * @example
 * ```ts
 * import { DataParallelTrainer } from '@beyond-backprop/cluster';
 * import { threadReplicas } from '@beyond-backprop/cluster/node';
 * const trainer = new DataParallelTrainer(model, { workers: 2, launcher: threadReplicas(), syncEvery: 10 });
 * const history = await trainer.fit(x, y, { epochs: 5, batchSize: 100 });
 * trainer.stats.samplesPerSecond; // the model now holds the averaged weights
 * ```
 */
export class DataParallelTrainer {
  readonly workers: number;
  readonly mode: SyncMode;
  private readonly launcher: ReplicaLauncher;
  private lastStats: DataParallelStats | undefined;

  constructor(
    readonly model: tf.LayersModel,
    private readonly options: DataParallelOptions = {},
  ) {
    const fn = 'DataParallelTrainer';
    if (!(model instanceof tf.LayersModel)) throw new InvalidArgumentError(fn, 'model', 'must be a tf.LayersModel', model);
    this.workers = options.workers ?? 2;
    checkNumber(fn, 'options.workers', this.workers, { min: 1, integer: true });
    if (options.syncEvery !== undefined) checkNumber(fn, 'options.syncEvery', options.syncEvery, { min: 1, integer: true });
    this.mode = options.mode ?? 'weights';
    if (this.mode !== 'weights' && this.mode !== 'delta') throw new InvalidArgumentError(fn, 'options.mode', "must be 'weights' or 'delta'", this.mode);
    this.launcher = options.launcher ?? inProcessReplicas();
  }

  /**
   * Communication and speed of the last `fit` (undefined before). During a `fit` (e.g. in `onEpochEnd`), the run so
   * far: `rounds`, `bytesSent`, `bytesSentFloat32`, `compressionRatio` and `bitsPerParameter` are current, the timings
   * are filled in at the end.
   */
  get stats(): DataParallelStats | undefined {
    return this.lastStats;
  }

  /**
   * Trains K replicas on K shards of `x: [n, …]` / `y: [n]` (int32 labels) or `[n, …]` (float targets) for `epochs`
   * epochs; at the end the model holds the last synchronised (averaged) weights. Callbacks get one `onEpochEnd` per
   * epoch with the mean replica loss (and `valLoss`/`valAccuracy` of the synced model).
   *
   * @throws {@link WorkerFailedError} when a replica dies; {@link RemoteError} when a replica fails on its own.
   */
  async fit(x: tf.Tensor, y: tf.Tensor, options: DataParallelFitOptions): Promise<History> {
    const fn = 'DataParallelTrainer.fit';
    checkTensor(fn, 'x', x, { dtype: 'float32' });
    checkTensor(fn, 'y', y, { shape: [x.shape[0], ...y.shape.slice(1)], dtype: ['float32', 'int32'] });
    checkNumber(fn, 'options.epochs', options.epochs, { min: 1, integer: true });
    const n = x.shape[0];
    const k = this.workers;
    if (n < k) throw new InvalidArgumentError(fn, 'x', `must have at least one example per replica (${k})`, n);
    const batchSize = Math.min(options.batchSize ?? 32, Math.ceil(n / k));
    checkNumber(fn, 'options.batchSize', batchSize, { min: 1, integer: true });
    const seed = options.seed ?? 0;
    const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
    const timeoutMs = this.options.timeoutMs ?? 600_000;
    const compiledLoss = (this.model as { loss?: unknown }).loss;
    const loss: ReplicaLoss = this.options.loss ?? (compiledLoss === 'meanSquaredError' || y.dtype === 'float32' ? 'meanSquaredError' : 'softmaxCrossEntropy');
    const optimizer = this.options.optimizer ?? optimizerFromModel(this.model) ?? { kind: 'adam', learningRate: 0.001 };
    const codecSpec = this.options.codec ?? { name: 'none' };
    const codec = await resolveWeightCodec(codecSpec, this.options.codecModule);

    const t0 = performance.now();
    const weights = this.model.getWeights().map((w) => new Float32Array(w.dataSync() as Float32Array));
    const weightShapes = this.model.getWeights().map((w) => w.shape);
    const parameters = weights.reduce((s, w) => s + w.length, 0);
    const coordinatorSide = new SyncSide(this.mode, codec, weights);
    const shardSize = Math.ceil(n / k);
    const stepsPerEpoch = Math.ceil(shardSize / batchSize);
    const syncEvery = Math.min(this.options.syncEvery ?? stepsPerEpoch, stepsPerEpoch);
    const order = createRng(`data-parallel-shards:${seed}`).permutation(n);
    const xAll = x.dataSync() as Float32Array;
    const yAll = y.dataSync() as Float32Array | Int32Array;
    const xRow = x.size / n;
    const yRow = y.size / n;

    const links = await this.launcher.start(k);
    const history: History = { epoch: [], history: {}, stopReason: 'completed', iterations: 0, msPerIteration: 0 };
    const stats: DataParallelStats = {
      workers: k,
      transport: this.launcher.transport,
      rounds: 0,
      parameters,
      bytesSent: 0,
      bytesSentFloat32: 0,
      compressionRatio: 1,
      bitsPerParameter: 32,
      samplesPerSecond: 0,
      trainSeconds: 0,
      callbackSeconds: 0,
      setupSeconds: 0,
      replicaStepSeconds: new Array<number>(k).fill(0),
      replicaSyncSeconds: new Array<number>(k).fill(0),
      checksums: [],
    };
    this.lastStats = stats;
    const receive = async (link: Link, kind: string): Promise<Message> => {
      return expectMessage(link, await link.receive({ timeoutMs, signal: undefined }), [kind]);
    };
    try {
      await Promise.all(
        links.map(async (link, rank) => {
          const rows = order.slice(Math.floor((rank * n) / k), Math.floor(((rank + 1) * n) / k));
          const xs = new Float32Array(rows.length * xRow);
          const ys = yAll instanceof Int32Array ? new Int32Array(rows.length * yRow) : new Float32Array(rows.length * yRow);
          rows.forEach((row, i) => {
            xs.set(xAll.subarray(row * xRow, (row + 1) * xRow), i * xRow);
            ys.set(yAll.subarray(row * yRow, (row + 1) * yRow), i * yRow);
          });
          const config: ReplicaConfig = {
            rank,
            size: k,
            topology: this.model.toJSON(undefined, false) as unknown as JsonValue,
            weightShapes,
            xShape: [rows.length, ...x.shape.slice(1)],
            yShape: [rows.length, ...y.shape.slice(1)],
            yDType: y.dtype as 'float32' | 'int32',
            loss,
            optimizer,
            epochs: options.epochs,
            stepsPerEpoch,
            syncEvery,
            mode: this.mode,
            codec: codecSpec,
            seed,
          };
          const tensors: TensorFrame[] = [
            tensorFrame(xs, config.xShape),
            tensorFrame(ys, config.yShape),
            ...weights.map((w, i) => tensorFrame(w.slice(), weightShapes[i])),
          ];
          await link.send({ kind: 'init', meta: config as unknown as JsonValue, tensors }, { timeoutMs });
          const ready = await receive(link, 'ready');
          const checksum = (ready.meta as { checksum: number }).checksum;
          if (checksum !== weightsChecksum(weights)) throw new ReplicaDivergenceError(link.peer, 0, weightsChecksum(weights), checksum);
        }),
      );
      const tTrain = performance.now();
      const cpuTrain = cpuMs();
      let callbackCpuMs = 0;
      stats.setupSeconds = (tTrain - t0) / 1000;
      for (const c of callbacks) await c.onTrainBegin?.();
      const rounds = syncsPerEpoch(stepsPerEpoch, syncEvery);
      let samples = 0;
      let lastChecksum = weightsChecksum(weights);
      let stopped = false;
      // Time the caller spends in onEpochEnd (e.g. evaluating the model) is not training time.
      let callbackMs = 0;
      for (let epoch = 0; epoch < options.epochs && !stopped; epoch++) {
        for (const c of callbacks) await c.onEpochBegin?.(epoch);
        let lossSum = 0;
        let count = 0;
        for (let round = 0; round < rounds; round++) {
          const uploads = await Promise.all(links.map((link) => receive(link, 'upload')));
          const packages: Uint8Array[] = [];
          uploads.forEach((u, rank) => {
            const meta = u.meta as { lossSum: number; count: number; checksum: number };
            if (meta.checksum !== lastChecksum) throw new ReplicaDivergenceError(links[rank].peer, stats.rounds, lastChecksum, meta.checksum);
            lossSum += meta.lossSum;
            count += meta.count;
            packages.push(u.tensors![0].data as Uint8Array);
          });
          const mean = coordinatorSide.averageUploads(packages);
          const target =
            this.mode === 'weights'
              ? mean
              : coordinatorSide.synced.map((w, l) => {
                  const out = new Float32Array(w.length);
                  for (let i = 0; i < w.length; i++) out[i] = w[i] + mean[l][i];
                  return out;
                });
          const broadcast = coordinatorSide.encode(target, epoch);
          const synced = coordinatorSide.apply(broadcast);
          lastChecksum = weightsChecksum(synced);
          stats.checksums.push(lastChecksum);
          stopped = options.signal?.aborted === true && !(epoch === options.epochs - 1 && round === rounds - 1);
          await Promise.all(
            links.map((link) => link.send({ kind: 'sync', meta: { stop: stopped }, tensors: [tensorFrame(broadcast.slice())] }, { timeoutMs })),
          );
          stats.rounds++;
          stats.bytesSent += packages.reduce((s, p) => s + p.byteLength, 0) + k * broadcast.byteLength;
          stats.bytesSentFloat32 += 2 * k * parameters * 4;
          stats.compressionRatio = stats.bytesSentFloat32 / Math.max(1, stats.bytesSent);
          stats.bitsPerParameter = (8 * stats.bytesSent) / Math.max(1, 2 * k * parameters * stats.rounds);
          if (stopped) break;
        }
        samples += count;
        history.iterations += stepsPerEpoch * k;
        if (stopped) {
          history.stopReason = 'aborted';
          break;
        }
        this.setModelWeights(coordinatorSide.synced, weightShapes);
        const logs: EpochLogs = { loss: lossSum / Math.max(1, count), ...this.evaluate(options.validationData, loss) };
        if (!Number.isFinite(logs.loss)) throw new InvalidArgumentError(fn, 'training', 'diverged (non-finite mean replica loss)', logs.loss);
        history.epoch.push(epoch);
        for (const [key, v] of Object.entries(logs)) (history.history[key] ??= []).push(v);
        const tCallbacks = performance.now();
        const cpuCallbacks = cpuMs();
        for (const c of callbacks) await c.onEpochEnd?.(epoch, logs);
        callbackMs += performance.now() - tCallbacks;
        callbackCpuMs += cpuMs() - cpuCallbacks;
      }
      await Promise.all(
        links.map(async (link, rank) => {
          const done = await receive(link, 'done');
          const meta = done.meta as { checksum: number; stepMs?: number; syncMs?: number };
          if (meta.checksum !== lastChecksum) throw new ReplicaDivergenceError(link.peer, stats.rounds, lastChecksum, meta.checksum);
          stats.replicaStepSeconds[rank] = (meta.stepMs ?? 0) / 1000;
          stats.replicaSyncSeconds[rank] = (meta.syncMs ?? 0) / 1000;
        }),
      );
      this.setModelWeights(coordinatorSide.synced, weightShapes);
      const trainMs = performance.now() - tTrain - callbackMs;
      stats.trainSeconds = trainMs / 1000;
      stats.callbackSeconds = callbackMs / 1000;
      const cpuTrainMs = cpuMs() - cpuTrain - callbackCpuMs;
      if (Number.isFinite(cpuTrainMs)) stats.trainCpuSeconds = cpuTrainMs / 1000;
      stats.samplesPerSecond = samples / stats.trainSeconds;
      stats.compressionRatio = stats.bytesSentFloat32 / Math.max(1, stats.bytesSent);
      stats.bitsPerParameter = (8 * stats.bytesSent) / Math.max(1, 2 * k * parameters * stats.rounds);
      history.msPerIteration = trainMs / Math.max(1, history.iterations);
      for (const c of callbacks) await c.onTrainEnd?.(history);
      return history;
    } finally {
      await this.launcher.stop();
    }
  }

  private setModelWeights(layers: readonly Float32Array[], shapes: readonly number[][]): void {
    const tensors = layers.map((l, i) => tf.tensor(l, shapes[i]));
    this.model.setWeights(tensors);
    tf.dispose(tensors);
  }

  private evaluate(validation: [tf.Tensor, tf.Tensor] | undefined, loss: ReplicaLoss): Record<string, number> {
    if (!validation) return {};
    const [vx, vy] = validation;
    return tf.tidy(() => {
      const out = this.model.predict(vx, { batchSize: 1024 }) as tf.Tensor;
      const logs: Record<string, number> = { valLoss: resolveLoss(loss)(vy, out).dataSync()[0] };
      if (vy.dtype === 'int32') logs.valAccuracy = accuracy(out, vy);
      return logs;
    });
  }
}
