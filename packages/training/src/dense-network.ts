/**
 * Fully connected networks as standard tfjs `LayersModel`s, optionally with all shortcut connections, initialised
 * from a seed so a comparison between methods starts every run from the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, InvalidArgumentError, LEAKY_RELU_ALPHA, checkNumber, type ActivationName } from '@beyond-backprop/core-linalg';
import { checkInit, initialiseWeights, type DenseInit } from './weight-init.js';

/** Hidden-layer activations understood by {@link denseNetwork}. */
export type DenseActivation = Extract<ActivationName, 'tanh' | 'relu' | 'sigmoid' | 'leakyRelu' | 'linear'>;

/** Architecture of {@link denseNetwork}. */
export interface DenseNetworkSpec {
  /** Input features. */
  inputSize: number;
  /** Widths of the hidden layers, e.g. `[5, 5, 5]`. May be empty (a linear model). */
  hidden: number[];
  /** Output units; the output layer is linear (logits for classification). */
  outputs: number;
  /** Hidden activation. Default `'tanh'`. */
  activation?: DenseActivation;
  /** Slope of `leakyRelu` for negative inputs. Default 0.2 (the target-space CNN's eq. 21). */
  leakyAlpha?: number;
  /**
   * All shortcut connections: every layer receives the input and every earlier hidden layer, concatenated in
   * ascending order (the two-spirals architecture of Fairbank & Samothrakis §5.1). Default `false`.
   */
  shortcuts?: boolean;
  /** Default `'glorot-uniform'`. */
  init?: DenseInit;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
  /** Layer-name prefix, so several networks can live in one page. Default `'dense'`. */
  name?: string;
  /**
   * Batch normalisation after every hidden activation (the placement of the target-space authors' weight-space
   * baselines, Fairbank & Samothrakis §5.1–5.2: every non-final dense layer). Default `false`.
   */
  batchNorm?: boolean;
}

/**
 * Builds a dense network as a functional `tf.LayersModel` (so it `save()`s, `predict()`s and `fit()`s like any tfjs
 * model). Input `[n, inputSize]`, output logits `[n, outputs]`; no softmax inside.
 *
 * @example
 * ```ts
 * // 2-5-5-5-2 tanh with all shortcuts (fan-ins 3, 8, 13, 18 counting the bias)
 * const model = denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2, shortcuts: true, seed: 1 });
 * ```
 */
export function denseNetwork(spec: DenseNetworkSpec): tf.LayersModel {
  const fn = 'denseNetwork';
  checkNumber(fn, 'inputSize', spec.inputSize, { min: 1, integer: true });
  checkNumber(fn, 'outputs', spec.outputs, { min: 1, integer: true });
  if (!Array.isArray(spec.hidden)) throw new InvalidArgumentError(fn, 'hidden', 'must be an array of layer widths', spec.hidden);
  spec.hidden.forEach((w, i) => checkNumber(fn, `hidden[${i}]`, w, { min: 1, integer: true }));
  const activation = spec.activation ?? 'tanh';
  if (!['tanh', 'relu', 'sigmoid', 'leakyRelu', 'linear'].includes(activation)) {
    throw new InvalidArgumentError(fn, 'activation', "must be 'tanh', 'relu', 'sigmoid', 'leakyRelu' or 'linear'", activation);
  }
  const init = spec.init ?? 'glorot-uniform';
  checkInit(fn, init);
  const prefix = spec.name ?? 'dense';
  const input = tf.input({ shape: [spec.inputSize], name: `${prefix}_input` });
  const sources: tf.SymbolicTensor[] = [input];
  const denseLayers: tf.layers.Layer[] = [];
  let last: tf.SymbolicTensor = input;
  spec.hidden.forEach((width, i) => {
    const into =
      spec.shortcuts && sources.length > 1 ? (tf.layers.concatenate({ name: `${prefix}_concat_${i + 1}` }).apply([...sources]) as tf.SymbolicTensor) : last;
    // tanh/relu/sigmoid live inside the Dense layer: a linear Dense always runs tfjs' fused matMul, whose gradient
    // also computes the (discarded) input gradient — 40% of an MNIST-MLP step's matrix products for the first layer.
    const inside = activation !== 'leakyRelu';
    const layer = tf.layers.dense({
      units: width,
      name: `${prefix}_hidden_${i + 1}`,
      ...(inside ? { activation: activation as 'tanh' | 'relu' | 'sigmoid' | 'linear' } : {}),
    });
    denseLayers.push(layer);
    let h = layer.apply(into) as tf.SymbolicTensor;
    if (!inside) h = applyActivation(h, activation, spec.leakyAlpha ?? LEAKY_RELU_ALPHA, `${prefix}_act_${i + 1}`);
    if (spec.batchNorm) h = tf.layers.batchNormalization({ name: `${prefix}_bn_${i + 1}` }).apply(h) as tf.SymbolicTensor;
    sources.push(h);
    last = h;
  });
  const into = spec.shortcuts && sources.length > 1 ? (tf.layers.concatenate({ name: `${prefix}_concat_out` }).apply([...sources]) as tf.SymbolicTensor) : last;
  const outLayer = tf.layers.dense({ units: spec.outputs, name: `${prefix}_logits` });
  denseLayers.push(outLayer);
  const output = outLayer.apply(into) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: prefix });
  initialiseWeights(denseLayers, init, spec.seed ?? 0);
  return model;
}

function applyActivation(x: tf.SymbolicTensor, activation: DenseActivation, alpha: number, name: string): tf.SymbolicTensor {
  if (activation === 'linear') return x;
  return ACTIVATIONS[activation].layer({ alpha, name })!.apply(x) as tf.SymbolicTensor;
}
