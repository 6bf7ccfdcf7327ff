/**
 * Runs one experiment with one method and measures it: the engine behind `bbp run`, usable from code and tests.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, initBackend } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from '@beyond-backprop/datasets';
import { registerBuiltins } from './plugins.js';
import { getExperiment, getMethod, type MethodRun } from './registry.js';

/** What to run. Unset numbers fall back to the experiment's defaults. */
export interface RunOptions {
  experiment: string;
  method?: string;
  epochs?: number;
  seed?: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: 'adam' | 'sgd';
  /** Method-specific options (`--delay 5` → `{ delay: 5 }`). */
  methodOptions?: Record<string, string | number | boolean | undefined>;
  /** Evaluate train/test accuracy every this many epochs (default: every epoch for small sets, ≤ 100 times otherwise). */
  evalEvery?: number;
  /** Progress hooks for a user interface. */
  onEpoch?: (epoch: number, logs: { loss: number; trainAccuracy?: number; testAccuracy?: number }) => void;
  onStart?: (info: { experiment: string; method: string; epochs: number; backend: string }) => void;
  signal?: AbortSignal;
  /** Keep the active tfjs backend instead of selecting the fastest available one. Default `false`. */
  keepBackend?: boolean;
}

/** One epoch of the result history. Accuracies are present on evaluated epochs. */
export interface HistoryEntry {
  epoch: number;
  loss: number;
  trainAccuracy?: number;
  testAccuracy?: number;
}

/** The measured outcome of a run: what `bbp run --json` writes. */
export interface RunResult {
  experiment: string;
  method: string;
  seed: number;
  epochs: number;
  backend: string;
  trainAccuracy: number;
  testAccuracy: number;
  finalLoss: number;
  msPerIteration: number;
  iterations: number;
  wallSeconds: number;
  stopReason: 'completed' | 'aborted';
  hyperparameters: { batchSize: number; learningRate: number; optimizer: string; [key: string]: unknown };
  history: HistoryEntry[];
}

/** A finished run: the result, plus the trained method and data for plotting (dispose `run` when done). */
export interface CompletedRun {
  result: RunResult;
  run: MethodRun;
  data: Dataset<Int32Array>;
}

/** Accuracy of `run` on a split. */
export function splitAccuracy(run: MethodRun, split: Split<Int32Array>, numClasses: number): number {
  const scores = run.predict(split.x, split.xShape);
  const n = split.xShape[0]!;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) if (scores[i * numClasses + k]! > scores[i * numClasses + best]!) best = k;
    if (best === split.y[i]) correct++;
  }
  return n === 0 ? 0 : correct / n;
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
  const experiment = getExperiment(options.experiment);
  const method = getMethod(options.method ?? experiment.defaults.method, experiment);
  const seed = options.seed ?? 0;
  checkNumber('bbp run', '--seed', seed, { integer: true });
  const epochs = options.epochs ?? experiment.defaults.epochs;
  checkNumber('bbp run', '--epochs', epochs, { min: 1, integer: true });
  const learningRate = options.learningRate ?? experiment.defaults.learningRate ?? 0.01;
  checkNumber('bbp run', '--lr', learningRate, { min: 0, exclusiveMin: true });
  const optimizer = options.optimizer ?? experiment.defaults.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new InvalidArgumentError('bbp run', '--optimizer', "must be 'adam' or 'sgd'", optimizer);
  if (!options.keepBackend) await initBackend({ log: false });
  const data = await experiment.load(seed);
  const numClasses = data.numClasses ?? 2;
  const nTrain = data.train.xShape[0]!;
  const batchSize = Math.min(options.batchSize ?? experiment.defaults.batchSize ?? nTrain, nTrain);
  checkNumber('bbp run', '--batch-size', batchSize, { min: 1, integer: true });
  const evalEvery = options.evalEvery ?? (nTrain + data.test.xShape[0]! <= 10_000 ? 1 : Math.max(1, Math.ceil(epochs / 100)));
  checkNumber('bbp run', '--eval-every', evalEvery, { min: 1, integer: true });
  const backend = tf.getBackend();
  options.onStart?.({ experiment: experiment.name, method: method.name, epochs, backend });

  const run = await method.create({ experiment, data, seed, epochs, batchSize, learningRate, optimizer, options: options.methodOptions ?? {} });
  const history: HistoryEntry[] = [];
  const started = performance.now();
  let fitHistory;
  try {
    fitHistory = await run.fit(
      {
        onEpochEnd: (epoch, logs) => {
          const entry: HistoryEntry = { epoch, loss: logs.loss };
          if ((epoch + 1) % evalEvery === 0 || epoch === epochs - 1) {
            entry.trainAccuracy = splitAccuracy(run, data.train, numClasses);
            entry.testAccuracy = splitAccuracy(run, data.test, numClasses);
          }
          history.push(entry);
          options.onEpoch?.(epoch, { loss: logs.loss, trainAccuracy: entry.trainAccuracy, testAccuracy: entry.testAccuracy });
        },
      },
      options.signal,
    );
  } catch (error) {
    run.dispose();
    throw error;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const result: RunResult = {
    experiment: experiment.name,
    method: method.name,
    seed,
    epochs: history.length,
    backend,
    trainAccuracy: splitAccuracy(run, data.train, numClasses),
    testAccuracy: splitAccuracy(run, data.test, numClasses),
    finalLoss: history.at(-1)?.loss ?? Number.NaN,
    msPerIteration: fitHistory.msPerIteration,
    iterations: fitHistory.iterations,
    wallSeconds,
    stopReason: fitHistory.stopReason,
    hyperparameters: { batchSize, learningRate, optimizer, ...(options.methodOptions ?? {}) },
    history,
  };
  return { result, run, data };
}
