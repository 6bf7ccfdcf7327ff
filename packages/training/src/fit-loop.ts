/**
 * The epoch/minibatch loop every beyond-backprop trainer runs: seeded shuffling, tfjs-style callbacks, cancellation
 * through an `AbortSignal`, divergence detection and a tfjs-compatible history.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import { TrainingDivergedError } from './divergence.js';

/** Metrics reported at the end of an epoch. `loss` is the example-weighted mean training loss of the epoch. */
export interface EpochLogs {
  loss: number;
  /** Any other metric a trainer reports (`accuracy`, `valLoss`, …). */
  [metric: string]: number;
}

/**
 * What a callback may do to the run it observes (handed to {@link FitCallbacks.setControl} before `onTrainBegin`):
 * stop it, and — when the trainer supports it — snapshot and restore its weights (as `restoreBestWeights` does).
 */
export interface FitControl {
  /** Ends training at the next batch boundary or epoch end; `History.stopReason` becomes `'stopped'`. */
  stopTraining(): void;
  /** Whether {@link snapshotWeights} / {@link restoreWeights} are available for this trainer. */
  readonly canSnapshot: boolean;
  /** A copy of the trainer's current weights; hand it to {@link releaseWeights} when it is no longer needed. */
  snapshotWeights(): unknown;
  /** Puts back weights from {@link snapshotWeights} (the optimiser state is left as it is, as in tfjs/Keras). */
  restoreWeights(snapshot: unknown): void;
  /** Frees a copy from {@link snapshotWeights} (tensors it holds are disposed); a no-op for plain-number copies. */
  releaseWeights(snapshot: unknown): void;
}

/** Progress callbacks, in the spirit of tfjs `CustomCallbackArgs`. Each may be async. */
export interface FitCallbacks {
  /** Called once before `onTrainBegin` with the {@link FitControl} of this run. */
  setControl?: (control: FitControl) => void;
  onTrainBegin?: () => void | Promise<void>;
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  /** Before each minibatch update, with the batch's size. */
  onBatchBegin?: (batch: number, logs: { size: number }) => void | Promise<void>;
  /** After each minibatch update, with that batch's loss. */
  onBatchEnd?: (batch: number, logs: { loss: number; size: number }) => void | Promise<void>;
  /** After each epoch whose loss was finite. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  onTrainEnd?: (history: History) => void | Promise<void>;
}

/** Saves training state; called only after an epoch that ended with finite losses, so a NaN never overwrites it. */
export interface CheckpointHook {
  /** Save every this many epochs (default 1). */
  every?: number;
  save: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

/** Metrics a trainer can report per epoch besides the loss (tfjs's `metrics: ['accuracy']`). */
export type FitMetric = 'accuracy' | 'acc';

/**
 * Options accepted by every trainer's `fit` — one shape across the packages, validated by {@link resolveFitOptions}.
 * Metrics land in the epoch logs and `History` as `loss`, `accuracy`, `valLoss`, `valAccuracy`.
 */
export interface FitOptions {
  /** Number of passes over the training set. */
  epochs: number;
  /** Examples per update. Default: the whole training set (full batch). */
  batchSize?: number;
  /** Shuffle the example order every epoch (seeded). Default `true`. */
  shuffle?: boolean;
  /** Seed of the shuffling. Default 0. Epoch e's order depends only on (seed, e), so resuming is exact. */
  seed?: number;
  /**
   * Epoch to start from (tfjs semantics: training runs epochs `initialEpoch … epochs − 1`). Resuming a checkpoint
   * saved after epoch k with `initialEpoch: k + 1` replays exactly the batches an uninterrupted run would have seen.
   */
  initialEpoch?: number;
  callbacks?: FitCallbacks | FitCallbacks[];
  /** Stops training at the next minibatch boundary; `fit` then resolves with `stopReason: 'aborted'`. */
  signal?: AbortSignal;
  checkpoint?: CheckpointHook;
  /**
   * Held-out `[x, y]` (same layout as the training data) scored after every epoch as `valLoss` and, for
   * classification, `valAccuracy`.
   */
  validationData?: [tf.Tensor, tf.Tensor];
  /** Report the training-set `accuracy` after every epoch (classification). Same as `metrics: ['accuracy']`. */
  trackAccuracy?: boolean;
  /** tfjs-style metric list; `['accuracy']` is {@link FitOptions.trackAccuracy}. */
  metrics?: readonly FitMetric[];
}

/**
 * Whether `fit` should report training accuracy: `trackAccuracy: true` or `metrics` naming `'accuracy'`/`'acc'`.
 *
 * @example
 * ```ts
 * if (tracksAccuracy(options)) logs.accuracy = accuracy(predict(x), y);
 * ```
 */
export function tracksAccuracy(options: Pick<FitOptions, 'trackAccuracy' | 'metrics'> | undefined): boolean {
  return options?.trackAccuracy === true || (options?.metrics?.some((m) => m === 'accuracy' || m === 'acc') ?? false);
}

/** What `fit` returns: per-epoch metrics in tfjs's `History` layout plus timing. */
export interface History {
  /** Epoch indices, `[0, 1, …]`. */
  epoch: number[];
  /** Metric name → one value per epoch (tfjs layout: `history.history.loss[e]`). */
  history: Record<string, number[]>;
  /** Why training ended: all epochs ran, the `signal` aborted, or a callback (e.g. early stopping) stopped it. */
  stopReason: 'completed' | 'aborted' | 'stopped';
  /** Parameter updates performed. */
  iterations: number;
  /** Mean wall time of one update (training step only, no evaluation), in milliseconds. */
  msPerIteration: number;
}

/** What a trainer supplies to {@link runFitLoop}. */
export interface FitStep {
  /**
   * One parameter update on the examples `indices`; returns that batch's loss. When the loss is not finite it must
   * return it without applying the update; the loop then raises {@link TrainingDivergedError}.
   */
  trainBatch: (indices: Int32Array, iteration: number) => number;
  /** Extra end-of-epoch metrics (evaluation), merged into the epoch logs. */
  evaluate?: (epoch: number) => Record<string, number>;
  /**
   * Copies of the trainer's parameters, so that divergence leaves the last state whose loss was finite (a non-finite
   * loss is measured on the parameters the previous, finite-loss update produced; without this the model would keep
   * them), and so that callbacks can snapshot and restore weights through {@link FitControl} (early stopping's
   * `restoreBestWeights`). See {@link variableSnapshots} for `tf.Variable` parameters.
   */
  state?: StateSnapshots;
}

/**
 * How {@link runFitLoop} copies and restores a trainer's parameters. `save()` is called before every update; when a
 * batch's loss is not finite the loop calls `restore` with the copy taken before the previous update (the last state
 * whose loss was finite) and then raises {@link TrainingDivergedError}. Every copy is handed to `release` once.
 */
export interface StateSnapshots {
  save: () => unknown;
  restore: (saved: unknown) => void;
  release?: (saved: unknown) => void;
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (cb: () => void) => void }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });

/** Validates fit options and fills defaults; throws `InvalidArgumentError` naming the option. */
export function resolveFitOptions(
  fn: string,
  options: FitOptions,
  numExamples: number,
): Required<Pick<FitOptions, 'epochs' | 'batchSize' | 'shuffle' | 'seed' | 'initialEpoch'>> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(fn, 'options', 'must be an object with at least {epochs}', options);
  checkNumber(fn, 'options.epochs', options.epochs, { min: 1, integer: true });
  if (!(numExamples >= 1)) throw new InvalidArgumentError(fn, 'x', 'must contain at least one example', numExamples);
  const batchSize = options.batchSize ?? numExamples;
  checkNumber(fn, 'options.batchSize', batchSize, { min: 1, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, 'options.seed', seed, { integer: true });
  if (options.signal !== undefined && !(typeof options.signal === 'object' && options.signal !== null && 'aborted' in options.signal)) {
    throw new InvalidArgumentError(fn, 'options.signal', 'must be an AbortSignal', options.signal);
  }
  if (options.checkpoint) {
    checkNumber(fn, 'options.checkpoint.every', options.checkpoint.every ?? 1, { min: 1, integer: true });
    if (typeof options.checkpoint.save !== 'function')
      throw new InvalidArgumentError(fn, 'options.checkpoint.save', 'must be a function', options.checkpoint.save);
  }
  if (options.validationData !== undefined) {
    const v = options.validationData as unknown;
    const isTensor = (t: unknown) => t !== null && typeof t === 'object' && Array.isArray((t as { shape?: unknown }).shape);
    if (!Array.isArray(v) || v.length !== 2 || !isTensor(v[0]) || !isTensor(v[1]))
      throw new InvalidArgumentError(fn, 'options.validationData', 'must be [x, y], two tensors', v);
  }
  if (options.metrics !== undefined && (!Array.isArray(options.metrics) || options.metrics.some((m) => m !== 'accuracy' && m !== 'acc'))) {
    throw new InvalidArgumentError(fn, 'options.metrics', "must be an array of 'accuracy' (or 'acc')", options.metrics);
  }
  for (const [i, c] of (options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks]).entries()) {
    if (c === null || typeof c !== 'object') throw new InvalidArgumentError(fn, `options.callbacks[${i}]`, 'must be an object of callback functions', c);
  }
  const initialEpoch = options.initialEpoch ?? 0;
  checkNumber(fn, 'options.initialEpoch', initialEpoch, { min: 0, max: options.epochs - 1, integer: true });
  return { epochs: options.epochs, batchSize: Math.min(batchSize, numExamples), shuffle: options.shuffle ?? true, seed, initialEpoch };
}

/**
 * Runs `epochs` passes of minibatch updates over `numExamples` examples. Batch order comes from a generator seeded
 * with `options.seed`, so every method given the same seed sees the same batches. Yields to the event loop between
 * batches about every 25 ms so browser pages stay responsive and abort signals are seen. A non-finite batch loss
 * raises {@link TrainingDivergedError}; checkpoints and `onEpochEnd` are only called for finite epochs.
 *
 * @example
 * ```ts
 * const history = await runFitLoop('MyTrainer.fit', n, { epochs: 10, batchSize: 32 }, {
 *   trainBatch: (idx) => tf.tidy(() => step(idx)),
 * });
 * ```
 */
export async function runFitLoop(fn: string, numExamples: number, options: FitOptions, step: FitStep): Promise<History> {
  const { epochs, batchSize, shuffle, seed, initialEpoch } = resolveFitOptions(fn, options, numExamples);
  const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  const history: History = { epoch: [], history: {}, stopReason: 'completed', iterations: 0, msPerIteration: 0 };
  let trainMs = 0;
  let lastYield = performance.now();
  const order = new Int32Array(numExamples);
  let stopRequested = false;
  const snapshots = step.state;
  const unsupported = (arg: string) => new InvalidArgumentError(fn, arg, 'is not supported by this trainer (its fit step has no `state`)', undefined);
  const control: FitControl = {
    stopTraining: () => void (stopRequested = true),
    canSnapshot: snapshots !== undefined,
    snapshotWeights: () => {
      if (!snapshots) throw unsupported('control.snapshotWeights');
      return snapshots.save();
    },
    restoreWeights: (w) => {
      if (!snapshots) throw unsupported('control.restoreWeights');
      snapshots.restore(w);
    },
    releaseWeights: (w) => snapshots?.release?.(w),
  };
  for (const c of callbacks) c.setControl?.(control);
  let kept: unknown;
  let hasKept = false;
  try {
    return await loop();
  } finally {
    if (snapshots && hasKept) snapshots.release?.(kept);
  }

  async function loop(): Promise<History> {
    for (const c of callbacks) await c.onTrainBegin?.();
    outer: for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      if (options.signal?.aborted) {
        history.stopReason = 'aborted';
        break;
      }
      for (const c of callbacks) await c.onEpochBegin?.(epoch);
      for (let i = 0; i < numExamples; i++) order[i] = i;
      if (shuffle) {
        const rng = epochRng(seed, epoch);
        for (let i = numExamples - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          const t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
      }
      let lossSum = 0;
      let batch = 0;
      for (let start = 0; start < numExamples; start += batchSize) {
        const indices = order.subarray(start, Math.min(start + batchSize, numExamples));
        for (const c of callbacks) await c.onBatchBegin?.(batch, { size: indices.length });
        const t0 = performance.now();
        const before = snapshots?.save();
        let loss: number;
        try {
          loss = step.trainBatch(indices, history.iterations);
        } catch (e) {
          snapshots?.release?.(before);
          throw e;
        }
        trainMs += performance.now() - t0;
        if (!Number.isFinite(loss)) {
          snapshots?.release?.(before);
          if (snapshots && hasKept) snapshots.restore(kept);
          throw new TrainingDivergedError(fn, epoch, batch, loss);
        }
        if (snapshots) {
          if (hasKept) snapshots.release?.(kept);
          kept = before;
          hasKept = true;
        }
        history.iterations++;
        lossSum += loss * indices.length;
        for (const c of callbacks) await c.onBatchEnd?.(batch, { loss, size: indices.length });
        batch++;
        if (performance.now() - lastYield > 25) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
        if (options.signal?.aborted && start + batchSize < numExamples) {
          history.stopReason = 'aborted';
          break outer;
        }
        if (stopRequested && start + batchSize < numExamples) {
          history.stopReason = 'stopped';
          break outer;
        }
      }
      const logs: EpochLogs = { loss: lossSum / numExamples, ...(step.evaluate?.(epoch) ?? {}) };
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      for (const c of callbacks) await c.onEpochEnd?.(epoch, logs);
      if (options.checkpoint && (epoch + 1) % (options.checkpoint.every ?? 1) === 0) await options.checkpoint.save(epoch, logs);
      if (stopRequested && epoch < epochs - 1) {
        history.stopReason = 'stopped';
        break;
      }
    }
    history.msPerIteration = trainMs / Math.max(1, history.iterations);
    for (const c of callbacks) await c.onTrainEnd?.(history);
    return history;
  }
}

/** The generator of epoch `epoch`'s batch order: a function of (seed, epoch) only, so any epoch can be replayed. */
export function epochRng(seed: number, epoch: number): Rng {
  return createRng(`batches:${seed}:${epoch}`);
}
