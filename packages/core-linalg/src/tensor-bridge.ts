/**
 * Conversion between TensorFlow.js tensors (float32, batch-first) and float64 {@link Matrix} values.
 */
import * as tf from '@tensorflow/tfjs';
import { checkFiniteValues, checkTensor } from './tensor-checks.js';
import type { Matrix } from './matrix.js';

/**
 * Downloads a rank-2 tensor into a float64 {@link Matrix} (synchronous read-back). With `finite` (default true) a NaN
 * or ±Infinity throws `NonFiniteError` naming `argument`.
 *
 * @example
 * ```ts
 * const m = toMatrix(tf.tensor2d([[1, 2], [3, 4]]));   // { rows: 2, cols: 2, data: Float64Array [1, 2, 3, 4] }
 * ```
 */
export function toMatrix(t: tf.Tensor, options: { fn?: string; argument?: string; finite?: boolean } = {}): Matrix {
  const fn = options.fn ?? 'toMatrix';
  const argument = options.argument ?? 't';
  checkTensor(fn, argument, t, { rank: 2 });
  const values = t.dataSync();
  if (options.finite ?? true) checkFiniteValues(fn, argument, values, t.shape);
  return { rows: t.shape[0]!, cols: t.shape[1]!, data: Float64Array.from(values) };
}

/**
 * Uploads a float64 {@link Matrix} as a float32 `tf.Tensor2D` (values rounded to float32).
 *
 * @example
 * ```ts
 * const t = fromMatrix(identity(3));
 * ```
 */
export function fromMatrix(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], 'float32');
}

/**
 * Runs `f` inside `tf.tidy`, reads the resulting tensor's values and frees it. Use it instead of returning
 * `t.dataSync()` from `tf.tidy`, which walks every element of a returned typed array looking for tensors (1 s for a
 * million floats).
 *
 * @example
 * ```ts
 * const classes = readValues(() => tf.argMax(model.predict(x) as tf.Tensor, 1)) as Int32Array;
 * ```
 */
export function readValues(f: () => tf.Tensor): tf.backend_util.TypedArray {
  const t = tf.tidy(f);
  try {
    return t.dataSync() as tf.backend_util.TypedArray;
  } finally {
    t.dispose();
  }
}

/**
 * A trainable `tf.Variable` holding a float64 {@link Matrix} rounded to float32. Unlike
 * `tf.variable(tf.tensor2d(…))`, it leaves no stray initial-value tensor behind.
 *
 * @example
 * ```ts
 * const w = matrixVariable(identity(3), 'w0');
 * ```
 */
export function matrixVariable(m: Matrix, name?: string, trainable = true): tf.Variable<tf.Rank.R2> {
  const initial = fromMatrix(m);
  try {
    return tf.variable(initial, trainable, name);
  } finally {
    initial.dispose();
  }
}
