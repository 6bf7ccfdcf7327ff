/**
 * The weight-space twin of a target-space CNN: the same layers as a standard tfjs model, trained by backpropagation
 * (the "weight space" and "weight space + BN" rows of Fairbank & Samothrakis, Table 2).
 */
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, LEAKY_RELU_ALPHA, checkNumber } from '@beyond-backprop/core-linalg';
import { initialiseWeights, type DenseInit } from '@beyond-backprop/training';
import { resolveConv, type ConvArchitecture, type ConvShape } from './conv-realisation.js';

/** Options of {@link weightSpaceCnn}. */
export interface WeightSpaceCnnOptions {
  /** Default `'he-normal'` (the authors' CNN baseline, §5.2). */
  init?: DenseInit;
  /** Batch normalisation after every hidden activation, conv and dense (the authors' placement). Default `false`. */
  batchNorm?: boolean;
  /** Drop probability after every pooled conv layer and every hidden dense layer (§8). Default 0. */
  dropout?: number;
  /** Seed of the initial weights and the dropout masks. Default 0. */
  seed?: number;
}

/**
 * The layers of a conv architecture as a `tf.Sequential`: conv2d ('same', stride 1) + activation (+ batch norm) +
 * max-pool ('same') (+ dropout) per compound layer, flatten, dense layers alike, linear logits. Layer weights come
 * in the order conv kernel, bias, … dense kernel, bias (without batch norm).
 */
export function convLayersModel(shape: ConvShape, options: { batchNorm?: boolean; dropout?: number; seed?: number; name?: string } = {}): tf.Sequential {
  const { batchNorm = false, dropout = 0, seed = 0, name } = options;
  const model = tf.sequential(name === undefined ? {} : { name });
  const activation = () => ACTIVATIONS[shape.activation].layer({ alpha: LEAKY_RELU_ALPHA })!;
  shape.conv.forEach((c, j) => {
    model.add(tf.layers.conv2d({ filters: c.channels, kernelSize: c.kernel, padding: 'same', ...(j === 0 ? { inputShape: shape.input } : {}) }));
    model.add(activation());
    if (batchNorm) model.add(tf.layers.batchNormalization());
    if (c.pool > 1) {
      model.add(tf.layers.maxPooling2d({ poolSize: c.pool, strides: c.pool, padding: 'same' }));
      if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout, seed: seed + j }));
    }
  });
  model.add(tf.layers.flatten(shape.conv.length === 0 ? { inputShape: shape.input } : {}));
  shape.dense.forEach((units, i) => {
    model.add(tf.layers.dense({ units }));
    model.add(activation());
    if (batchNorm) model.add(tf.layers.batchNormalization());
    if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout, seed: seed + 100 + i }));
  });
  model.add(tf.layers.dense({ units: shape.outputs }));
  return model;
}

/**
 * A CNN of the given architecture in weight space — the baseline a {@link TargetSpaceCnn} is compared with — as a
 * standard `tf.Sequential` with seeded initial weights. Train it with `fitBackprop` (or `model.fit`); it outputs
 * logits `[n, outputs]` for images `[n, H, W, C]`.
 *
 * @example
 * ```ts
 * const arch = { input: [28, 28, 1], conv: [{ kernel: 3, channels: 16, pool: 2 }], dense: [64], outputs: 10 };
 * const model = weightSpaceCnn(arch, { batchNorm: true, seed: 1 });
 * await fitBackprop(model, x, y, { epochs: 5, batchSize: 100, optimizer: paperAdam(0.001) });
 * ```
 */
export function weightSpaceCnn(architecture: ConvArchitecture, options: WeightSpaceCnnOptions = {}): tf.Sequential {
  const fn = 'weightSpaceCnn';
  const shape = resolveConv(fn, architecture);
  const dropout = options.dropout ?? 0;
  checkNumber(fn, 'options.dropout', dropout, { min: 0, max: 1, exclusiveMax: true });
  const seed = options.seed ?? 0;
  const model = convLayersModel(shape, { batchNorm: options.batchNorm ?? false, dropout, seed });
  initialiseWeights(model.layers, options.init ?? 'he-normal', seed);
  return model;
}
