/**
 * Accepting matrices the way users hold them: a `tf.Tensor2D`, a float64 `Matrix`, or a flat typed array with a known
 * column count.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, checkFiniteValues, checkTensor, type Matrix } from '@beyond-backprop/core-linalg';

/**
 * A matrix as a tensor, a `Matrix`, row-major values (their column count is known from context), or rows of numbers.
 * Everything but a tensor keeps float64 values unrounded.
 */
export type MatrixInput = tf.Tensor2D | Matrix | Float32Array | Float64Array | number[][];

/** Converts to a float64 {@link Matrix} with `cols` columns, rejecting wrong shapes and non-finite values by name. */
export function toMatrixInput(fn: string, argument: string, input: MatrixInput, cols: number): Matrix {
  let m: Matrix;
  if (input instanceof tf.Tensor) {
    checkTensor(fn, argument, input, { shape: [null, cols], dtype: 'float32' });
    m = { rows: input.shape[0], cols, data: Float64Array.from(input.dataSync()) };
  } else if (input instanceof Float32Array || input instanceof Float64Array) {
    if (input.length === 0 || input.length % cols !== 0)
      throw new ShapeError(fn, argument, ['n', cols], [input.length], `a flat array needs a multiple of ${cols} values`);
    m = { rows: input.length / cols, cols, data: Float64Array.from(input) };
  } else if (Array.isArray(input)) {
    if (input.some((row) => !Array.isArray(row) || row.length !== cols)) {
      const bad = input.findIndex((row) => !Array.isArray(row) || row.length !== cols);
      throw new ShapeError(
        fn,
        argument,
        ['n', cols],
        [input.length, Array.isArray(input[bad]) ? input[bad].length : -1],
        `row ${bad} must be an array of ${cols} numbers`,
      );
    }
    m = { rows: input.length, cols, data: Float64Array.from(input.flat()) };
  } else if (input && typeof input === 'object' && 'data' in input && 'rows' in input) {
    if (input.cols !== cols || input.data.length !== input.rows * input.cols) throw new ShapeError(fn, argument, ['n', cols], [input.rows, input.cols]);
    m = { rows: input.rows, cols, data: Float64Array.from(input.data) };
  } else {
    throw new InvalidArgumentError(fn, argument, 'must be a tf.Tensor2D, a Matrix, a Float32Array/Float64Array or number[][]', input);
  }
  if (m.rows === 0) throw new InvalidArgumentError(fn, argument, 'must contain at least one row', 'an empty matrix');
  checkFiniteValues(fn, argument, m.data, [m.rows, m.cols]);
  return m;
}
