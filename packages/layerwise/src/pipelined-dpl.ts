/**
 * Pipelined model-parallel deep partition-wise learning (Øland, thesis §6.8.3–6.8.4, Fig. 6.7): every partition
 * trains at the same time on its own worker, with its own decision head, optimiser and learning-rate schedule. Only
 * detached forward features — the output of partition `p` computed in the forward pass of its own training step on
 * minibatch `b`, with the labels and the batch id — cross to partition `p + 1`; no gradient crosses partitions. In the
 * thesis the channel was files on an NVMe drive; here it is a bounded link of `@beyond-backprop/cluster` (in-process,
 * `worker_threads` or Redis streams), whose capacity gives back-pressure: a partition that runs ahead waits.
 *
 * The coordinator (the caller) ships each worker the model topology, the initial weights and its partition; partition
 * 0 also gets the data. It relays each partition's feature stream to the next one and, at the end, assembles the
 * trained units and the last partition's head into one plain `tf.LayersModel`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, checkTensor, createRng } from '@beyond-backprop/core-linalg';
import { createInProcessLinkPair, expectMessage, reportFailure, tensorFrame, type JsonValue, type Link, type Message } from '@beyond-backprop/cluster';
import { epochRng, measureStepMemory, softmaxCrossEntropy, type History } from '@beyond-backprop/training';
import { AdamW, SgdW, type ScheduledOptimizer } from './decoupled-optimizers.js';
import { checkHead, defaultHeadFactory, type DefaultHeadOptions } from './decision-head.js';
import { filterActive, filterRows, resolveDataFilter, type DataFilter, type ResolvedDataFilter } from './data-filter.js';
import { buildOutputModel, evaluate, perExampleLoss, type UnitReport } from './layerwise-trainer.js';
import { splitIntoUnits } from './training-units.js';
import { learningRateAt, unitRate, type LearningRateSchedule, type UnitRate } from './unit-schedules.js';

const FN = 'trainPipelined';

/**
 * Starts the partition workers of a pipelined run and hands back the coordinator's end of each one's link. The main
 * entry has none but `'in-process'`; `@beyond-backprop/layerwise/node` has `threadPartitions()` (worker threads) and
 * `redisPartitions({url})` (processes joined through Redis).
 */
export interface PipelineLauncher {
  /** `'threads'`, or the Redis URL without credentials (reported as {@link PipelinedResult.transport}). */
  readonly transport: string;
  /** Starts `partitions` workers, each serving {@link runPartition}, with links of `capacity` messages. */
  start(partitions: number, capacity: number): Promise<PipelineWorkerHandle[]>;
  /** Stops every worker (idempotent). */
  stop(): Promise<void>;
}

/** Where the partitions run: in this thread (tests, browsers) or wherever a {@link PipelineLauncher} puts them. */
export type PipelineTransport = 'in-process' | PipelineLauncher;

/** A started partition worker, handed to {@link PipelinedOptions.onLaunch}. */
export interface PipelineWorkerHandle {
  /** `'partition-<p>'`. */
  readonly name: string;
  /** The coordinator's end of the partition's link. */
  readonly link: Link;
  /** The thread (worker-thread launcher only). */
  readonly worker?: { terminate(): Promise<number> };
}

/** Options of {@link trainPipelined}. */
export interface PipelinedOptions {
  /**
   * `K`: the model's units (one per layer with weights, the output layer excluded) are grouped into `K` contiguous
   * partitions of nearly equal unit count. Or give the partitions' first layers with `boundaries`.
   */
  partitions?: number;
  /** Index (in the model's layers below the output layer) where each partition starts; the first must be 0. */
  boundaries?: number[];
  /** Epochs of partition 0; every other partition trains on the stream this produces. */
  epochs: number;
  /** Default: the whole training set. */
  batchSize?: number;
  /** Seeds batch order and heads (as in {@link trainLayerwise}, so partition 0 matches sequential DPL). Default 0. */
  seed?: number;
  /** Default `true`. */
  shuffle?: boolean;
  /** Classes of the int32 labels. Default `max(y) + 1`. */
  numClasses?: number;
  /** Options of the {@link defaultHeadFactory} head of every partition (functions cannot cross to workers). */
  head?: DefaultHeadOptions;
  /** Default `'adamw'`. */
  optimizer?: 'adamw' | 'sgd';
  /** Default 1e-3 (AdamW) / 0.05 (SGD); across partitions `base·unitFactor^p`, within one by its own epoch counter. */
  learningRate?: number | LearningRateSchedule;
  /** Decoupled weight decay. Default 0. */
  weightDecay?: number | UnitRate;
  /** Online data filtering of the partitions' input streams (thesis §6.8.2 k-filter on each incoming minibatch, §6.8.4 loss filter). */
  dataFilter?: DataFilter;
  /** Minibatches of features each link holds before the sender waits (back-pressure). Default 4. */
  channelCapacity?: number;
  /** Default `'in-process'`. */
  transport?: PipelineTransport;
  /** Scored at the end for every partition (`feednet ∘ partition ∘ head`). */
  validationData?: [tf.Tensor, tf.Tensor];
  /** Called once the workers are started (tests use it to kill one). */
  onLaunch?: (workers: readonly PipelineWorkerHandle[]) => void;
  /** Measure each partition's first step (`peakStepBytes`). Default `true`. */
  measureMemory?: boolean;
}

/** Per-partition statistics of a pipelined run. */
export interface PartitionStats {
  /** Minibatches trained. */
  batches: number;
  /** Examples trained on (after filtering). */
  samples: number;
  /** Examples offered to the partition (before filtering). */
  offered: number;
  /** Wall time of the partition's training, in milliseconds. */
  trainMs: number;
  /** Time spent waiting for input or for room downstream, in milliseconds. */
  waitMs: number;
}

/** What {@link trainPipelined} returns: {@link LayerwiseResult}'s shape plus the pipeline's statistics. */
export interface PipelinedResult {
  /** A plain tfjs model: every partition followed by the last partition's head, outputting logits. */
  model: tf.LayersModel;
  reports: UnitReport[];
  outputWindow: number;
  peakStepBytes?: number;
  stopReason: 'completed';
  /** One entry per partition. */
  partitions: PartitionStats[];
  /** Wall time from launching the workers to the last partition's end, in milliseconds. */
  wallMs: number;
  /** Part of `wallMs` before partition 0's first features arrived: starting the workers, shipping the data, one step. */
  launchMs: number;
  /** `'in-process'`, `'threads'`, or the Redis URL without credentials. */
  transport: string;
}

/** What the coordinator sends each partition in its `init` message. */
interface PartitionConfig {
  partition: number;
  partitions: number;
  topology: JsonValue;
  weightShapes: number[][];
  boundaries: number[];
  numClasses: number;
  epochs: number;
  batchSize: number;
  seed: number;
  shuffle: boolean;
  head: DefaultHeadOptions;
  optimizer: 'adamw' | 'sgd';
  learningRate: number | LearningRateSchedule;
  weightDecay: number | UnitRate;
  dataFilter: ResolvedDataFilter | null;
  measureMemory: boolean;
  n: number;
  xShape: number[];
}

interface DoneMeta {
  report: { loss: number; epochs: number; learningRate: number; weightDecay: number; peakStepBytes: number | null; keptFraction: number | null };
  stats: PartitionStats;
  unitWeights: number;
}

/** Groups the model's default units into `K` contiguous partitions; returns their first layers. */
function partitionBoundaries(model: tf.LayersModel, K: number): number[] {
  const units = splitIntoUnits(model, {}, FN);
  for (const u of units) u.model.dispose(); // only their layer counts are needed
  if (K > units.length)
    throw new InvalidArgumentError(FN, 'options.partitions', `must be at most ${units.length} (the model's units below its output layer)`, K);
  const starts: number[] = [];
  let layer = 0;
  const unitStart = units.map((u) => {
    const s = layer;
    layer += u.layers.length;
    return s;
  });
  for (let p = 0; p < K; p++) starts.push(unitStart[Math.floor((p * units.length) / K)]);
  return starts;
}

/** The head seed trainLayerwise draws for window `p`: the root generator forks once per window, in order. */
function headSeedOf(seed: number, p: number): number {
  const root = createRng(`layerwise:${seed}`);
  let rng = root.fork('window:0');
  for (let i = 1; i <= p; i++) rng = root.fork(`window:${i}`);
  return rng.int(2 ** 30);
}

/** Lets timers and I/O run (in-process partitions otherwise only ever await microtasks). */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function makeOptimizer(kind: 'adamw' | 'sgd', lr: number, wd: number): ScheduledOptimizer {
  return kind === 'sgd' ? new SgdW(lr, wd) : new AdamW(lr, wd);
}

function floatFrame(t: tf.Tensor): ReturnType<typeof tensorFrame> {
  return tensorFrame(new Float32Array(t.dataSync() as Float32Array), t.shape);
}

/**
 * Serves one partition of a pipelined DPL run over `link` (to the coordinator) until it ends: builds the model from
 * the topology, trains its partition with a fresh head on the minibatches it is given (partition 0: its own shuffled
 * epochs of the data; the others: the feature stream from below), forwards its detached output features, and sends
 * back its trained weights. Errors are reported to the coordinator and rethrown. Runs in the same thread, a worker
 * thread, or a process on another machine.
 *
 * @example
 * ```ts
 * // in a worker thread
 * await initBackend({ preference: 'wasm', log: false });
 * await runPartition(connectToParent().link);
 * ```
 */
export async function runPartition(link: Link): Promise<void> {
  const owned: tf.Tensor[] = [];
  let model: tf.LayersModel | undefined;
  let head: tf.LayersModel | undefined;
  let optimizer: ScheduledOptimizer | undefined;
  let units: ReturnType<typeof splitIntoUnits> | undefined;
  try {
    const init = await link.receive();
    if (init.kind !== 'init') throw new Error(`runPartition: expected 'init', got '${init.kind}'`);
    const c = init.meta as unknown as PartitionConfig;
    const frames = init.tensors ?? [];
    const weightFrames = frames.slice(0, c.weightShapes.length);
    model = await tf.models.modelFromJSON(c.topology as never);
    const initial = weightFrames.map((w, i) => tf.tensor(w.data as Float32Array, c.weightShapes[i]));
    model.setWeights(initial);
    tf.dispose(initial);
    units = splitIntoUnits(model, { boundaries: c.boundaries }, FN);
    const p = c.partition;
    const unit = units[p];
    const last = p === c.partitions - 1;
    // Same seeds as trainLayerwise's window p, so partition 0 replays sequential DPL exactly.
    const headSeed = headSeedOf(c.seed, p);
    head = checkHead(FN, defaultHeadFactory(c.numClasses, c.head)(unit.outputShape, p, headSeed), unit.outputShape, c.numClasses, p);
    const lr0 = learningRateAt(c.learningRate, p, 0, c.epochs, 'options.learningRate');
    const wd = unitRate(c.weightDecay, p, 'options.weightDecay');
    optimizer = makeOptimizer(c.optimizer, lr0, wd);
    const vars = [...unit.model.trainableWeights, ...head.trainableWeights].map((w) => w.read() as tf.Variable);
    const persistent = [...unit.model.weights, ...head.weights];
    const stats: PartitionStats = { batches: 0, samples: 0, offered: 0, trainMs: 0, waitMs: 0 };
    let peakStepBytes: number | null = null;
    let epoch = -1;
    let epochLoss = 0;
    let epochRows = 0;
    let lastLoss = NaN;
    let lastYield = performance.now();
    const opt = optimizer;

    /** One training step on `xb`/`yb` (owned, disposed here); returns the detached output features and losses. */
    const step = (xb: tf.Tensor, yb: tf.Tensor): { z: tf.Tensor; losses: tf.Tensor | null; loss: number } => {
      let z!: tf.Tensor;
      let losses: tf.Tensor | null = null;
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          const out = unit.model.apply(xb, { training: true }) as tf.Tensor;
          z = tf.keep(tf.clone(out));
          const logits = head!.apply(out, { training: true }) as tf.Tensor;
          if (!last && c.dataFilter?.kind === 'loss') losses = tf.keep(perExampleLoss(logits, yb, c.numClasses));
          return softmaxCrossEntropy(yb, logits) as tf.Scalar;
        }, vars),
      );
      const loss = value.dataSync()[0];
      value.dispose();
      if (Number.isFinite(loss)) opt.applyGradients(grads);
      tf.dispose(grads);
      tf.dispose([xb, yb]);
      if (!Number.isFinite(loss)) throw new Error(`partition ${p}: the loss is ${loss} at batch ${stats.batches}`);
      return { z, losses, loss };
    };

    /** Trains on one minibatch of epoch `e` and forwards its features (filtered for the next partition). */
    const train = async (batch: number, e: number, xb: tf.Tensor, yb: tf.Tensor): Promise<void> => {
      if (e !== epoch) {
        if (epoch >= 0 && epochRows > 0) lastLoss = epochLoss / epochRows;
        epoch = e;
        epochLoss = 0;
        epochRows = 0;
        opt.setLearningRate(learningRateAt(c.learningRate, p, Math.min(e, c.epochs - 1), c.epochs, 'options.learningRate'));
      }
      const rows = xb.shape[0];
      const labels = yb.dataSync().slice() as Int32Array;
      const t0 = performance.now();
      let out: { z: tf.Tensor; losses: tf.Tensor | null; loss: number };
      if (c.measureMemory && peakStepBytes === null) {
        const m = measureStepMemory(() => step(xb, yb), { persistent });
        peakStepBytes = m.peakStepBytes;
        out = m.result;
      } else {
        out = step(xb, yb);
      }
      stats.trainMs += performance.now() - t0;
      stats.batches++;
      stats.samples += rows;
      epochLoss += out.loss * rows;
      epochRows += rows;
      if (last) {
        out.z.dispose();
        return;
      }
      let z = out.z;
      let ys = labels;
      if (filterActive(c.dataFilter ?? undefined, p + 1, e)) {
        // The filter thins the input stream of partition p + 1; running it here saves sending what is dropped.
        const d = z.size / rows;
        const keep = filterRows(c.dataFilter!, z.dataSync(), d, labels, out.losses?.dataSync());
        const kept = keep.flatMap((k, i) => (k ? [i] : []));
        if (kept.length < rows) {
          const idx = tf.tensor1d(kept, 'int32');
          const zk = tf.gather(z, idx);
          tf.dispose([idx, z]);
          z = zk;
          ys = Int32Array.from(kept, (i) => labels[i]);
        }
      }
      out.losses?.dispose();
      const frames = [floatFrame(z), tensorFrame(ys, [ys.length])];
      z.dispose();
      const w0 = performance.now();
      await link.send({ kind: 'batch', meta: { batch, epoch: e, offered: rows }, tensors: frames });
      stats.waitMs += performance.now() - w0;
      if (performance.now() - lastYield > 25) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    };

    if (p === 0) {
      const [xf, yf] = frames.slice(c.weightShapes.length);
      const x = tf.tensor(xf!.data as Float32Array, c.xShape);
      const y = tf.tensor(yf!.data as Int32Array, [c.n], 'int32');
      owned.push(x, y);
      const order = new Int32Array(c.n);
      let batch = 0;
      for (let e = 0; e < c.epochs; e++) {
        // The batch order of runFitLoop (same seed → same minibatches as sequential DPL).
        for (let i = 0; i < c.n; i++) order[i] = i;
        if (c.shuffle) {
          const r = epochRng(c.seed, e);
          for (let i = c.n - 1; i > 0; i--) {
            const j = r.int(i + 1);
            const t = order[i];
            order[i] = order[j];
            order[j] = t;
          }
        }
        for (let start = 0; start < c.n; start += c.batchSize) {
          const idx = tf.tensor1d(order.subarray(start, Math.min(start + c.batchSize, c.n)), 'int32');
          const xb = tf.gather(x, idx);
          const yb = tf.gather(y, idx);
          idx.dispose();
          stats.offered += yb.shape[0];
          await train(batch++, e, xb, yb);
        }
      }
    } else {
      for (;;) {
        const w0 = performance.now();
        const m = await link.receive();
        stats.waitMs += performance.now() - w0;
        if (m.kind === 'end') break;
        if (m.kind !== 'batch') throw new Error(`runPartition: expected 'batch' or 'end', got '${m.kind}'`);
        const meta = m.meta as { batch: number; epoch: number; offered: number };
        const [zf, yf] = m.tensors!;
        stats.offered += meta.offered;
        if (yf!.data.length === 0) continue;
        await train(
          meta.batch,
          meta.epoch,
          tf.tensor(zf!.data as Float32Array, zf!.shape as number[]),
          tf.tensor(yf!.data as Int32Array, [yf!.data.length], 'int32'),
        );
      }
    }
    if (epochRows > 0) lastLoss = epochLoss / epochRows;
    if (!last) await link.send({ kind: 'end' });
    const unitWeights = unit.model.weights.map((w) => floatFrame(w.read()));
    const headWeights = head.weights.map((w) => floatFrame(w.read()));
    const done: DoneMeta = {
      report: {
        loss: lastLoss,
        epochs: epoch + 1,
        learningRate: lr0,
        weightDecay: wd,
        peakStepBytes,
        keptFraction: p > 0 && c.dataFilter?.partitions.includes(p) ? stats.samples / Math.max(1, stats.offered) : null,
      },
      stats,
      unitWeights: unitWeights.length,
    };
    await link.send({ kind: 'done', meta: done as unknown as JsonValue, tensors: [...unitWeights, ...headWeights] });
    await link.close();
  } catch (error) {
    await reportFailure(link, error);
    throw error;
  } finally {
    tf.dispose(owned);
    optimizer?.dispose();
    head?.dispose();
    for (const u of units ?? []) u.model.dispose();
    model?.dispose();
  }
}

interface Launched {
  links: Link[];
  handles: PipelineWorkerHandle[];
  /** Resolves when in-process partitions have ended (their errors are reported through the links). */
  local: Promise<unknown>[];
  transport: string;
  stop(): Promise<void>;
}

async function launch(transport: PipelineTransport, P: number, capacity: number): Promise<Launched> {
  if (transport !== 'in-process') {
    const handles = await transport.start(P, capacity);
    return { links: handles.map((h) => h.link), handles, local: [], transport: transport.transport, stop: () => transport.stop() };
  }
  const links: Link[] = [];
  const local: Promise<unknown>[] = [];
  for (let p = 0; p < P; p++) {
    const [coordinator, worker] = createInProcessLinkPair({ capacity, names: ['coordinator', `partition-${p}`] });
    links.push(coordinator);
    local.push(runPartition(worker).catch(() => {}));
  }
  return {
    links,
    handles: links.map((link, p) => ({ name: `partition-${p}`, link })),
    local,
    transport: 'in-process',
    async stop() {
      await Promise.all(links.map((l) => l.close()));
    },
  };
}

/**
 * Trains `model` by pipelined deep partition-wise learning (thesis §6.8.3–6.8.4): its units are grouped into
 * partitions, each trained on its own worker at the same time as the others, each with a fresh decision head
 * ({@link defaultHeadFactory}); partition `p + 1` trains on the detached features partition `p` computes in its own
 * training steps. Returns one plain `tf.LayersModel` (every partition and the last head), per-partition reports and
 * the pipeline's statistics.
 *
 * Partition 0 trains exactly as window 0 of sequential DPL ({@link trainLayerwise} with the same `boundaries`,
 * seed and batch size); the later partitions do not: they learn from a partition below that is still moving (§6.8.3),
 * where sequential DPL feeds them the final one.
 *
 * @throws {@link WorkerFailedError} when a worker dies, {@link TransportClosedError} when a channel closes,
 *   `RemoteError` (`@beyond-backprop/cluster`) when a partition fails on its own; the other workers are stopped first.
 * @example
 * ```ts
 * const { model, reports } = await trainPipelined(net, x, y, { partitions: 2, epochs: 10, batchSize: 64 });
 * // on Node, every partition in its own worker thread:
 * // import { trainPipelined } from '@beyond-backprop/layerwise/node'; … { transport: 'threads' }
 * ```
 */
export async function trainPipelined(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: PipelinedOptions): Promise<PipelinedResult> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(FN, 'options', 'must be an object with at least {epochs}', options);
  if (!(model instanceof tf.LayersModel))
    throw new InvalidArgumentError(FN, 'model', 'must be a tf.LayersModel (a chain; its topology is shipped to the workers)', model);
  checkTensor(FN, 'x', x, { dtype: 'float32' });
  const n = x.shape[0];
  if (!(n >= 1)) throw new InvalidArgumentError(FN, 'x', 'must contain at least one example', n);
  checkTensor(FN, 'y', y, { shape: [n], dtype: 'int32' });
  checkNumber(FN, 'options.epochs', options.epochs, { min: 1, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(FN, 'options.seed', seed, { integer: true });
  const batchSize = Math.min(options.batchSize ?? n, n);
  checkNumber(FN, 'options.batchSize', batchSize, { min: 1, integer: true });
  const numClasses = options.numClasses ?? tf.tidy(() => tf.max(y).dataSync()[0]) + 1;
  checkNumber(FN, 'options.numClasses', numClasses, { min: 1, integer: true });
  const capacity = options.channelCapacity ?? 4;
  checkNumber(FN, 'options.channelCapacity', capacity, { min: 1, integer: true });
  if (options.partitions !== undefined && options.boundaries !== undefined)
    throw new InvalidArgumentError(FN, 'options.partitions', 'cannot be combined with options.boundaries (give one of them)', options.partitions);
  if (options.partitions !== undefined) checkNumber(FN, 'options.partitions', options.partitions, { min: 1, integer: true });
  const boundaries = options.boundaries ?? partitionBoundaries(model, options.partitions ?? 2);
  const units = splitIntoUnits(model, { boundaries }, FN);
  const P = units.length;
  if (x.shape.slice(1).join(',') !== units[0].inputShape.join(','))
    throw new InvalidArgumentError(
      FN,
      'x',
      `must have rows of shape [${units[0].inputShape.join(', ')}] (the model's input)`,
      `[${x.shape.slice(1).join(', ')}]`,
    );
  const optimizer = options.optimizer ?? 'adamw';
  if (optimizer !== 'adamw' && optimizer !== 'sgd') throw new InvalidArgumentError(FN, 'options.optimizer', "must be 'adamw' or 'sgd'", optimizer);
  const learningRate = options.learningRate ?? (optimizer === 'sgd' ? 0.05 : 1e-3);
  const weightDecay = options.weightDecay ?? 0;
  for (let p = 0; p < P; p++) {
    learningRateAt(learningRate, p, 0, options.epochs, 'options.learningRate');
    unitRate(weightDecay, p, 'options.weightDecay');
  }
  const dataFilter = resolveDataFilter(FN, 'options.dataFilter', options.dataFilter, P);
  const head = options.head ?? {};
  defaultHeadFactory(numClasses, head);
  const transport = options.transport ?? 'in-process';
  if (transport !== 'in-process' && (typeof transport !== 'object' || transport === null || typeof transport.start !== 'function'))
    throw new InvalidArgumentError(
      FN,
      'options.transport',
      "must be 'in-process' or a launcher (threadPartitions(), redisPartitions({url}) from @beyond-backprop/layerwise/node, whose trainPipelined also takes 'threads' and {redis: url})",
      transport,
    );
  if (options.validationData) {
    checkTensor(FN, 'options.validationData[0]', options.validationData[0], { shape: [null, ...x.shape.slice(1)], dtype: 'float32' });
    checkTensor(FN, 'options.validationData[1]', options.validationData[1], { shape: [options.validationData[0].shape[0]], dtype: 'int32' });
  }

  const topology = model.toJSON(undefined, false) as unknown as JsonValue;
  const weightShapes = model.weights.map((w) => w.shape as number[]);
  const t0 = performance.now();
  const launched = await launch(transport, P, capacity);
  const { links } = launched;
  options.onLaunch?.(launched.handles);
  const done: Array<{ meta: DoneMeta; tensors: Message['tensors'] }> = [];
  let wallMs = 0;
  let launchMs = 0;
  let failure: unknown;
  const fail = (error: unknown): void => {
    if (failure !== undefined) return;
    failure = error;
    // Stop every link so no pump waits for a partition that will never answer.
    for (const l of links) void l.close().catch(() => {});
  };
  const expect = (m: Message, link: Link, kinds: string[]): void => void expectMessage(link, m, kinds);
  try {
    // The data and the initial weights go out once; partition 0 alone gets the data.
    await Promise.all(
      links.map((link, p) => {
        const config: PartitionConfig = {
          partition: p,
          partitions: P,
          topology,
          weightShapes,
          boundaries,
          numClasses,
          epochs: options.epochs,
          batchSize,
          seed,
          shuffle: options.shuffle ?? true,
          head,
          optimizer,
          learningRate,
          weightDecay,
          dataFilter: dataFilter ?? null,
          measureMemory: options.measureMemory ?? true,
          n,
          xShape: x.shape as number[],
        };
        const tensors = model.weights.map((w) => floatFrame(w.read()));
        if (p === 0) tensors.push(floatFrame(x), tensorFrame(new Int32Array(y.dataSync() as Int32Array), [n]));
        return link.send({ kind: 'init', meta: config as unknown as JsonValue, tensors });
      }),
    );
    // One pump per partition: relay its feature stream to the next partition, then collect its weights.
    await Promise.all(
      links.map(async (link, p) => {
        try {
          for (;;) {
            const m = await link.receive();
            if (p === 0 && launchMs === 0) launchMs = performance.now() - t0;
            expect(m, link, p < P - 1 ? ['batch', 'end', 'done'] : ['done']);
            if (m.kind === 'done') {
              done[p] = { meta: m.meta as unknown as DoneMeta, tensors: m.tensors };
              return;
            }
            await links[p + 1].send(m);
          }
        } catch (e) {
          // A closed link is a symptom when another partition already failed: keep the first cause.
          fail(e);
          throw e;
        }
      }),
    ).catch(() => {});
    wallMs = performance.now() - t0;
    if (failure !== undefined) throw failure;
  } finally {
    await launched.stop().catch(() => {});
    await Promise.all(launched.local);
  }

  // Assemble: trained unit weights into the caller's model, the last head rebuilt from its seed and weights.
  const reports: UnitReport[] = [];
  const heads: tf.LayersModel[] = [];
  for (let p = 0; p < P; p++) {
    const { meta, tensors } = done[p];
    const frames = tensors ?? [];
    const unitW = frames.slice(0, meta.unitWeights).map((f) => tf.tensor(f.data as Float32Array, f.shape as number[]));
    units[p].model.setWeights(unitW);
    tf.dispose(unitW);
    const headSeed = headSeedOf(seed, p);
    const h = defaultHeadFactory(numClasses, head)(units[p].outputShape, p, headSeed);
    const headW = frames.slice(meta.unitWeights).map((f) => tf.tensor(f.data as Float32Array, f.shape as number[]));
    h.setWeights(headW);
    tf.dispose(headW);
    heads.push(h);
    const history: History = {
      epoch: [],
      history: {},
      stopReason: 'completed',
      iterations: meta.stats.batches,
      msPerIteration: meta.stats.trainMs / Math.max(1, meta.stats.batches),
    };
    const report: UnitReport = {
      window: p,
      units: [p, p],
      epochs: meta.report.epochs,
      loss: meta.report.loss,
      learningRate: meta.report.learningRate,
      weightDecay: meta.report.weightDecay,
      history: [history],
    };
    if (meta.report.peakStepBytes !== null) report.peakStepBytes = meta.report.peakStepBytes;
    if (meta.report.keptFraction !== null) report.keptFraction = meta.report.keptFraction;
    reports.push(report);
  }
  if (options.validationData) {
    for (let p = 0; p < P; p++) Object.assign(reports[p], evaluate(units, p, heads[p], options.validationData, Math.max(batchSize, 256)));
  }
  const headModel = heads[P - 1];
  for (const h of heads.slice(0, -1)) h.dispose();
  const output = buildOutputModel(model, units, P - 1, headModel);
  headModel.dispose(); // its layers live on in `output`, which releases them
  for (const u of units) u.model.dispose();
  const result: PipelinedResult = {
    model: output,
    reports,
    outputWindow: P - 1,
    stopReason: 'completed',
    partitions: done.map((d) => d.meta.stats),
    wallMs,
    launchMs,
    transport: launched.transport,
  };
  const peaks = reports.map((r) => r.peakStepBytes).filter((b): b is number => b !== undefined);
  if (peaks.length > 0) result.peakStepBytes = Math.max(...peaks);
  return result;
}
