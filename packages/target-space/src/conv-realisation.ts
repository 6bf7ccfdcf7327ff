/**
 * Convolutional networks in target space (paper §4.2, §4.2.1): conv layers realise their kernels from targets on
 * the patch matrix of the realisation images; pooling and flattening carry no targets; dense layers work as in
 * Alg. 3. TensorFlow.js only (the patch matrices are large).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, extractPatches, matMul, ridgeSolve, type RidgePrecision } from '@beyond-backprop/core-linalg';
import { ACTIVATIONS } from '@beyond-backprop/core-linalg';
import { LEAKY_RELU_ALPHA, type Activation } from './tensor-ops.js';

/** One compound conv layer: `kernel × kernel` conv (stride 1, 'same'), `channels` outputs, activation, `pool × pool` max-pool. */
export interface ConvLayerSpec {
  kernel: number;
  channels: number;
  /** Max-pool size and stride after the activation; 1 = none. Default 1. */
  pool?: number;
}

/** A resolved CNN: conv layers, then hidden dense layers, then the linear output layer. */
export interface ConvShape {
  /** Input image `[height, width, channels]`. */
  input: [number, number, number];
  conv: Array<Required<ConvLayerSpec>>;
  dense: number[];
  outputs: number;
  activation: Activation;
}

/** A CNN: compound conv layers, then hidden dense layers, then a linear output layer (logits). */
export interface ConvArchitecture {
  /** Image `[height, width, channels]` (NHWC). */
  input: [number, number, number];
  conv: ConvLayerSpec[];
  /** Hidden dense widths after flattening. */
  dense: number[];
  outputs: number;
  /** Default `'leakyRelu'` (slope 0.2, eq. 21). */
  activation?: Activation;
}

/** Weights of every layer, as `[f, d]` matrices with the bias in row 0 (conv kernels flattened in im2col order). */
export interface ConvRealisation {
  weights: tf.Tensor2D[];
  /** Achieved sums per layer: conv `[n̄_b·H·W, C_out]` (at the solved rows when subsampling), dense `[n̄_b, d]`. */
  sums: tf.Tensor2D[];
}

/** Spatial size after each conv layer's pooling ('same' pooling: ⌈size / pool⌉). */
export function convOutputSizes(shape: ConvShape): Array<[number, number]> {
  let [h, w] = shape.input;
  return shape.conv.map((c) => {
    [h, w] = [Math.ceil(h / c.pool), Math.ceil(w / c.pool)];
    return [h, w];
  });
}

/** Width of the flattened features entering the first dense layer. */
export function flattenedWidth(shape: ConvShape): number {
  const sizes = convOutputSizes(shape);
  const last = sizes[sizes.length - 1] ?? [shape.input[0], shape.input[1]];
  const channels = shape.conv.length > 0 ? shape.conv[shape.conv.length - 1].channels : shape.input[2];
  return last[0] * last[1] * channels;
}

function activate(x: tf.Tensor, kind: Activation): tf.Tensor {
  return kind === 'linear' ? x : ACTIVATIONS[kind].tf(x, LEAKY_RELU_ALPHA);
}

/** Applies a conv layer given its `[1 + k²C_in, C_out]` weight matrix: conv2d + bias, activation, pooling. */
export function convLayer(x: tf.Tensor4D, w: tf.Tensor2D, spec: Required<ConvLayerSpec>, activation: Activation): tf.Tensor4D {
  const cin = x.shape[3];
  const kernel = tf.reshape(tf.slice(w, [1, 0], [spec.kernel * spec.kernel * cin, spec.channels]), [
    spec.kernel,
    spec.kernel,
    cin,
    spec.channels,
  ]) as tf.Tensor4D;
  const bias = tf.reshape(tf.slice(w, [0, 0], [1, spec.channels]), [spec.channels]);
  let out = activate(tf.add(tf.conv2d(x, kernel, 1, 'same'), bias), activation) as tf.Tensor4D;
  if (spec.pool > 1) out = tf.maxPool(out, spec.pool, spec.pool, 'same');
  return out;
}

/**
 * Realisation on the images `xBar: [n̄_b, H, W, C]` (SCU): for conv layer j, `𝔄 = [1 | extractPatches(A)]`,
 * `W_j = ridgeSolve(𝔄[rows], T_j, λ)` — `rows` all patch rows, or a fixed subset when `patchRows[j]` is given
 * (eqs. 19–20, §4.2.1) — then the whole layer output from the realised kernel; dense layers as Alg. 3.
 * `masks[j]` applies dropout to a layer's (pooled) output. Differentiable in the targets.
 */
export function realiseConv(
  shape: ConvShape,
  xBar: tf.Tensor4D,
  targets: tf.Tensor2D[],
  lambda: number,
  precision: RidgePrecision,
  patchRows: Array<tf.Tensor1D | null>,
  masks?: Array<tf.Tensor | null>,
): ConvRealisation {
  const weights: tf.Tensor2D[] = [];
  const sums: tf.Tensor2D[] = [];
  let a: tf.Tensor4D = xBar;
  const nb = xBar.shape[0];
  shape.conv.forEach((spec, j) => {
    const patches = extractPatches(a, spec.kernel);
    const inputs = tf.concat([tf.ones([patches.shape[0], 1]), patches], 1) as tf.Tensor2D;
    const rows = patchRows[j];
    const solveRows = rows ? (tf.gather(inputs, rows) as tf.Tensor2D) : inputs;
    const w = ridgeSolve(solveRows, targets[j], lambda, { precision });
    weights.push(w);
    sums.push(matMul(solveRows, w));
    const [h, wd] = [a.shape[1], a.shape[2]];
    let out = activate(tf.reshape(matMul(inputs, w), [nb, h, wd, spec.channels]), shape.activation) as tf.Tensor4D;
    if (spec.pool > 1) out = tf.maxPool(out, spec.pool, spec.pool, 'same');
    const mask = masks?.[j];
    if (mask) out = tf.mul(out, mask) as tf.Tensor4D;
    a = out;
  });
  let d: tf.Tensor2D = tf.reshape(a, [nb, -1]) as tf.Tensor2D;
  const widths = [...shape.dense, shape.outputs];
  widths.forEach((_, i) => {
    const j = shape.conv.length + i;
    const inputs = tf.concat([tf.ones([nb, 1]), d], 1) as tf.Tensor2D;
    const w = ridgeSolve(inputs, targets[j], lambda, { precision });
    const s = matMul(inputs, w);
    weights.push(w);
    sums.push(s);
    if (i < widths.length - 1) {
      let out = activate(s, shape.activation) as tf.Tensor2D;
      const mask = masks?.[j];
      if (mask) out = tf.mul(out, mask) as tf.Tensor2D;
      d = out;
    }
  });
  return { weights, sums };
}

/** The network on images `x: [n, H, W, C]` under `weights` (the training pass, Alg. 1 with convolutions): logits `[n, outputs]`. */
export function convForward(shape: ConvShape, x: tf.Tensor4D, weights: tf.Tensor2D[], masks?: Array<tf.Tensor | null>): tf.Tensor2D {
  let a: tf.Tensor4D = x;
  shape.conv.forEach((spec, j) => {
    a = convLayer(a, weights[j], spec, shape.activation);
    const mask = masks?.[j];
    if (mask) a = tf.mul(a, mask) as tf.Tensor4D;
  });
  let d = tf.reshape(a, [x.shape[0], -1]) as tf.Tensor2D;
  const last = shape.dense.length;
  for (let i = 0; i <= last; i++) {
    const j = shape.conv.length + i;
    const s = tf.add(matMul(d, tf.slice(weights[j], [1, 0], [d.shape[1], -1]) as tf.Tensor2D), tf.slice(weights[j], [0, 0], [1, -1])) as tf.Tensor2D;
    if (i < last) {
      let out = activate(s, shape.activation) as tf.Tensor2D;
      const mask = masks?.[j];
      if (mask) out = tf.mul(out, mask) as tf.Tensor2D;
      d = out;
    } else {
      d = s;
    }
  }
  return d;
}

/** @internal Validates a conv architecture and fills in its defaults. */
export function resolveConv(fn: string, arch: ConvArchitecture): ConvShape {
  if (!arch || !Array.isArray(arch.input) || arch.input.length !== 3)
    throw new InvalidArgumentError(fn, 'architecture.input', 'must be [height, width, channels]', arch?.input);
  arch.input.forEach((d, i) => checkNumber(fn, `architecture.input[${i}]`, d, { min: 1, integer: true }));
  if (!Array.isArray(arch.conv) || !Array.isArray(arch.dense)) throw new InvalidArgumentError(fn, 'architecture', 'must list conv and dense layers', arch);
  const conv = arch.conv.map((c, j) => {
    checkNumber(fn, `architecture.conv[${j}].kernel`, c.kernel, { min: 1, integer: true });
    checkNumber(fn, `architecture.conv[${j}].channels`, c.channels, { min: 1, integer: true });
    const pool = c.pool ?? 1;
    checkNumber(fn, `architecture.conv[${j}].pool`, pool, { min: 1, integer: true });
    return { kernel: c.kernel, channels: c.channels, pool };
  });
  arch.dense.forEach((d, i) => checkNumber(fn, `architecture.dense[${i}]`, d, { min: 1, integer: true }));
  checkNumber(fn, 'architecture.outputs', arch.outputs, { min: 1, integer: true });
  return { input: [...arch.input], conv, dense: [...arch.dense], outputs: arch.outputs, activation: arch.activation ?? 'leakyRelu' };
}
