/**
 * Thin TensorFlow.js adapters between `tf.Variable`s / `tf.LayersModel` weights and the framework-agnostic codec:
 * read variables as `Float32Array` layers, encode them, and write decoded layers back (Øland, thesis §3.6: the
 * receiver replaces its weights with the decoded ones).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@beyond-backprop/core-linalg';
import type { WeightCodec } from '../weight-codec.js';

/** A model's trainable weights split the way the thesis counts them (§3.1: the weight matrices). */
export interface ModelWeights {
  /** Kernels (rank ≥ 2: dense `[in, out]`, conv `[h, w, in, out]`): what the codec compresses. */
  readonly kernels: tf.Variable[];
  /** Everything else (biases, normalisation scales): sent raw unless asked otherwise. */
  readonly others: tf.Variable[];
}

/**
 * The trainable variables of a `tf.LayersModel`, kernels apart from biases (thesis §3.1 lists only the three weight
 * matrices of its MLP; biases are a small raw side channel by default).
 *
 * @example
 * ```ts
 * const { kernels, others } = modelWeights(model); // 784-392-50-10: 3 kernels, 3 biases
 * ```
 */
export function modelWeights(model: tf.LayersModel): ModelWeights {
  if (!(model instanceof tf.LayersModel)) throw new InvalidArgumentError('modelWeights', 'model', 'must be a tf.LayersModel', model);
  const kernels: tf.Variable[] = [];
  const others: tf.Variable[] = [];
  for (const w of model.trainableWeights) {
    const v = w.read() as tf.Variable;
    (v.shape.length >= 2 ? kernels : others).push(v);
  }
  return { kernels, others };
}

/**
 * The values of float32 variables as one `Float32Array` per variable (row-major), the codec's input.
 *
 * @example
 * ```ts
 * const layers = readVariables(modelWeights(model).kernels);
 * ```
 */
export function readVariables(variables: readonly tf.Variable[]): Float32Array[] {
  return variables.map((v, i) => {
    if (v.dtype !== 'float32') throw new InvalidArgumentError('readVariables', `variables[${i}]`, 'must be float32', v.dtype);
    return v.dataSync() as Float32Array;
  });
}

/**
 * Encodes variables into one wire package with `codec` (Alg. 1 for `'huffman'`).
 *
 * @param context - `epoch` seeds the entropy samples.
 * @example
 * ```ts
 * const bytes = compressVariables(modelWeights(model).kernels, createWeightCodec('huffman'), { epoch });
 * ```
 */
export function compressVariables(variables: readonly tf.Variable[], codec: WeightCodec, context: { epoch?: number } = {}): Uint8Array {
  return codec.encode(readVariables(variables), context);
}

/**
 * Writes decoded layers into variables (Alg. 2's output replaces the weights), checking each size. No tensor is left
 * behind.
 *
 * @param layers - one `Float32Array` per variable, row-major, of the variable's size.
 * @example
 * ```ts
 * applyDecompressed(kernels, codec.decode(bytes));
 * ```
 */
export function applyDecompressed(variables: readonly tf.Variable[], layers: readonly Float32Array[]): void {
  const fn = 'applyDecompressed';
  if (layers.length !== variables.length) throw new InvalidArgumentError(fn, 'layers', `must hold one array per variable (${variables.length})`, layers.length);
  variables.forEach((v, i) => {
    if (layers[i].length !== v.size)
      throw new ShapeError(fn, `layers[${i}]`, [v.size], [layers[i].length], `the size of variable '${v.name}' ${JSON.stringify(v.shape)}`);
  });
  variables.forEach((v, i) => {
    const t = tf.tensor(layers[i], v.shape, 'float32');
    v.assign(t);
    t.dispose();
  });
}
