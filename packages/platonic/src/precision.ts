/**
 * The three precision modes of a Platonic fit (§7.6.2 "Numerical stability") and the dense products each one uses.
 *
 * - `'float64'`: everything on the host in float64, **including the products** `Z̄·W` and `A·P`. A badly conditioned
 *   `W` has large entries that cancel inside `Z̄·W`; a float32 product destroys that cancellation, so a "float64"
 *   fit with float32 products is not float64.
 * - `'mixed'`: products in TensorFlow.js float32 (row chunks through the active backend, wasm: ~20 GFLOP/s), Gram
 *   blocks `AᵀB` accumulated over row chunks in float64, factorisations in float64. For MNIST-sized problems; use
 *   it with the ridge solver or a pinv cut-off.
 * - `'float32'`: factorisations in float32 too (host emulation, `Math.fround`). Only to reproduce the float32 columns
 *   of Table 7.1.
 */
import * as tf from '@tensorflow/tfjs';
import { gram, matMul, matmulF64, type Matrix } from '@beyond-backprop/core-linalg';
import { matmulF32 } from './float32-linalg.js';

/**
 * Precision mode of a Platonic fit (§7.6.2):
 *
 * - `'float64'`: everything on the host in float64, **including the products** `Z̄·W` and `A·P`: a badly
 *   conditioned `W` has large entries that cancel inside `Z̄·W`, which a float32 product destroys;
 * - `'mixed'`: products through TensorFlow.js in float32 (row chunks; Gram blocks accumulated in float64),
 *   factorisations in float64 — for MNIST-sized fits, with the ridge solver or a pinv `atol`;
 * - `'float32'`: factorisations in float32 too (host emulation), only to reproduce the float32 columns of the thesis'
 *   Table 7.1.
 *
 * @example
 * ```ts
 * await fitPlatonic(x, labels, { hiddenWidths: [392], solver: { kind: 'ridge', lambda: 5e4 }, precision: 'mixed' });
 * ```
 */
export type Precision = 'float64' | 'mixed' | 'float32';

/** @internal The dense products a fit needs, in one precision. */
export interface Arithmetic {
  readonly precision: Precision;
  /** `A·B`. */
  matmul(a: Matrix, b: Matrix): Matrix;
  /** `AᵀB` (Gram blocks; row-chunked with float64 accumulation in mixed mode). */
  crossProduct(a: Matrix, b: Matrix): Matrix;
  /** `AᵀA`. */
  gram(a: Matrix): Matrix;
  /** Rounds values in place to the precision the mode stores representations in. */
  round(values: Float64Array): void;
}

const float64: Arithmetic = {
  precision: 'float64',
  matmul: (a, b) => matmulF64(a, b),
  crossProduct: (a, b) => matmulF64(a, b, { transposeA: true }),
  gram: (a) => gram(a),
  round: () => {},
};

function roundInPlace(values: Float64Array): void {
  for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i]);
}

const float32: Arithmetic = {
  precision: 'float32',
  matmul: (a, b) => matmulF32(a, b),
  crossProduct: (a, b) => matmulF32(a, b, true),
  gram: (a) => matmulF32(a, a, true),
  round: roundInPlace,
};

/** Rows per TensorFlow.js chunk: about 4M float32 values per operand keeps wasm memory small. */
function chunkRows(cols: number): number {
  return Math.max(1, Math.floor(4_194_304 / Math.max(1, cols)));
}

function rowsOf(a: Matrix, start: number, end: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(a.data.subarray(start * a.cols, end * a.cols)), [end - start, a.cols], 'float32');
}

/** Reads a tensor back and disposes it (returning typed arrays from `tf.tidy` makes it walk every element). */
function download(t: tf.Tensor): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}

const mixed: Arithmetic = {
  precision: 'mixed',
  matmul(a, b) {
    const out = new Float64Array(a.rows * b.cols);
    if (a.rows === 0 || b.cols === 0) return { rows: a.rows, cols: b.cols, data: out };
    const bt = tf.tensor2d(Float32Array.from(b.data), [b.rows, b.cols], 'float32');
    try {
      const step = chunkRows(Math.max(a.cols, b.cols));
      for (let start = 0; start < a.rows; start += step) {
        const end = Math.min(a.rows, start + step);
        out.set(download(tf.tidy(() => matMul(rowsOf(a, start, end), bt))), start * b.cols);
      }
    } finally {
      bt.dispose();
    }
    return { rows: a.rows, cols: b.cols, data: out };
  },
  crossProduct(a, b) {
    const acc = new Float64Array(a.cols * b.cols);
    const step = chunkRows(Math.max(a.cols, b.cols));
    for (let start = 0; start < a.rows; start += step) {
      const end = Math.min(a.rows, start + step);
      // Each block in float32, the running sum over blocks in float64.
      const block = download(tf.tidy(() => matMul(rowsOf(a, start, end), rowsOf(b, start, end), true, false)));
      for (let i = 0; i < acc.length; i++) acc[i] += block[i];
    }
    return { rows: a.cols, cols: b.cols, data: acc };
  },
  gram(a) {
    return mixed.crossProduct(a, a);
  },
  round: roundInPlace,
};

/** @internal The products of a precision mode. */
export function arithmeticFor(precision: Precision): Arithmetic {
  return precision === 'float64' ? float64 : precision === 'mixed' ? mixed : float32;
}
