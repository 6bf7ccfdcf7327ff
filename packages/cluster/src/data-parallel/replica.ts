/**
 * One replica of data-parallel training: builds the model from its topology, trains on its shard with the shared
 * minibatch step of `@beyond-backprop/training`, and at every sync point uploads its encoded weights and replaces
 * them with the coordinator's broadcast. Runs anywhere a {@link Link} reaches: the same thread, a worker thread, or a
 * process on another machine.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@beyond-backprop/core-linalg';
import { backpropBatch, resolveLoss } from '@beyond-backprop/training';
import { tensorFrame, type Message } from '../frame.js';
import type { Link } from '../link.js';
import { reportFailure } from '../remote-failure.js';
import { SyncSide } from './model-averaging.js';
import { isSyncStep, type OptimizerSpec, type ReplicaConfig } from './protocol.js';
import { resolveWeightCodec, weightsChecksum, type WeightCodecModule } from './weight-codec.js';

/** Options of {@link runReplica}. */
export interface RunReplicaOptions {
  /** The codec module, linked statically: creates the run's codec instead of importing `spec.module` (bundles: browser workers). */
  codecModule?: WeightCodecModule;
}

function buildOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (spec.kind === 'sgd') return tf.train.sgd(spec.learningRate);
  return tf.train.adam(spec.learningRate, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-8);
}

function readWeights(model: tf.LayersModel): Float32Array[] {
  return model
    .getWeights()
    .map((w) => w.dataSync() as Float32Array)
    .map((d) => new Float32Array(d));
}

function writeWeights(model: tf.LayersModel, layers: readonly Float32Array[], shapes: readonly number[][]): void {
  const tensors = layers.map((l, i) => tf.tensor(l, shapes[i]));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Rows `[from, to)` of a shard's row order, split into `steps` nearly equal minibatches. */
function batchRows(order: Int32Array, step: number, steps: number): Int32Array {
  const n = order.length;
  return order.subarray(Math.floor((step * n) / steps), Math.floor(((step + 1) * n) / steps));
}

/**
 * Serves one replica over `link` until the coordinator ends the run. Errors are reported to the coordinator (as an
 * `error` message) and rethrown.
 *
 * @example
 * ```ts
 * // in a worker thread
 * await initBackend({ preference: 'wasm', log: false });
 * await runReplica(connectToParent().link);
 * ```
 */
export async function runReplica(link: Link, options: RunReplicaOptions = {}): Promise<void> {
  const owned: tf.Tensor[] = [];
  let model: tf.LayersModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  try {
    const init = await link.receive();
    if (init.kind !== 'init') throw new Error(`runReplica: expected 'init', got '${init.kind}'`);
    const config = init.meta as unknown as ReplicaConfig;
    const [x0, y0, ...weights] = init.tensors ?? [];
    const codec = await resolveWeightCodec(config.codec, options.codecModule);
    model = await tf.models.modelFromJSON(config.topology as unknown as tf.io.ModelJSON['modelTopology'] as never);
    writeWeights(
      model,
      weights.map((w) => w.data as Float32Array),
      config.weightShapes,
    );
    const x = tf.tensor(x0!.data as Float32Array, config.xShape);
    const y = tf.tensor(y0!.data as Float32Array | Int32Array, config.yShape, config.yDType);
    owned.push(x, y);
    const loss = resolveLoss(config.loss);
    optimizer = buildOptimizer(config.optimizer);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const m = model;
    const forward = (xb: tf.Tensor): tf.Tensor => m.apply(xb, { training: true }) as tf.Tensor;
    const side = new SyncSide(config.mode, codec, readWeights(model));
    let syncedChecksum = weightsChecksum(side.synced);
    await link.send({ kind: 'ready', meta: { rank: config.rank, checksum: syncedChecksum } });

    const n = config.xShape[0];
    const order = new Int32Array(n);
    let lossSum = 0;
    let count = 0;
    // Where the replica's time goes (reported in 'done'): minibatch steps vs. synchronisation (encode, wait, apply).
    let stepMs = 0;
    let syncMs = 0;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      for (let i = 0; i < n; i++) order[i] = i;
      const rng = createRng(`data-parallel:${config.seed}:${config.rank}:${epoch}`);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (let step = 0; step < config.stepsPerEpoch; step++) {
        const rows = batchRows(order, step, config.stepsPerEpoch);
        const tStep = performance.now();
        if (rows.length > 0) {
          const value = backpropBatch(x, y, rows, loss, forward, variables, optimizer);
          lossSum += value * rows.length;
          count += rows.length;
        }
        const tSync = performance.now();
        stepMs += tSync - tStep;
        if (!isSyncStep(step, config.stepsPerEpoch, config.syncEvery)) continue;
        const bytes = side.encode(readWeights(model), epoch);
        await link.send({ kind: 'upload', meta: { epoch, step, lossSum, count, checksum: syncedChecksum }, tensors: [tensorFrame(bytes)] });
        lossSum = 0;
        count = 0;
        const reply: Message = await link.receive();
        if (reply.kind !== 'sync') throw new Error(`runReplica: expected 'sync', got '${reply.kind}'`);
        const synced = side.apply(reply.tensors![0].data as Uint8Array);
        writeWeights(model, synced, config.weightShapes);
        syncedChecksum = weightsChecksum(synced);
        syncMs += performance.now() - tSync;
        if ((reply.meta as { stop?: boolean } | null)?.stop) {
          epoch = config.epochs;
          break;
        }
      }
    }
    await link.send({ kind: 'done', meta: { checksum: syncedChecksum, numTensors: tf.memory().numTensors, stepMs, syncMs } });
    await link.close();
  } catch (error) {
    await reportFailure(link, error);
    throw error;
  } finally {
    tf.dispose(owned);
    model?.dispose();
    optimizer?.dispose();
  }
}
