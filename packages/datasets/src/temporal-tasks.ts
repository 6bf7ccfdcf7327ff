/**
 * The long-range temporal tasks of Manchev & Garcia-Peraza-Herrera, "Can Local Representation Alignment RNNs Solve
 * Temporal Tasks?", §IV, after Hochreiter & Schmidhuber (1997). The paper gives no generator; every
 * detail below (symbol channels, position ranges, class coding) follows the authors' code
 * (`github.com/nmanchev/lra-rnn`, which imports R. Pascanu's `tempOrder.py`, `tempOrder3bit.py`, `permutation.py`,
 * `addition.py`). Ranges use the code's `int(T·0.1)`, written `⌊0.1T⌋` here.
 */
import { InvalidArgumentError, checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** The temporal tasks of {@link temporalTaskBatch}. */
export type TemporalTask = 'temporal-order' | 'temporal-order-3bit' | 'random-permutation' | 'adding';

/** Options of the temporal-task data sets ({@link temporalOrder}, {@link temporalOrder3Bit}, {@link randomPermutation}, {@link addingProblem}). */
export interface TemporalTaskOptions {
  /** Sequence length T (≥ 10, as the authors' code requires). Default 10. */
  length?: number;
  /** Training sequences. Default 10000. (The paper draws a fresh batch of 20 every iteration; see {@link temporalTaskBatch}.) */
  trainSize?: number;
  /** Validation/test sequences, generated once. Default 10000 (the paper's validation set). */
  testSize?: number;
  /** Seed. Default 0. */
  seed?: number;
}

/** Inputs per step and classes (or regression outputs) of each task. */
const TASKS: Record<TemporalTask, { features: number; classes: number; title: string }> = {
  'temporal-order': { features: 6, classes: 4, title: 'temporal order' },
  'temporal-order-3bit': { features: 6, classes: 8, title: '3-bit temporal order' },
  'random-permutation': { features: 100, classes: 100, title: 'random permutation' },
  adding: { features: 2, classes: 1, title: 'adding problem' },
};

const SOURCE = 'Manchev & Garcia-Peraza-Herrera, Can LRA RNNs Solve Temporal Tasks?, §IV; generators from the authors\u2019 code (Pascanu)';

/** `int(T·f)` as the authors' Python code computes it (same IEEE double product, then truncation). */
const span = (length: number, fraction: number): number => Math.trunc(length * fraction);

/**
 * One batch of a temporal task: `size` sequences of length `length` from the seed, as a split (batch-first).
 * The paper trains on a fresh random batch of 20 every iteration ([C3]); call this with a new seed per iteration
 * (e.g. `seed + iteration`) to do the same.
 *
 * Shapes: `x: [size, length, features]` (6 one-hot symbols for the temporal-order tasks, 100 for random
 * permutation, 2 for adding), `y: [size]` class labels for the classification tasks, `y: [size, 1]` float targets
 * for adding. Only the last step is scored.
 *
 * @example
 * ```ts
 * const batch = temporalTaskBatch('temporal-order', { size: 20, length: 20, seed: 17 });
 * batch.xShape;   // [20, 20, 6]
 * ```
 */
export function temporalTaskBatch(task: TemporalTask, options: { size: number; length: number; seed?: number }): Split<Int32Array | Float32Array> {
  const fn = 'temporalTaskBatch';
  if (!(task in TASKS)) throw new InvalidArgumentError(fn, 'task', `must be one of ${Object.keys(TASKS).join(', ')}`, task);
  checkNumber(fn, 'size', options?.size, { min: 1, integer: true });
  checkNumber(fn, 'length', options.length, { min: 10, integer: true });
  checkNumber(fn, 'seed', options.seed ?? 0);
  return generate(task, options.size, options.length, createRng(options.seed ?? 0));
}

function generate(task: TemporalTask, n: number, length: number, rng: Rng): Split<Int32Array | Float32Array> {
  const p = TASKS[task].features;
  const x = new Float32Array(n * length * p);
  if (task === 'adding') {
    const y = new Float32Array(n);
    const tenth = span(length, 0.1);
    const forty = span(length, 0.4);
    for (let e = 0; e < n; e++) {
      const base = e * length * p;
      // Channel 0: marker, channel 1: value ~ U[0, 1) stored as float32 (as the code's astype(float32)).
      for (let t = 0; t < length; t++) x[base + t * p + 1] = rng.uniform();
      const p0 = rng.int(tenth);
      const p1 = tenth + rng.int(forty);
      x[base + p0 * p] = 1;
      x[base + p1 * p] = 1;
      y[e] = Math.fround(x[base + p0 * p + 1] + x[base + p1 * p + 1]) / 2;
    }
    return { x, xShape: [n, length, p], y, yShape: [n, 1] };
  }
  const y = new Int32Array(n);
  const symbols = new Int32Array(length);
  for (let e = 0; e < n; e++) {
    if (task === 'random-permutation') {
      const v = rng.int(2);
      symbols[0] = v;
      for (let t = 1; t < length; t++) symbols[t] = 2 + rng.int(98);
      y[e] = v;
    } else {
      // Distractors c, d, e, f are channels 2–5; A and B (channels 0, 1) appear only at the relevant positions.
      for (let t = 0; t < length; t++) symbols[t] = 2 + rng.int(4);
      const tenth = span(length, 0.1);
      const starts = task === 'temporal-order' ? [tenth, span(length, 0.5)] : [tenth, span(length, 0.3), span(length, 0.6)];
      let label = 0;
      starts.forEach((start, k) => {
        const v = rng.int(2);
        symbols[start + rng.int(tenth)] = v;
        label += v << k;
      });
      y[e] = label;
    }
    const base = e * length * p;
    for (let t = 0; t < length; t++) x[base + t * p + symbols[t]] = 1;
  }
  return { x, xShape: [n, length, p], y, yShape: [n] };
}

function temporalDataset(fn: string, task: TemporalTask, options: TemporalTaskOptions): Dataset<Int32Array | Float32Array> {
  const length = options.length ?? 10;
  const trainSize = options.trainSize ?? 10000;
  const testSize = options.testSize ?? 10000;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'length', length, { min: 10, integer: true });
  checkNumber(fn, 'trainSize', trainSize, { min: 1, integer: true });
  checkNumber(fn, 'testSize', testSize, { min: 1, integer: true });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const train = generate(task, trainSize, length, rng.fork('train'));
  const test = generate(task, testSize, length, rng.fork('test'));
  const classes = TASKS[task].classes;
  return { name: `${task}-${length}`, train, test, ...(task === 'adding' ? {} : { numClasses: classes }), source: SOURCE };
}

/**
 * Temporal order (P3 §IV; [C3] `tempOrder.py`): every step shows one of six symbols, one-hot; channels 0, 1 are A, B
 * and channels 2–5 the distractors c, d, e, f. Every position holds a uniform random distractor except
 * `p0 ∈ [⌊0.1T⌋, 2⌊0.1T⌋−1]` and `p1 ∈ [⌊0.5T⌋, ⌊0.5T⌋+⌊0.1T⌋−1]` (uniform), which hold `v0, v1 ∈ {A, B}`. The label,
 * read at the last step, is `v0 + 2·v1` (AA = 0, BA = 1, AB = 2, BB = 3). At T = 10 the positions are fixed (1 and 5).
 *
 * `x: [n, T, 6]`, `y: [n]` (labels 0–3).
 *
 * @example
 * ```ts
 * const { train, test } = temporalOrder({ length: 20, seed: 1 });   // 10000 + 10000 sequences
 * ```
 */
export function temporalOrder(options: TemporalTaskOptions = {}): Dataset<Int32Array> {
  return temporalDataset('temporalOrder', 'temporal-order', options) as Dataset<Int32Array>;
}

/**
 * 3-bit temporal order (P3 §IV; [C3] `tempOrder3bit.py`): as {@link temporalOrder} with three relevant positions
 * `p0 ∈ [⌊0.1T⌋, 2⌊0.1T⌋−1]`, `p1 ∈ [⌊0.3T⌋, ⌊0.3T⌋+⌊0.1T⌋−1]`, `p2 ∈ [⌊0.6T⌋, ⌊0.6T⌋+⌊0.1T⌋−1]`; label
 * `v0 + 2v1 + 4v2` (8 classes). At T = 10 the positions are fixed (1, 3, 6).
 *
 * `x: [n, T, 6]`, `y: [n]` (labels 0–7).
 *
 * @example
 * ```ts
 * const { train } = temporalOrder3Bit({ length: 10, trainSize: 1000 });
 * ```
 */
export function temporalOrder3Bit(options: TemporalTaskOptions = {}): Dataset<Int32Array> {
  return temporalDataset('temporalOrder3Bit', 'temporal-order-3bit', options) as Dataset<Int32Array>;
}

/**
 * Random permutation (P3 §IV; [C3] `permutation.py`): 100 one-hot symbols; the first symbol is `v ∈ {0, 1}`, the other
 * T−1 are uniform in `{2, …, 99}`; the label at the last step is `v`. As in the code the output has 100 classes
 * (`numClasses = 100`), of which only 0 and 1 occur, so chance is 50 %.
 *
 * `x: [n, T, 100]` (4·100·T bytes per sequence), `y: [n]` (labels 0/1).
 *
 * @example
 * ```ts
 * const { train } = randomPermutation({ length: 10, trainSize: 2000 });
 * ```
 */
export function randomPermutation(options: TemporalTaskOptions = {}): Dataset<Int32Array> {
  return temporalDataset('randomPermutation', 'random-permutation', options) as Dataset<Int32Array>;
}

/**
 * The adding problem ([C3] `addition.py` in the LRA-RNN code, after Hochreiter & Schmidhuber 1997; the P3 paper's
 * tables do not use it). Two channels per step: channel 1 holds a value `~ U[0, 1)` at every step, channel 0 marks two
 * positions `p0 ∈ [0, ⌊0.1T⌋−1]` and `p1 ∈ [⌊0.1T⌋, ⌊0.1T⌋+⌊0.4T⌋−1]`; the regression target at the last step is the
 * mean of the two marked values. The authors' code counts a sequence as wrong when its squared error exceeds 0.04.
 * (Pascanu's original draws one length in `[T, 1.1T)` per batch; the LRA-RNN copy, followed here, uses exactly T.)
 *
 * `x: [n, T, 2]`, `y: [n, 1]` (float32 targets in [0, 1)).
 *
 * @example
 * ```ts
 * const { train } = addingProblem({ length: 20, trainSize: 1000, seed: 4 });
 * ```
 */
export function addingProblem(options: TemporalTaskOptions = {}): Dataset<Float32Array> {
  return temporalDataset('addingProblem', 'adding', options) as Dataset<Float32Array>;
}
