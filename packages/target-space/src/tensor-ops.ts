/**
 * The handful of matrix operations target-space algorithms are written in, implemented twice: on the float64
 * {@link Tape} (exact, ~1 µs per op, for small networks) and on TensorFlow.js (any backend, for large ones). Each
 * algorithm (realisation, feed-forward, recurrent dynamics) is written once against {@link Ops} and runs on either.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ACTIVATIONS,
  LEAKY_RELU_ALPHA,
  Tape,
  matMul,
  ridgeSolve,
  type ActivationName,
  type Matrix,
  type RidgePrecision,
  type TapeNode,
} from '@beyond-backprop/core-linalg';

/**
 * Elementwise activations used by target-space networks: the subset of core-linalg's activation registry the float64
 * tape differentiates (`leakyRelu` has slope {@link LEAKY_RELU_ALPHA} = 0.2 below zero, eq. 21).
 */
export type Activation = Extract<ActivationName, 'tanh' | 'sigmoid' | 'relu' | 'leakyRelu' | 'linear'>;

/** The target-space activations, in the order error messages list them. */
export const TARGET_SPACE_ACTIVATIONS: readonly Activation[] = ['tanh', 'sigmoid', 'relu', 'leakyRelu', 'linear'];

/** Slope of the leaky ReLU for negative inputs, eq. 21 of the paper (core-linalg's registry value, re-exported). */
export { LEAKY_RELU_ALPHA };

/** Engine-neutral matrix operations (batch-first: one row per example). */
export interface Ops<T> {
  readonly engine: 'float64' | 'tfjs';
  rows(x: T): number;
  cols(x: T): number;
  /** A fixed (non-differentiated) `rows × cols` matrix from row-major values. */
  constant(values: ArrayLike<number>, rows: number, cols: number): T;
  /** The bias column `1_n`. */
  ones(rows: number): T;
  matmul(a: T, b: T): T;
  concatCols(parts: T[]): T;
  concatRows(parts: T[]): T;
  sliceRows(x: T, start: number, count: number): T;
  sliceCols(x: T, start: number, count: number): T;
  /**
   * A recurrent layer over `steps` time steps: `x` stacked time-major `[steps·n, d]`, `w: [1 + d + h, h]`; returns
   * the states and sums stacked `[steps·n, h]` (Alg. 5 lines 1–9). Differentiable through the states.
   */
  recurrence(x: T, w: T, steps: number, kind: Activation): { states: T; sums: T };
  /** Rows of `table` at `indices` (an embedding lookup), differentiable in the table. */
  gatherRows(table: T, indices: Int32Array): T;
  add(a: T, b: T): T;
  mul(a: T, b: T): T;
  scale(x: T, s: number): T;
  activation(x: T, kind: Activation): T;
  /** `argmin_W ‖A·W − T‖² + λ‖W‖²`, differentiable in A and T. */
  ridgeSolve(a: T, t: T, lambda: number): T;
  /** One layer's realisation: `W = ridgeSolve(A, T, λ)` and the sums it achieves, `S = A·W` (Alg. 3 lines 4–5). */
  ridgeProject(a: T, t: T, lambda: number): { w: T; s: T };
  /** Mean softmax cross-entropy over rows whose label is ≥ 0; a scalar. */
  softmaxCrossEntropy(logits: T, labels: Int32Array): T;
  /** Mean squared error against fixed targets; a scalar. */
  meanSquaredError(prediction: T, target: Float32Array | Float64Array): T;
  /** `Σ x²` over all entries; a scalar. */
  sumSquares(x: T): T;
  /** The value of a scalar. */
  scalar(x: T): number;
  /** The values, row-major. */
  read(x: T): Float64Array | Float32Array;
}

/** Float64 operations recorded on a {@link Tape}. */
export class Float64Ops implements Ops<TapeNode> {
  readonly engine = 'float64' as const;
  private readonly onesCache = new Map<number, TapeNode>();
  constructor(readonly tape: Tape = new Tape()) {}
  rows(x: TapeNode): number {
    return x.rows;
  }
  cols(x: TapeNode): number {
    return x.cols;
  }
  constant(values: ArrayLike<number>, rows: number, cols: number): TapeNode {
    return this.tape.constant({ rows, cols, data: values instanceof Float64Array ? values : Float64Array.from(values) });
  }
  /** A differentiable input (a target or weight matrix). */
  variable(m: Matrix): TapeNode {
    return this.tape.variable(m);
  }
  ones(rows: number): TapeNode {
    let node = this.onesCache.get(rows);
    if (!node) {
      node = this.tape.constant({ rows, cols: 1, data: new Float64Array(rows).fill(1) });
      this.onesCache.set(rows, node);
    }
    return node;
  }
  matmul(a: TapeNode, b: TapeNode): TapeNode {
    return this.tape.matmul(a, b);
  }
  concatCols(parts: TapeNode[]): TapeNode {
    return this.tape.concatCols(parts);
  }
  concatRows(parts: TapeNode[]): TapeNode {
    return this.tape.concatRows(parts);
  }
  sliceRows(x: TapeNode, start: number, count: number): TapeNode {
    return this.tape.sliceRows(x, start, count);
  }
  sliceCols(x: TapeNode, start: number, count: number): TapeNode {
    return this.tape.sliceCols(x, start, count);
  }
  gatherRows(table: TapeNode, indices: Int32Array): TapeNode {
    return this.tape.gatherRows(table, indices);
  }
  recurrence(x: TapeNode, w: TapeNode, steps: number, kind: Activation): { states: TapeNode; sums: TapeNode } {
    return this.tape.recurrence(x, w, steps, kind, LEAKY_RELU_ALPHA);
  }
  add(a: TapeNode, b: TapeNode): TapeNode {
    return this.tape.add(a, b);
  }
  mul(a: TapeNode, b: TapeNode): TapeNode {
    return this.tape.mul(a, b);
  }
  scale(x: TapeNode, s: number): TapeNode {
    return this.tape.scale(x, s);
  }
  activation(x: TapeNode, kind: Activation): TapeNode {
    return this.tape.activation(x, kind, LEAKY_RELU_ALPHA);
  }
  ridgeSolve(a: TapeNode, t: TapeNode, lambda: number): TapeNode {
    return this.tape.ridgeSolve(a, t, lambda);
  }
  ridgeProject(a: TapeNode, t: TapeNode, lambda: number): { w: TapeNode; s: TapeNode } {
    return this.tape.ridgeProject(a, t, lambda);
  }
  softmaxCrossEntropy(logits: TapeNode, labels: Int32Array): TapeNode {
    return this.tape.softmaxCrossEntropy(logits, labels);
  }
  meanSquaredError(prediction: TapeNode, target: Float32Array | Float64Array): TapeNode {
    return this.tape.meanSquaredError(prediction, { rows: prediction.rows, cols: prediction.cols, data: Float64Array.from(target) });
  }
  sumSquares(x: TapeNode): TapeNode {
    return this.tape.sum(this.tape.mul(x, x));
  }
  scalar(x: TapeNode): number {
    return x.scalar();
  }
  read(x: TapeNode): Float64Array {
    return x.value.data;
  }
}

/**
 * TensorFlow.js operations. Call them inside `tf.tidy` (or a gradient function); nothing is disposed here.
 * `precision` is passed to {@link ridgeSolve} (float64 solves while they are small, float32 Gram beyond).
 */
export class TfOps implements Ops<tf.Tensor2D> {
  readonly engine = 'tfjs' as const;
  constructor(readonly precision: RidgePrecision = 'auto') {}
  rows(x: tf.Tensor2D): number {
    return x.shape[0];
  }
  cols(x: tf.Tensor2D): number {
    return x.shape[1];
  }
  constant(values: ArrayLike<number>, rows: number, cols: number): tf.Tensor2D {
    return tf.tensor2d(values instanceof Float32Array ? values : Float32Array.from(values), [rows, cols]);
  }
  ones(rows: number): tf.Tensor2D {
    return tf.ones([rows, 1]);
  }
  matmul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    return matMul(a, b);
  }
  concatCols(parts: tf.Tensor2D[]): tf.Tensor2D {
    return parts.length === 1 ? parts[0] : tf.concat(parts, 1);
  }
  concatRows(parts: tf.Tensor2D[]): tf.Tensor2D {
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  }
  sliceRows(x: tf.Tensor2D, start: number, count: number): tf.Tensor2D {
    return tf.slice(x, [start, 0], [count, x.shape[1]]);
  }
  sliceCols(x: tf.Tensor2D, start: number, count: number): tf.Tensor2D {
    return tf.slice(x, [0, start], [x.shape[0], count]);
  }
  gatherRows(table: tf.Tensor2D, indices: Int32Array): tf.Tensor2D {
    return tf.gather(table, tf.tensor1d(indices, 'int32'));
  }
  recurrence(x: tf.Tensor2D, w: tf.Tensor2D, steps: number, kind: Activation): { states: tf.Tensor2D; sums: tf.Tensor2D } {
    const n = x.shape[0] / steps;
    const d = x.shape[1];
    const h = w.shape[1];
    // Split W once: bias, input and recurrent blocks, so each step is two products and an add.
    const bias = tf.slice(w, [0, 0], [1, h]);
    const wx = tf.slice(w, [1, 0], [d, h]);
    const wh = tf.slice(w, [1 + d, 0], [h, h]);
    const inputs = tf.add(matMul(x, wx), bias) as tf.Tensor2D;
    const states: tf.Tensor2D[] = [];
    const sums: tf.Tensor2D[] = [];
    let state: tf.Tensor2D | null = null;
    for (let t = 0; t < steps; t++) {
      const xt = tf.slice(inputs, [t * n, 0], [n, h]) as tf.Tensor2D;
      const s: tf.Tensor2D = state ? tf.add(xt, matMul(state, wh)) : xt;
      state = this.activation(s, kind);
      sums.push(s);
      states.push(state);
    }
    return { states: tf.concat(states, 0), sums: tf.concat(sums, 0) };
  }
  add(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    return tf.add(a, b);
  }
  mul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    return tf.mul(a, b);
  }
  scale(x: tf.Tensor2D, s: number): tf.Tensor2D {
    return tf.mul(x, s);
  }
  activation(x: tf.Tensor2D, kind: Activation): tf.Tensor2D {
    return kind === 'linear' ? x : (ACTIVATIONS[kind].tf(x, LEAKY_RELU_ALPHA) as tf.Tensor2D);
  }
  ridgeSolve(a: tf.Tensor2D, t: tf.Tensor2D, lambda: number): tf.Tensor2D {
    return ridgeSolve(a, t, lambda, { precision: this.precision });
  }
  ridgeProject(a: tf.Tensor2D, t: tf.Tensor2D, lambda: number): { w: tf.Tensor2D; s: tf.Tensor2D } {
    const w = this.ridgeSolve(a, t, lambda);
    return { w, s: matMul(a, w) };
  }
  softmaxCrossEntropy(logits: tf.Tensor2D, labels: Int32Array): tf.Tensor2D {
    const k = logits.shape[1];
    const weights = new Float32Array(labels.length * k);
    let scored = 0;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (label < 0) continue;
      weights[i * k + label] = 1;
      scored++;
    }
    const onehot = tf.tensor2d(weights, [labels.length, k]);
    return tf.reshape(tf.div(tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)))), Math.max(1, scored)), [1, 1]);
  }
  meanSquaredError(prediction: tf.Tensor2D, target: Float32Array | Float64Array): tf.Tensor2D {
    const t = tf.tensor2d(target instanceof Float32Array ? target : Float32Array.from(target), prediction.shape);
    return tf.reshape(tf.mean(tf.squaredDifference(prediction, t)), [1, 1]);
  }
  sumSquares(x: tf.Tensor2D): tf.Tensor2D {
    return tf.reshape(tf.sum(tf.square(x)), [1, 1]);
  }
  scalar(x: tf.Tensor2D): number {
    return x.dataSync()[0];
  }
  read(x: tf.Tensor2D): Float32Array {
    return x.dataSync() as Float32Array;
  }
}
