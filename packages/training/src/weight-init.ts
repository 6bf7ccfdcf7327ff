/**
 * Seeded weight initialisation for dense and convolutional tfjs layers, in the variants the papers' baselines use.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, createRng, type Rng } from '@beyond-backprop/core-linalg';

/**
 * Weight initialisation schemes. For a kernel of shape `[…receptive, fan_in', fan_out]` (dense `[in, out]`, conv
 * `[k, k, c_in, c_out]`), `fan_in = receptive · fan_in'`.
 *
 * - `'glorot-uniform'`: Keras' default, `U(±√(6/(fan_in + receptive · fan_out)))`, zero biases.
 * - `'glorot-truncated'`: the target-space authors' "Glorot" baseline (their published code; the paper's text does not define it): truncated normal
 *   (±2σ) with `σ = √(6/(f + fan_out))`, where `f = fan_in + 1` counts the bias row, and random biases.
 * - `'he-normal'`: the authors' "He" variant (their CNN baseline, §5.2): normal with `σ = √(2/f)`, bias row included
 *   and random.
 */
export type DenseInit = 'glorot-uniform' | 'glorot-truncated' | 'he-normal';

const INITS: readonly DenseInit[] = ['glorot-uniform', 'glorot-truncated', 'he-normal'];

/** Throws unless `init` names a scheme. */
export function checkInit(fn: string, init: unknown, argument = 'init'): asserts init is DenseInit {
  if (!INITS.includes(init as DenseInit)) throw new InvalidArgumentError(fn, argument, `must be ${INITS.map((i) => `'${i}'`).join(', ')}`, init);
}

/** How one scheme draws a layer's values: the generator call per value, and whether biases are drawn (else zero). */
export interface InitScheme {
  draw(rng: Rng): number;
  randomBias: boolean;
}

/**
 * The draw of `init` for a layer with `fanIn` inputs per unit (bias excluded, receptive field included), `fanOut`
 * units and a receptive field of `receptive` positions (1 for dense layers). Shared by {@link initialiseWeights} (tfjs
 * layers) and the float64 weight-space twins, so both draw the same numbers from the same stream.
 *
 * @example
 * ```ts
 * const scheme = initScheme('he-normal', 5, 3);
 * const w = Array.from({ length: 15 }, () => scheme.draw(rng));
 * ```
 */
export function initScheme(init: DenseInit, fanIn: number, fanOut: number, receptive = 1): InitScheme {
  if (init === 'glorot-uniform') {
    const limit = Math.sqrt(6 / (fanIn + receptive * fanOut));
    return { draw: (rng) => rng.uniformRange(-limit, limit), randomBias: false };
  }
  if (init === 'glorot-truncated') {
    const std = Math.sqrt(6 / (fanIn + 1 + fanOut));
    return { draw: (rng) => rng.truncatedNormal(0, std), randomBias: true };
  }
  const std = Math.sqrt(2 / (fanIn + 1));
  return { draw: (rng) => rng.normal(0, std), randomBias: true };
}

function initialiseLayer(layer: tf.layers.Layer, init: DenseInit, rng: Rng): void {
  // Shapes from the layer's variables; getWeights() would hand back the live variables, which must not be disposed.
  const kernelShape = layer.weights[0].shape as number[];
  const fanOut = kernelShape.at(-1)!;
  const receptive = kernelShape.slice(0, -2).reduce((p, d) => p * d, 1);
  const fanIn = receptive * kernelShape.at(-2)!;
  const k = new Float32Array(fanIn * fanOut);
  const hasBias = layer.weights.length > 1;
  const b = new Float32Array(hasBias ? fanOut : 0);
  const scheme = initScheme(init, fanIn, fanOut, receptive);
  for (let i = 0; i < k.length; i++) k[i] = scheme.draw(rng);
  if (scheme.randomBias) for (let i = 0; i < b.length; i++) b[i] = scheme.draw(rng);
  const values = [tf.tensor(k, kernelShape), ...(hasBias ? [tf.tensor1d(b)] : [])];
  layer.setWeights(values);
  tf.dispose(values);
}

/**
 * Re-initialises the kernels (and biases) of `layers` — dense or conv, one after the other from one seeded stream —
 * with `init`. Layers without weights, and batch-normalisation layers, are left alone.
 *
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3 })] });
 * initialiseWeights(model.layers, 'he-normal', 7);   // the same weights for the same seed
 * ```
 */
export function initialiseWeights(layers: readonly tf.layers.Layer[], init: DenseInit, seed: number | Rng = 0): void {
  checkInit('initialiseWeights', init);
  const rng = typeof seed === 'number' ? createRng(seed).fork('init') : seed;
  for (const layer of layers) {
    const kernel = layer.weights[0];
    if (!kernel || kernel.shape.length < 2 || layer.getClassName() === 'BatchNormalization') continue;
    initialiseLayer(layer, init, rng);
  }
}
