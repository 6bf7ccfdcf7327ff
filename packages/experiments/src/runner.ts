/**
 * Runs one experiment with one method and measures it: the engine behind `bbp run`, usable from code and tests.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, checkNumber, initBackend } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from '@beyond-backprop/datasets';
import { startStepMemory, type StepMemoryRecorder } from '@beyond-backprop/training';
import { registerBuiltins } from './plugins.js';
import { getExperiment, getMethod, type ArchitectureSpec, type Experiment, type MethodRun, type ResultFieldValue } from './registry.js';

/** What to run. Unset numbers fall back to the experiment's defaults. */
export interface RunOptions {
  /**
   * A registered experiment's name, or an experiment object used as is without registering it — e.g. a variant of a
   * registered one with other data (points a user drew) or another architecture, as the browser demo builds.
   */
  experiment: string | Experiment;
  method?: string;
  epochs?: number;
  seed?: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: 'adam' | 'sgd';
  /**
   * Hidden widths replacing the experiment's: a dense net's hidden layers, a conv net's dense layers, or (one
   * number) a recurrent layer's width — so methods can be compared at equal width.
   */
  hidden?: number[];
  /** Method-specific options (`--delay 5` → `{ delay: 5 }`). */
  methodOptions?: Record<string, string | number | boolean | undefined>;
  /** Evaluate train/test accuracy every this many epochs (default: every epoch for small sets, ≤ 100 times otherwise). */
  evalEvery?: number;
  /**
   * Progress hooks for a user interface. `onEpoch` also receives the method run, so a user interface can draw its
   * predictions (e.g. a decision surface) as it trains; training waits for a returned promise (e.g. while paused).
   */
  onEpoch?: (epoch: number, logs: HistoryEntry, run: MethodRun) => void | Promise<void>;
  /** Called once the method is set up, before training. */
  onStart?: (info: RunStartInfo) => void;
  signal?: AbortSignal;
  /** Keep the active tfjs backend instead of selecting the fastest available one. Default `false`. */
  keepBackend?: boolean;
  /**
   * Stop as soon as an evaluation reaches this test accuracy (classification) — the success criterion of the
   * bit-stream experiments (≥ 0.99 within the budget, Fairbank & Samothrakis §5.3). Default: the experiment's;
   * `null` never stops early.
   */
  targetAccuracy?: number | null;
}

/** What {@link RunOptions.onStart} learns about a run before it trains. */
export interface RunStartInfo {
  experiment: string;
  method: string;
  /** Epochs asked for (per unit for the layer-wise methods). */
  epochs: number;
  /** Epochs the run reports in all ({@link MethodRun.totalEpochs}; `epochs` for most methods). */
  totalEpochs: number;
  backend: string;
  /** {@link RunResult.engine}. */
  engine: string;
  /** {@link RunResult.oneShot}. */
  oneShot: boolean;
}

/** One epoch of the result history. Metrics are present on evaluated epochs. */
export interface HistoryEntry {
  /**
   * 0-based index of the epoch, as in `tf.History.epoch` (the first epoch is 0); the progress line, like Keras' "Epoch
   * 1/5", counts completed epochs from 1, so its "epoch k/n" is the entry with `epoch: k − 1`.
   */
  epoch: number;
  loss: number;
  trainAccuracy?: number;
  testAccuracy?: number;
  trainMse?: number;
  testMse?: number;
}

/** The measured outcome of a run: what `bbp run --json` writes. */
export interface RunResult {
  experiment: string;
  method: string;
  seed: number;
  /** Epochs trained: the length of `history` (a one-shot fit reports its fit as one entry). */
  epochs: number;
  backend: string;
  /**
   * The arithmetic the method trained on ({@link MethodRun.engine}): `'float64'` (CPU, float64), `'tfjs'` (the active
   * `backend`), or a method's own name.
   */
  engine: string;
  /**
   * `true` for a closed-form fit done in one shot (platonic without `--finetune`): `epochs` is 1, `history` holds the
   * fit, and `iterations`/`msPerIteration` count its least-squares solves rather than minibatch updates.
   */
  oneShot: boolean;
  task: 'classification' | 'regression';
  /** Fraction of scored labels predicted right (classification; `null` for regression). */
  trainAccuracy: number | null;
  testAccuracy: number | null;
  /** Mean squared error (regression; `null` for classification). */
  trainMse: number | null;
  testMse: number | null;
  finalLoss: number;
  msPerIteration: number;
  iterations: number;
  /**
   * Peak tensor bytes of one complete training step (data → forward → backward → update), the variables alive at its
   * start (weights, frozen or not, and optimiser slots) included and the data set excluded: the first step after each
   * `onTrainBegin`, the largest if the method trains in several phases (layer-wise units). `null` when the method
   * reported no step, or when it trained on the `'float64'` engine (plain arrays on the CPU: no tensors to measure).
   */
  peakStepBytes: number | null;
  wallSeconds: number;
  /** `'target-reached'` when `targetAccuracy` stopped the run early; `'stopped'` when a callback (early stopping) did. */
  stopReason: 'completed' | 'aborted' | 'stopped' | 'target-reached';
  /** Highest test accuracy at any evaluation (the number the IMDB table reports); `null` for regression. */
  bestTestAccuracy: number | null;
  /** The target accuracy asked for, if any. */
  targetAccuracy: number | null;
  /**
   * First evaluated epoch (0-based, as `history[].epoch`) whose test accuracy reached `targetAccuracy`, and the updates
   * done by then; `null` if never.
   */
  firstEpochAtTarget: number | null;
  firstIterationAtTarget: number | null;
  hyperparameters: { batchSize: number; learningRate: number; optimizer: string; [key: string]: unknown };
  /** The network the experiment asked for, after option-dependent sizing and `hidden`. */
  architecture: ArchitectureSpec;
  history: HistoryEntry[];
  /** Method-specific fields from {@link MethodRun.resultFields} (e.g. `bitsPerParameter`, `bytesSent`). */
  [field: string]: unknown;
}

/** A finished run: the result, plus the trained method and data for plotting (dispose `run` when done). */
export interface CompletedRun {
  result: RunResult;
  run: MethodRun;
  data: Dataset<Int32Array | Float32Array>;
}

/** Accuracy or mean squared error of `run` on a split. */
export interface SplitMetrics {
  accuracy?: number;
  mse?: number;
}

/**
 * Evaluates `run` on a split: for integer labels, the fraction of scored positions (label ≥ 0) whose arg-max class is
 * right; for float targets, the mean squared error.
 */
export function evaluateSplit(run: MethodRun, split: Split<Int32Array | Float32Array>, numClasses: number): SplitMetrics {
  const out = run.predict(split.x, split.xShape);
  if (split.y instanceof Int32Array) {
    const labels = split.y;
    if (out.length !== labels.length * numClasses) {
      throw new ShapeError('MethodRun.predict', 'result', [labels.length * numClasses], [out.length], `${numClasses} class scores per label`);
    }
    let correct = 0;
    let scored = 0;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (label < 0) continue;
      scored++;
      let best = 0;
      for (let k = 1; k < numClasses; k++) if (out[i * numClasses + k] > out[i * numClasses + best]) best = k;
      if (best === label) correct++;
    }
    return { accuracy: scored === 0 ? 0 : correct / scored };
  }
  const targets = split.y;
  if (out.length !== targets.length) throw new ShapeError('MethodRun.predict', 'result', [targets.length], [out.length], 'one prediction per target');
  let sum = 0;
  for (let i = 0; i < targets.length; i++) sum += (out[i] - targets[i]) ** 2;
  return { mse: targets.length === 0 ? 0 : sum / targets.length };
}

/**
 * Runs `options.experiment` with `options.method` (default: the experiment's default method) and returns measured
 * numbers. Selects the fastest TensorFlow.js backend available first ({@link initBackend}; `BBP_BACKEND` forces one)
 * unless `keepBackend` is set.
 *
 * @example
 * ```ts
 * const { result, run } = await runExperiment({ experiment: 'two-spirals', method: 'backprop', epochs: 200, seed: 1 });
 * console.log(result.testAccuracy);
 * run.dispose();
 * ```
 */
export async function runExperiment(options: RunOptions): Promise<CompletedRun> {
  registerBuiltins();
  const experiment = typeof options.experiment === 'string' ? getExperiment(options.experiment) : options.experiment;
  const method = getMethod(options.method ?? experiment.defaults.method, experiment);
  const seed = options.seed ?? 0;
  checkNumber('bbp run', '--seed', seed, { integer: true });
  const epochs = options.epochs ?? experiment.defaults.epochs;
  checkNumber('bbp run', '--epochs', epochs, { min: 1, integer: true });
  const training = experiment.methodTraining?.[method.name] ?? {};
  const learningRate = options.learningRate ?? training.learningRate ?? experiment.defaults.learningRate ?? 0.01;
  checkNumber('bbp run', '--lr', learningRate, { min: 0, exclusiveMin: true });
  const optimizer = options.optimizer ?? training.optimizer ?? experiment.defaults.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new InvalidArgumentError('bbp run', '--optimizer', "must be 'adam' or 'sgd'", optimizer);
  if (!options.keepBackend) await initBackend({ log: false });
  // Experiment-wide defaults ('*') apply to the options a method declares; its own entry and the command line win.
  const declared = new Set((method.options ?? []).map((o) => optionKey(o.flag)));
  const shared = Object.fromEntries(Object.entries(experiment.methodDefaults?.['*'] ?? {}).filter(([k]) => declared.has(k)));
  const methodOptions = { ...shared, ...(experiment.methodDefaults?.[method.name] ?? {}), ...definedOnly(options.methodOptions ?? {}) };
  const data = await experiment.load(seed, methodOptions);
  const architecture = withHidden(experiment.configure ? experiment.configure(methodOptions) : experiment.architecture, options.hidden);
  const numClasses = data.numClasses ?? 2;
  const nTrain = data.train.xShape[0];
  const batchSize = Math.min(options.batchSize ?? experiment.defaults.batchSize ?? nTrain, nTrain);
  checkNumber('bbp run', '--batch-size', batchSize, { min: 1, integer: true });
  const evalEvery = options.evalEvery ?? (nTrain + data.test.xShape[0] <= 10_000 ? 1 : Math.max(1, Math.ceil(epochs / 100)));
  checkNumber('bbp run', '--eval-every', evalEvery, { min: 1, integer: true });
  const target = options.targetAccuracy === null ? undefined : (options.targetAccuracy ?? experiment.defaults.targetAccuracy);
  if (target !== undefined) {
    checkNumber('bbp run', '--target-accuracy', target, { min: 0, max: 1, exclusiveMin: true });
    if (experiment.task !== 'classification')
      throw new InvalidArgumentError('bbp run', '--target-accuracy', 'needs a classification experiment', experiment.name);
  }
  const backend = tf.getBackend();

  const run = await method.create({ experiment, architecture, data, seed, epochs, batchSize, learningRate, optimizer, options: methodOptions });
  const engine = run.engine ?? 'tfjs';
  const oneShot = run.oneShot === true;
  const totalEpochs = run.totalEpochs ?? epochs;
  options.onStart?.({ experiment: experiment.name, method: method.name, epochs, totalEpochs, backend, engine, oneShot });
  const history: HistoryEntry[] = [];
  // One signal for the caller's abort and for reaching the target accuracy.
  const stop = new AbortController();
  const forwardAbort = () => stop.abort();
  if (options.signal?.aborted) stop.abort();
  options.signal?.addEventListener('abort', forwardAbort, { once: true });
  let firstEpochAtTarget: number | null = null;
  let iterationsSeen = 0;
  let firstIterationAtTarget: number | null = null;
  const started = performance.now();
  let fitHistory: Awaited<ReturnType<typeof run.fit>>;
  let stepRecorder: StepMemoryRecorder | null = null;
  let peakStepBytes: number | null = null;
  try {
    fitHistory = await run.fit(
      {
        onTrainBegin: () => {
          stepRecorder ??= startStepMemory({ persistent: 'variables' });
        },
        onBatchEnd: () => {
          iterationsSeen++;
          if (stepRecorder) {
            peakStepBytes = Math.max(peakStepBytes ?? 0, stepRecorder.stop().peakStepBytes);
            stepRecorder = null;
          }
        },
        onEpochEnd: async (epoch, logs) => {
          const entry: HistoryEntry = { epoch, loss: logs.loss };
          if ((epoch + 1) % evalEvery === 0 || epoch === totalEpochs - 1) {
            const train = evaluateSplit(run, data.train, numClasses);
            const test = evaluateSplit(run, data.test, numClasses);
            if (train.accuracy !== undefined) [entry.trainAccuracy, entry.testAccuracy] = [train.accuracy, test.accuracy!];
            if (train.mse !== undefined) [entry.trainMse, entry.testMse] = [train.mse, test.mse!];
          }
          history.push(entry);
          await options.onEpoch?.(epoch, entry, run);
          if (target !== undefined && firstEpochAtTarget === null && entry.testAccuracy !== undefined && entry.testAccuracy >= target) {
            firstEpochAtTarget = epoch;
            firstIterationAtTarget = iterationsSeen;
            stop.abort();
          }
        },
      },
      stop.signal,
    );
  } catch (error) {
    run.dispose();
    throw error;
  } finally {
    (stepRecorder as StepMemoryRecorder | null)?.stop();
    options.signal?.removeEventListener('abort', forwardAbort);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const train = evaluateSplit(run, data.train, numClasses);
  const test = evaluateSplit(run, data.test, numClasses);
  const result: RunResult = {
    experiment: experiment.name,
    method: method.name,
    seed,
    epochs: history.length,
    backend,
    engine,
    oneShot,
    task: experiment.task,
    trainAccuracy: train.accuracy ?? null,
    testAccuracy: test.accuracy ?? null,
    trainMse: train.mse ?? null,
    testMse: test.mse ?? null,
    finalLoss: history.at(-1)?.loss ?? Number.NaN,
    msPerIteration: fitHistory.msPerIteration,
    iterations: fitHistory.iterations,
    peakStepBytes: engine === 'float64' ? null : peakStepBytes,
    wallSeconds,
    stopReason: firstEpochAtTarget !== null ? 'target-reached' : fitHistory.stopReason,
    bestTestAccuracy: bestOf(
      history.map((h) => h.testAccuracy),
      test.accuracy,
    ),
    targetAccuracy: target ?? null,
    firstEpochAtTarget,
    firstIterationAtTarget,
    hyperparameters: { batchSize, learningRate, optimizer, ...methodOptions },
    architecture,
    history,
  };
  for (const [field, value] of Object.entries(run.resultFields?.() ?? {})) {
    if (!(field in result)) (result as unknown as Record<string, ResultFieldValue>)[field] = value;
  }
  return { result, run, data };
}

function withHidden(architecture: ArchitectureSpec, hidden: number[] | undefined): ArchitectureSpec {
  if (hidden === undefined) return architecture;
  hidden.forEach((w, i) => checkNumber('bbp run', `--hidden[${i}]`, w, { min: 1, integer: true }));
  if (architecture.kind === 'dense') return { ...architecture, hidden };
  if (architecture.kind === 'conv') return { ...architecture, dense: hidden };
  if (hidden.length !== 1) throw new InvalidArgumentError('bbp run', '--hidden', 'must be one width for a recurrent network', hidden.join(','));
  return { ...architecture, hidden: hidden[0] };
}

function bestOf(values: Array<number | undefined>, last: number | undefined): number | null {
  const seen = [...values, last].filter((v): v is number => v !== undefined);
  return seen.length === 0 ? null : Math.max(...seen);
}

function definedOnly<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The camel-cased key of a long flag, as commander stores it (`--t-neg <t>` → `tNeg`). */
export function optionKey(flag: string): string {
  const long = flag.split(/[ ,]+/).find((p) => p.startsWith('--')) ?? flag;
  return long.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
