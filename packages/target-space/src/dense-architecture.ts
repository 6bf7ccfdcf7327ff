/**
 * The architecture of a fully connected target-space network and its layer wiring (paper §2.1–2.3, eqs. 2–4).
 */
import * as tf from '@tensorflow/tfjs';
import { activation as checkActivationName, InvalidArgumentError, checkNumber, type Matrix } from '@beyond-backprop/core-linalg';
import { denseNetwork } from '@beyond-backprop/training';
import { TARGET_SPACE_ACTIVATIONS, type Activation } from './tensor-ops.js';

/** A fully connected network. */
export interface DenseArchitecture {
  /**
   * Layer widths `[d₁, d₂, …, d_{n_L}]`: input features, hidden widths, outputs. The output layer is linear (its
   * targets are targets for the logits); e.g. `[2, 5, 5, 5, 2]` for two-spirals.
   */
  layers: number[];
  /** Activation of every hidden layer. Default `'tanh'`. */
  activation?: Activation;
  /**
   * All shortcut connections: layer j receives the bias, the input and every earlier layer, `I(j) = {0, 1, …, j−1}`
   * (two-spirals architecture, §5.1). Default `false`: `I(j) = {0, j−1}`.
   */
  shortcuts?: boolean;
}

/** Fully resolved architecture. */
export interface ResolvedDenseArchitecture {
  layers: number[];
  activation: Activation;
  shortcuts: boolean;
}

/** Validates and fills defaults; errors name the offending field. */
export function resolveDenseArchitecture(fn: string, arch: DenseArchitecture): ResolvedDenseArchitecture {
  if (!arch || !Array.isArray(arch.layers))
    throw new InvalidArgumentError(fn, 'architecture.layers', 'must be an array of layer widths [inputs, …hidden, outputs]', arch?.layers);
  if (arch.layers.length < 2) throw new InvalidArgumentError(fn, 'architecture.layers', 'must list at least the input and output widths', arch.layers);
  arch.layers.forEach((d, i) => checkNumber(fn, `architecture.layers[${i}]`, d, { min: 1, integer: true }));
  const activation = arch.activation ?? 'tanh';
  checkActivationName(fn, 'architecture.activation', activation, TARGET_SPACE_ACTIVATIONS);
  return { layers: [...arch.layers], activation, shortcuts: arch.shortcuts ?? false };
}

/**
 * Fan-in `f_j = 1 + Σ_{k∈I(j), k≥1} d_k` of every weight layer, bias included (§2.3, eq. 4); e.g. 3, 8, 13, 18 for
 * 2-5-5-5-2 with shortcuts.
 */
export function fanIns(arch: ResolvedDenseArchitecture): number[] {
  const out: number[] = [];
  let running = 1 + arch.layers[0];
  for (let l = 1; l < arch.layers.length; l++) {
    out.push(arch.shortcuts ? running : 1 + arch.layers[l - 1]);
    running += arch.layers[l];
  }
  return out;
}

/**
 * The matrices concatenated into layer ℓ's input `𝔄 = [1 | A_k for k ∈ I(ℓ)]`, ascending, bias first (eq. 2, batch-first).
 * `activations[0]` is the input; `activations[k]` the output of weight layer k.
 */
export function layerSources<T>(arch: ResolvedDenseArchitecture, ones: T, activations: T[], layer: number): T[] {
  return arch.shortcuts ? [ones, ...activations.slice(0, layer)] : [ones, activations[layer - 1]];
}

/**
 * A standard `tf.LayersModel` of the architecture carrying `weights` (`[f_j, d_j]`, bias in row 0, one per layer in
 * order): the export shared by the target-space network and its weight-space twin.
 */
export function denseLayersModel(arch: ResolvedDenseArchitecture, weights: Matrix[], name: string): tf.LayersModel {
  const model = denseNetwork({
    inputSize: arch.layers[0],
    hidden: arch.layers.slice(1, -1),
    outputs: arch.layers[arch.layers.length - 1],
    activation: arch.activation,
    shortcuts: arch.shortcuts,
    name,
  });
  model.layers
    .filter((l) => l.getClassName() === 'Dense')
    .forEach((layer, i) => {
      const w = weights[i];
      const kernel = tf.tensor2d(Float32Array.from(w.data.subarray(w.cols)), [w.rows - 1, w.cols]);
      const bias = tf.tensor1d(Float32Array.from(w.data.subarray(0, w.cols)));
      layer.setWeights([kernel, bias]);
      tf.dispose([kernel, bias]);
    });
  return model;
}
