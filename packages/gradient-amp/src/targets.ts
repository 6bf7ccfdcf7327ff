/**
 * Target encoding (the thesis' "Tval" `{t_neg, t_pos}`), the row mask of unscored labels, and the reshaping of
 * per-pixel logits for segmentation.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, checkNumber, checkTensor } from '@beyond-backprop/core-linalg';
import type { TargetFormat, TargetValues } from './head-options.js';

/** Class labels as accepted by the losses: an int32 tensor `[n]` or an `Int32Array` / array of integers. */
export type Labels = tf.Tensor | Int32Array | readonly number[];

/**
 * The thesis' targets `T: [n, k]`: `pos` at each row's label, `neg` elsewhere (thesis §4.5, "Tval"). A label of `-1`
 * marks a row that is not scored; its row is all `neg` (the losses give it weight 0).
 *
 * @example
 * ```ts
 * encodeTargets(Int32Array.from([1, 0]), 3, { neg: 0, pos: 16 });   // [[0, 16, 0], [16, 0, 0]]
 * ```
 */
export function encodeTargets(labels: Labels, numClasses: number, targets: TargetValues = { neg: 0, pos: 1 }): tf.Tensor2D {
  const fn = 'encodeTargets';
  checkNumber(fn, 'numClasses', numClasses, { min: 1, integer: true });
  checkNumber(fn, 'targets.neg', targets?.neg);
  checkNumber(fn, 'targets.pos', targets?.pos);
  const values = labelValues(fn, 'labels', labels, numClasses);
  return tf.tidy(() => encode(tf.tensor1d(values, 'int32'), numClasses, targets)) as tf.Tensor2D;
}

/** Checked label values; throws naming the first label outside `[-1, numClasses − 1]`. */
export function labelValues(fn: string, argument: string, labels: Labels, numClasses: number, expectedLength?: number): Int32Array {
  let values: Int32Array;
  if (labels instanceof tf.Tensor) {
    checkTensor(fn, argument, labels, { rank: 1, dtype: 'int32' });
    values = labels.dataSync() as Int32Array;
  } else if (labels instanceof Int32Array) {
    values = labels;
  } else if (Array.isArray(labels)) {
    values = Int32Array.from(labels as number[]);
    (labels as number[]).forEach((l, i) => {
      if (!Number.isInteger(l)) throw new InvalidArgumentError(fn, `${argument}[${i}]`, 'must be an integer class index', l);
    });
  } else {
    throw new InvalidArgumentError(fn, argument, 'must be an int32 tensor, an Int32Array or an array of class indices', labels);
  }
  if (expectedLength !== undefined && values.length !== expectedLength) {
    throw new ShapeError(fn, argument, [`n = ${expectedLength}`], [values.length], 'one label per row of the logits');
  }
  for (let i = 0; i < values.length; i++) {
    const l = values[i];
    if (l < -1 || l >= numClasses) throw new InvalidArgumentError(fn, `${argument}[${i}]`, `must lie in [0, ${numClasses - 1}] (or be -1 for "not scored")`, l);
  }
  return values;
}

function encode(labels: tf.Tensor1D, numClasses: number, targets: TargetValues): tf.Tensor2D {
  // tf.oneHot gives an all-zero row for the label -1.
  const hot = tf.oneHot(labels, numClasses).toFloat();
  return tf.add(targets.neg, tf.mul(targets.pos - targets.neg, hot)) as tf.Tensor2D;
}

/** The targets and row weights a loss works with (internal). */
export interface PreparedTargets {
  /** `T: [n, k]`. */
  t: tf.Tensor2D;
  /** Row weights `[n]`, or `null` when every row counts with weight 1. */
  w: tf.Tensor1D | null;
}

/**
 * Turns whatever the caller passed as `y` (labels, one-hot rows or raw targets) into `T` and row weights, checking
 * shapes against the logits. Must run inside a `tf.tidy`.
 */
export function prepareTargets(
  fn: string,
  y: unknown,
  n: number,
  k: number,
  targets: TargetValues,
  yFormat: TargetFormat,
  weights: tf.Tensor | Float32Array | undefined,
  checkLabels: boolean,
): PreparedTargets {
  let t: tf.Tensor2D;
  let mask: tf.Tensor1D | null = null;
  if (y instanceof Int32Array || Array.isArray(y) || (y instanceof tf.Tensor && y.dtype === 'int32')) {
    let labels: tf.Tensor1D;
    if (y instanceof tf.Tensor && !checkLabels) {
      checkTensor(fn, 'y', y, { shape: [n] });
      labels = y as tf.Tensor1D;
    } else {
      labels = tf.tensor1d(labelValues(fn, 'y', y as Labels, k, n), 'int32');
    }
    t = encode(labels, k, targets);
    mask = tf.greaterEqual(labels, 0).toFloat() as tf.Tensor1D;
  } else if (y instanceof tf.Tensor) {
    checkTensor(fn, 'y', y, { shape: [n, k], dtype: 'float32' });
    if (yFormat === 'one-hot') {
      t = tf.add(targets.neg, tf.mul(targets.pos - targets.neg, y)) as tf.Tensor2D;
      // An all-zero indicator row is how tfjs code marks an example that is not scored.
      mask = tf.greater(tf.sum(y, 1), 0).toFloat() as tf.Tensor1D;
    } else if (yFormat === 'targets') {
      t = y as tf.Tensor2D;
    } else {
      throw new InvalidArgumentError(fn, 'options.yFormat', "must be 'one-hot' or 'targets'", yFormat);
    }
  } else {
    throw new InvalidArgumentError(fn, 'y', 'must be int32 labels [n] or a float32 tensor [n, k]', y);
  }
  if (weights === undefined) return { t, w: mask };
  let wt: tf.Tensor1D;
  if (weights instanceof Float32Array) {
    if (weights.length !== n) throw new ShapeError(fn, 'options.weights', [`n = ${n}`], [weights.length], 'one weight per row');
    wt = tf.tensor1d(weights);
  } else {
    checkTensor(fn, 'options.weights', weights, { shape: [n], dtype: 'float32' });
    wt = weights as tf.Tensor1D;
  }
  return { t, w: mask ? (tf.mul(mask, wt) as tf.Tensor1D) : wt };
}

/**
 * Reshapes per-pixel segmentation logits `[n, h, w, k]` and labels `[n, h, w]` to rows `[n·h·w, k]` and `[n·h·w]`,
 * mapping `ignoreLabel` (PASCAL VOC's 255) to `-1`, which every loss in this package leaves unscored.
 *
 * @example
 * ```ts
 * const { logits, labels } = flattenPixels(net.predict(images) as tf.Tensor4D, masks);
 * const loss = expGA().loss(labels, logits);
 * ```
 */
export function flattenPixels(logits: tf.Tensor, labels: tf.Tensor, ignoreLabel = 255): { logits: tf.Tensor2D; labels: tf.Tensor1D } {
  const fn = 'flattenPixels';
  const dims = {};
  checkTensor(fn, 'logits', logits, { shape: ['n', 'h', 'w', 'k'], dtype: 'float32' }, dims);
  checkTensor(fn, 'labels', labels, { shape: ['n', 'h', 'w'], dtype: 'int32' }, dims);
  checkNumber(fn, 'ignoreLabel', ignoreLabel, { integer: true });
  const k = logits.shape[3]!;
  return tf.tidy(() => {
    const flat = tf.reshape(labels, [-1]);
    return {
      logits: tf.reshape(logits, [-1, k]) as tf.Tensor2D,
      labels: tf.where(tf.equal(flat, ignoreLabel), tf.fill([flat.size], -1, 'int32'), flat) as tf.Tensor1D,
    };
  });
}
