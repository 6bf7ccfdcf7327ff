/**
 * Seeded shuffling and batching of splits: permutations, minibatch iterators (with the same batch order as
 * `runFitLoop` of `@beyond-backprop/training` for the same seed), subsets and the fixed "realisation batch" X̄ of the
 * target-space method (Fairbank & Samothrakis §3, §5).
 */
import { InvalidArgumentError, checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import { checkSplit, numExamples, type Split } from './split.js';

/**
 * A seeded random permutation of `0 … n−1` (Fisher–Yates on xoshiro128**), identical on every platform.
 *
 * @example
 * ```ts
 * permutation(5, 1);   // the same Int32Array of 0…4 for seed 1, everywhere
 * ```
 */
export function permutation(n: number, seed = 0): Int32Array {
  checkNumber('permutation', 'n', n, { min: 0, integer: true });
  checkNumber('permutation', 'seed', seed);
  return Int32Array.from(createRng(seed).permutation(n));
}

/**
 * The examples `indices` of a split, in that order, as a new split (copies; the input is not changed).
 *
 * @example
 * ```ts
 * const firstTen = selectExamples(train, Int32Array.from({ length: 10 }, (_, i) => i));
 * ```
 */
export function selectExamples<Y extends Int32Array | Float32Array>(split: Split<Y>, indices: ArrayLike<number>): Split<Y> {
  const fn = 'selectExamples';
  checkSplit(fn, 'split', split);
  const n = numExamples(split);
  const xRow = n === 0 ? 0 : split.x.length / n;
  const yRow = n === 0 ? 0 : split.y.length / n;
  const x = new Float32Array(indices.length * xRow);
  const y = new (split.y.constructor as { new (length: number): Y })(indices.length * yRow);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new InvalidArgumentError(fn, `indices[${k}]`, `must be an integer in [0, ${n - 1}]`, i);
    x.set(split.x.subarray(i * xRow, (i + 1) * xRow), k * xRow);
    y.set(split.y.subarray(i * yRow, (i + 1) * yRow), k * yRow);
  }
  return { x, xShape: [indices.length, ...split.xShape.slice(1)], y, yShape: [indices.length, ...split.yShape.slice(1)] };
}

/**
 * The split with its examples in a seeded random order (a new split).
 *
 * @example
 * ```ts
 * const shuffled = shuffleSplit(twoSpirals().train, 7);
 * ```
 */
export function shuffleSplit<Y extends Int32Array | Float32Array>(split: Split<Y>, seed = 0): Split<Y> {
  checkSplit('shuffleSplit', 'split', split);
  return selectExamples(split, permutation(numExamples(split), seed));
}

/** Options of {@link minibatchIndices} and {@link minibatches}. */
export interface MinibatchOptions {
  /** Examples per batch (the last batch of an epoch may be smaller unless `dropRemainder`). */
  batchSize: number;
  /** Number of epochs to iterate. Default 1. */
  epochs?: number;
  /** Reshuffle every epoch. Default `true`. */
  shuffle?: boolean;
  /** Seed of the order. Default 0. */
  seed?: number;
  /** Skip the last, smaller batch of each epoch. Default `false`. */
  dropRemainder?: boolean;
}

/** One minibatch's position and example indices. */
export interface MinibatchIndices {
  epoch: number;
  /** Batch number within the epoch. */
  batch: number;
  /** Example indices (a fresh array the caller may keep). */
  indices: Int32Array;
}

/**
 * Epoch-by-epoch example orders, exactly as `runFitLoop` (`@beyond-backprop/training`) draws them for the same seed:
 * one generator `createRng(seed).fork('batches')`, and every epoch one more Fisher–Yates pass over the previous order.
 * @internal
 */
export class EpochOrder {
  private readonly order: Int32Array;
  private readonly rng: Rng;
  private readonly shuffle: boolean;
  constructor(n: number, seed: number, shuffle: boolean) {
    this.shuffle = shuffle;
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.rng = createRng(seed).fork('batches');
  }
  /** The order of the next epoch (a view that the next call overwrites). */
  next(): Int32Array {
    if (this.shuffle) {
      const o = this.order;
      for (let i = o.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        const t = o[i];
        o[i] = o[j];
        o[j] = t;
      }
    }
    return this.order;
  }
}

function checkMinibatchOptions(fn: string, n: number, options: MinibatchOptions): Required<MinibatchOptions> {
  checkNumber(fn, 'batchSize', options?.batchSize, { min: 1, integer: true });
  const resolved = { epochs: 1, shuffle: true, seed: 0, dropRemainder: false, ...options };
  checkNumber(fn, 'epochs', resolved.epochs, { min: 1, integer: true });
  checkNumber(fn, 'seed', resolved.seed);
  if (n === 0) throw new InvalidArgumentError(fn, 'split', 'must hold at least one example', 0);
  if (resolved.dropRemainder && resolved.batchSize > n) {
    throw new InvalidArgumentError(fn, 'batchSize', `must be ≤ the ${n} examples when dropRemainder is set`, resolved.batchSize);
  }
  return resolved;
}

/**
 * Seeded minibatch index arrays over `n` examples, epoch after epoch, in the order `runFitLoop` uses for the same
 * seed (so a hand-written loop and a trainer see the same batches).
 *
 * @example
 * ```ts
 * for (const { epoch, indices } of minibatchIndices(194, { batchSize: 32, epochs: 2, seed: 1 })) {
 *   // 7 batches per epoch: six of 32 and one of 2
 * }
 * ```
 */
export function* minibatchIndices(n: number, options: MinibatchOptions): Generator<MinibatchIndices> {
  const fn = 'minibatchIndices';
  checkNumber(fn, 'n', n, { min: 0, integer: true });
  const { batchSize, epochs, shuffle, seed, dropRemainder } = checkMinibatchOptions(fn, n, options);
  const orders = new EpochOrder(n, seed, shuffle);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = orders.next();
    let batch = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      if (dropRemainder && end - start < batchSize) break;
      yield { epoch, batch: batch++, indices: order.slice(start, end) };
    }
  }
}

/** A minibatch: its examples as a split, plus where it came from. */
export interface Minibatch<Y extends Int32Array | Float32Array> extends Split<Y>, MinibatchIndices {}

/**
 * Iterates seeded minibatches of a split as small splits (typed arrays, nothing to dispose). Convert one to tensors
 * inside your own `tf.tidy` with {@link toTensors}.
 *
 * @example
 * ```ts
 * for (const batch of minibatches(train, { batchSize: 100, epochs: 10, seed: 3 })) {
 *   const loss = tf.tidy(() => { const { x, y } = toTensors(batch); return step(x, y); });
 * }
 * ```
 */
export function* minibatches<Y extends Int32Array | Float32Array>(split: Split<Y>, options: MinibatchOptions): Generator<Minibatch<Y>> {
  checkSplit('minibatches', 'split', split);
  checkMinibatchOptions('minibatches', numExamples(split), options);
  for (const b of minibatchIndices(numExamples(split), options)) yield { ...selectExamples(split, b.indices), ...b };
}

/**
 * A fixed "realisation batch" X̄: `size` examples chosen once and reused every iteration, beside the random
 * minibatches (target-space method, Fairbank & Samothrakis §3 and §5). `'first'` takes the first
 * `size` examples (the authors' code for the CNNs: the first 100 training images); `{ seed }` draws `size` distinct
 * examples at random and keeps them in data order.
 *
 * Returns a split with `size` rows.
 *
 * @example
 * ```ts
 * const xBar = realisationBatch(train, 100);                // the first 100 examples
 * const other = realisationBatch(train, 100, { seed: 5 });   // 100 random ones, fixed for seed 5
 * ```
 */
export function realisationBatch<Y extends Int32Array | Float32Array>(
  split: Split<Y>,
  size: number,
  selection: 'first' | { seed: number } = 'first',
): Split<Y> {
  const fn = 'realisationBatch';
  checkSplit(fn, 'split', split);
  const n = numExamples(split);
  checkNumber(fn, 'size', size, { min: 1, max: n, integer: true });
  if (selection === 'first')
    return selectExamples(
      split,
      Int32Array.from({ length: size }, (_, i) => i),
    );
  if (typeof selection !== 'object' || selection === null) throw new InvalidArgumentError(fn, 'selection', "must be 'first' or { seed }", selection);
  checkNumber(fn, 'selection.seed', selection.seed);
  const chosen = createRng(selection.seed)
    .fork('realisation')
    .permutation(n)
    .slice(0, size)
    .sort((a, b) => a - b);
  return selectExamples(split, chosen);
}
