/**
 * Sequence data for the recurrent networks: float sequences or token ids read from tensors, minibatches of them as
 * per-step input matrices, and per-step labels in the time-major row order of the stacked logits.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkTensor, type DimBindings } from '@beyond-backprop/core-linalg';
import { runFitLoop, tracksAccuracy, type FitOptions, type History, type StateSnapshots } from '@beyond-backprop/training';
import type { Ops } from './tensor-ops.js';

/** Sequences as read from `x`: floats `[n, time, d]` or int32 token ids `[n, time]`. */
export type Sequences = { kind: 'float'; data: Float64Array; n: number; time: number } | { kind: 'tokens'; data: Int32Array; n: number; time: number };

/**
 * Reads `x` as token ids `[n, time]` (when the network has an embedding of `vocabulary` rows) or float sequences
 * `[n, time, inputSize]`, binding `n` and `time` in `dims`.
 */
export function readSequences(fn: string, inputSize: number, vocabulary: number | null, x: tf.Tensor, dims: DimBindings): Sequences {
  if (vocabulary !== null) {
    checkTensor(fn, 'x', x, { shape: ['n', 'time'], dtype: 'int32' }, dims);
    const data = Int32Array.from(x.dataSync() as Int32Array);
    data.forEach((id, i) => {
      if (id < 0 || id >= vocabulary) throw new InvalidArgumentError(fn, `x (token ${i})`, `must be a token id in [0, ${vocabulary})`, id);
    });
    return { kind: 'tokens', data, n: x.shape[0]!, time: x.shape[1]! };
  }
  checkTensor(fn, 'x', x, { shape: ['n', 'time', inputSize], dtype: 'float32', finite: true }, dims);
  if (x.shape[0] === 0 || x.shape[1] === 0)
    throw new InvalidArgumentError(fn, 'x', 'must contain at least one sequence of at least one step', `shape [${x.shape.join(', ')}]`);
  return { kind: 'float', data: Float64Array.from(x.dataSync()), n: x.shape[0]!, time: x.shape[1]! };
}

/** Every row index `0 … n−1`. */
export function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Per-step input matrices `[batch, inputSize]` of the sequences `indices` (embedding lookups for tokens). */
export function stepInputs<T>(ops: Ops<T>, inputSize: number, seq: Sequences, indices: Int32Array, embedding: T | null): T[] {
  const nb = indices.length;
  const steps: T[] = [];
  for (let t = 0; t < seq.time; t++) {
    if (seq.kind === 'tokens') {
      steps.push(
        ops.gatherRows(
          embedding!,
          Int32Array.from(indices, (i) => seq.data[i * seq.time + t]),
        ),
      );
    } else {
      const m = new Float64Array(nb * inputSize);
      for (let b = 0; b < nb; b++)
        m.set(seq.data.subarray((indices[b] * seq.time + t) * inputSize, (indices[b] * seq.time + t + 1) * inputSize), b * inputSize);
      steps.push(ops.constant(m, nb, inputSize));
    }
  }
  return steps;
}

/** Labels of the sequences `indices` in the row order of the logits: time-major for every-step readout. */
export function batchLabels(readout: 'every-step' | 'last-step', time: number, labels: Int32Array, indices: Int32Array): Int32Array {
  if (readout === 'last-step') return Int32Array.from(indices, (i) => labels[i]);
  const nb = indices.length;
  const out = new Int32Array(time * nb);
  for (let t = 0; t < time; t++) for (let b = 0; b < nb; b++) out[t * nb + b] = labels[indices[b] * time + t];
  return out;
}

/** Reads int32 labels `[n, time]` (every-step) or `[n]` (last-step), each below `outputs` or −1. */
export function readSequenceLabels(fn: string, readout: 'every-step' | 'last-step', outputs: number, y: tf.Tensor, dims: DimBindings): Int32Array {
  checkTensor(fn, 'y', y, { shape: readout === 'every-step' ? ['n', 'time'] : ['n'], dtype: 'int32' }, dims);
  const labels = Int32Array.from(y.dataSync() as Int32Array);
  labels.forEach((l, i) => {
    if (l >= outputs || l < -1) throw new InvalidArgumentError(fn, `y (entry ${i})`, `must be a class index in [0, ${outputs - 1}] (or −1 to skip)`, l);
  });
  return labels;
}

/** Logits stacked time-major `[time·n, k]` rearranged to `[n, time, k]`. */
export function timeMajorToBatchMajor(values: ArrayLike<number>, n: number, time: number, k: number): Float32Array {
  const res = new Float32Array(n * time * k);
  for (let t = 0; t < time; t++) for (let b = 0; b < n; b++) for (let c = 0; c < k; c++) res[(b * time + t) * k + c] = values[(t * n + b) * k + c];
  return res;
}

/** What {@link fitSequences} needs to know of a recurrent network. */
export interface SequenceFitSpec {
  inputSize: number;
  vocabulary: number | null;
  readout: 'every-step' | 'last-step';
  outputs: number;
}

/**
 * The fit loop both recurrent networks share: reads and checks `x`/`y` (and `options.validationData`), then runs
 * {@link runFitLoop} with `trainBatch(seq, labels, rows)` and, when asked, per-epoch `accuracy` / `valAccuracy` from
 * `accuracyOn`.
 */
export function fitSequences(
  fn: string,
  spec: SequenceFitSpec,
  x: tf.Tensor,
  y: tf.Tensor,
  options: FitOptions,
  trainBatch: (seq: Sequences, labels: Int32Array, indices: Int32Array) => number,
  accuracyOn: (seq: Sequences, labels: Int32Array) => number,
  state?: StateSnapshots,
): Promise<History> {
  const read = (xs: tf.Tensor, ys: tf.Tensor) => {
    const dims = {};
    const seq = readSequences(fn, spec.inputSize, spec.vocabulary, xs, dims);
    return { seq, labels: readSequenceLabels(fn, spec.readout, spec.outputs, ys, dims) };
  };
  const train = read(x, y);
  const validation = options?.validationData ? read(options.validationData[0], options.validationData[1]) : null;
  const trainAccuracy = tracksAccuracy(options);
  return runFitLoop(fn, train.seq.n, options, {
    trainBatch: (indices) => trainBatch(train.seq, train.labels, indices),
    ...(state ? { state } : {}),
    evaluate:
      trainAccuracy || validation
        ? () => {
            const logs: Record<string, number> = {};
            if (trainAccuracy) logs.accuracy = accuracyOn(train.seq, train.labels);
            if (validation) logs.valAccuracy = accuracyOn(validation.seq, validation.labels);
            return logs;
          }
        : undefined,
  });
}
