/**
 * A split as a `tf.data.Dataset` of seeded minibatches, for `model.fitDataset` users.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';
import { EpochOrder, selectExamples } from './batching.js';
import { oneHotLabels } from './label-encoding.js';
import { checkSplit, numExamples, toTensors, type Split } from './split.js';

/** Options of {@link toTfDataset}. */
export interface TfDatasetOptions {
  /** Examples per batch (the last batch of a pass may be smaller). */
  batchSize: number;
  /** Reshuffle on every pass over the data set. Default `true`. */
  shuffle?: boolean;
  /** Seed of the order. Default 0. The k-th pass uses the k-th epoch order of `minibatchIndices` with this seed. */
  seed?: number;
  /**
   * Give `ys` as one-hot float32 rows over this many classes (for `categoricalCrossentropy`); labels of −1 become zero
   * rows. Default: labels as they are (int32 class ids or float32 targets).
   */
  oneHot?: number;
}

/**
 * A `tf.data.Dataset` of `{ xs, ys }` minibatches of a split, ready for `model.fitDataset`: `xs` float32
 * `[b, …xShape[1:]]`, `ys` int32 labels `[b, …yShape[1:]]`, float32 targets, or one-hot `[b, …, k]` with `oneHot`.
 * Batches are built lazily from the typed arrays (only one batch of tensors exists at a time; `fitDataset` disposes
 * them). Every pass over the data set (one per epoch in `fitDataset`) draws the next seeded order, the same sequence of
 * orders as {@link minibatchIndices} and `runFitLoop` for the same seed.
 *
 * @example
 * ```ts
 * const ds = toTfDataset(twoMoons().train, { batchSize: 32, seed: 1, oneHot: 2 });
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
 * await model.fitDataset(ds, { epochs: 20 });
 * ```
 */
export function toTfDataset(split: Split<Int32Array | Float32Array>, options: TfDatasetOptions): tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }> {
  const fn = 'toTfDataset';
  checkSplit(fn, 'split', split);
  const n = numExamples(split);
  if (n === 0) throw new InvalidArgumentError(fn, 'split', 'must hold at least one example', 0);
  checkNumber(fn, 'batchSize', options?.batchSize, { min: 1, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, 'seed', seed);
  const classes = options.oneHot;
  if (classes !== undefined) {
    checkNumber(fn, 'oneHot', classes, { min: 1, integer: true });
    if (!(split.y instanceof Int32Array)) throw new InvalidArgumentError(fn, 'oneHot', 'needs Int32Array class labels', 'float targets');
  }
  const batchSize = options.batchSize;
  const orders = new EpochOrder(n, seed, options.shuffle ?? true);
  return tf.data.generator(function* () {
    const order = orders.next().slice();
    for (let start = 0; start < n; start += batchSize) {
      const batch = selectExamples(split, order.subarray(start, Math.min(start + batchSize, n)));
      const ready = classes === undefined ? batch : oneHotLabels(batch as Split<Int32Array>, classes);
      const { x, y } = toTensors(ready);
      yield { xs: x, ys: y };
    }
  });
}
