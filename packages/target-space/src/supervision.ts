/**
 * What a network is trained to match: class labels (cross-entropy, −1 = not scored) or float targets (squared
 * error), as read from tensors, gathered into minibatches and scored.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkTensor, type DimBindings, type Matrix } from '@beyond-backprop/core-linalg';

/** Supervision of a batch: labels for cross-entropy or values for squared error. */
export type Labels = { kind: 'classes'; labels: Int32Array; classes: number } | { kind: 'values'; values: Float32Array; width: number };

/**
 * Reads `y` as int32 class labels `[n]` (each below `outputs`, or −1 to skip) or float targets `[n, outputs]`,
 * binding `n` in `dims`.
 */
export function readLabels(fn: string, y: tf.Tensor, outputs: number, dims: DimBindings): Labels {
  if (y.dtype === 'int32') {
    checkTensor(fn, 'y', y, { shape: ['n'] }, dims);
    const labels = Int32Array.from(y.dataSync() as Int32Array);
    labels.forEach((l, i) => {
      if (l >= outputs || l < -1) throw new InvalidArgumentError(fn, `y[${i}]`, `must be a class index in [0, ${outputs - 1}] (or −1 to skip)`, l);
    });
    return { kind: 'classes', labels, classes: outputs };
  }
  checkTensor(fn, 'y', y, { shape: ['n', outputs], dtype: 'float32', finite: true }, dims);
  return { kind: 'values', values: Float32Array.from(y.dataSync()), width: outputs };
}

/** Rows `indices` of a matrix. */
export function gatherRows(m: Matrix, indices: Int32Array): Matrix {
  const out = new Float64Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) out.set(m.data.subarray(indices[i] * m.cols, (indices[i] + 1) * m.cols), i * m.cols);
  return { rows: indices.length, cols: m.cols, data: out };
}

/** The supervision of rows `indices`. */
export function gatherTargets(labels: Labels, indices: Int32Array): Labels {
  if (labels.kind === 'classes') return { ...labels, labels: Int32Array.from(indices, (i) => labels.labels[i]) };
  const w = labels.width;
  const values = new Float32Array(indices.length * w);
  for (let i = 0; i < indices.length; i++) values.set(labels.values.subarray(indices[i] * w, (indices[i] + 1) * w), i * w);
  return { kind: 'values', values, width: w };
}

/** Fraction of scored rows (label ≥ 0) whose arg-max score is the label. `scores` is row-major `[n, classes]`. */
export function scoredAccuracy(scores: ArrayLike<number>, labels: Int32Array, classes: number): number {
  let correct = 0;
  let scored = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) continue;
    scored++;
    let best = 0;
    for (let k = 1; k < classes; k++) if (scores[i * classes + k] > scores[i * classes + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return scored === 0 ? 0 : correct / scored;
}
