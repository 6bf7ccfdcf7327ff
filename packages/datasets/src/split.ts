/**
 * The shape every data set in this package comes in: plain typed arrays, one row per example, identical in Node.js
 * and browsers and free of tensors that would need disposing.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@beyond-backprop/core-linalg';

/**
 * One split (train or test) of a data set.
 *
 * Layouts: `x: [n, features]` for vectors, `[n, H, W, C]` (NHWC) for images, `[n, time, features]` for sequences.
 * `y`: class labels `Int32Array [n]`, or `[n, time]` for per-step labels, where **−1 marks a position that is not
 * scored** (e.g. the first N outputs of a delayed-memory stream); regression targets `Float32Array [n]` or `[n, k]`.
 */
export interface Split<Y extends Int32Array | Float32Array = Int32Array> {
  /** Inputs, row-major; the first dimension of `xShape` is the number of examples. */
  x: Float32Array;
  /** Shape of `x`, e.g. `[194, 2]`, or `[n, time, features]` for sequences. */
  xShape: number[];
  /** Class labels (`Int32Array`) or regression targets (`Float32Array`), row-major. */
  y: Y;
  /** Shape of `y`, e.g. `[194]`, or `[n, time]` for per-step labels. */
  yShape: number[];
}

/** A data set: train and test splits plus what a model needs to know about it. */
export interface Dataset<Y extends Int32Array | Float32Array = Int32Array> {
  /** Short identifier, e.g. `'two-spirals'`. */
  name: string;
  train: Split<Y>;
  test: Split<Y>;
  /** Number of classes for classification sets. */
  numClasses?: number;
  /** Class names by label, where the data set has them (e.g. CIFAR-10's `'airplane'`, …). */
  classNames?: string[];
  /** Where the definition comes from (paper and section). */
  source: string;
}

/** Number of examples in a split. */
export function numExamples(split: Split<Int32Array | Float32Array>): number {
  return split.xShape[0] ?? 0;
}

/**
 * Converts a split to tensors: `x` as float32 with `xShape`, `y` as int32 labels or float32 targets with `yShape`.
 * The caller owns (and disposes) the result.
 *
 * @example
 * ```ts
 * const { x, y } = toTensors(twoSpirals().train);   // x: [194, 2], y: [194] int32
 * ```
 */
export function toTensors<Y extends Int32Array | Float32Array>(split: Split<Y>): { x: tf.Tensor; y: tf.Tensor } {
  checkSplit('toTensors', 'split', split);
  const x = tf.tensor(split.x, split.xShape, 'float32');
  const y = tf.tensor(split.y, split.yShape, split.y instanceof Int32Array ? 'int32' : 'float32');
  return { x, y };
}

/**
 * One-hot float32 tensor `[n, numClasses]` from integer labels.
 *
 * @example
 * ```ts
 * oneHot(Int32Array.from([0, 2]), 3);   // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function oneHot(labels: Int32Array, numClasses: number): tf.Tensor2D {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new InvalidArgumentError('oneHot', 'numClasses', 'must be a positive integer', numClasses);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l < 0 || l >= numClasses) throw new InvalidArgumentError('oneHot', `labels[${i}]`, `must lie in [0, ${numClasses - 1}]`, l);
  }
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat()) as tf.Tensor2D;
}

/** Throws a typed error unless the split's arrays match their shapes and agree on the number of examples. */
export function checkSplit(fn: string, argument: string, split: Split<Int32Array | Float32Array>): void {
  if (!split || !(split.x instanceof Float32Array)) throw new InvalidArgumentError(fn, `${argument}.x`, 'must be a Float32Array', split?.x);
  const xSize = split.xShape.reduce((p, d) => p * d, 1);
  if (xSize !== split.x.length) throw new ShapeError(fn, `${argument}.x`, split.xShape, [split.x.length], 'length does not match xShape');
  const ySize = split.yShape.reduce((p, d) => p * d, 1);
  if (ySize !== split.y.length) throw new ShapeError(fn, `${argument}.y`, split.yShape, [split.y.length], 'length does not match yShape');
  if (split.yShape[0] !== split.xShape[0]) {
    throw new ShapeError(fn, `${argument}.y`, [split.xShape[0], ...split.yShape.slice(1)], split.yShape, 'one label row per example of x');
  }
}
