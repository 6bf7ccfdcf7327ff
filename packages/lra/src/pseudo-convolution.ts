/**
 * The fixed-noise "pseudo-convolution" (perturbative) layer of P2 Sec. 3.3 (after P2 ref. [18]): each input channel is
 * perturbed by a fixed random noise map and rectified, and the perturbed maps are mixed by a learned 1×1 combination.
 * Only the mixing weights learn, by a local rule with no derivative (formulas PC-1 and PC-2 of P2 Sec. 3.3, after P2 ref. [18]).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, checkTensor, createRng, matMul } from '@beyond-backprop/core-linalg';
import { projectToBall } from './update-projection.js';
import { variableOf } from './training-state.js';

let layerCounter = 0;

/** Configuration of a {@link PseudoConvolution}. */
export interface PseudoConvolutionConfig {
  /** Input height, width and channels (NHWC, batch-first). */
  height: number;
  width: number;
  inChannels: number;
  /** Noise masks M; mask m perturbs input channel `m mod inChannels`. Default `inChannels` (one per channel). P2: 160 (CIFAR-10). */
  masks?: number;
  /** Output channels. */
  outChannels: number;
  /** σ of the Gaussian noise maps (P2 "noise level 0.1"). Default 0.1. */
  noiseStd?: number;
  /** σ of the initial mixing weights (P2: unit Gaussian). Default 1. */
  sigmaW?: number;
  /**
   * Shape of the error synapses into this layer (P2 Sec. 3.3 leaves it unspecified): `'dense'` maps an error row to every output value,
   * `'channel'` to one value per channel, broadcast over the map. Default `'dense'`.
   */
  errorProjection?: 'dense' | 'channel';
  /** Seed of the noise maps and weights. Default 0. */
  seed?: number;
}

/**
 * A pseudo-convolution layer (P2 Sec. 3.3, PC-1/PC-2). Forward: `P^m = relu(Z[…, m mod C_in] + N^m)` for the fixed maps
 * `N^m ~ N(0, σ_n²)` (`[H, W]`), then `out[…, c] = Σ_m w[m, c]·P^m` — a 1×1 convolution over the stacked `P`. There is no
 * nonlinearity after the sum, so the layer's rec-LRA target is `out − β·D` and its error neurons are `β·D`.
 * Update (PC-2): `Δw = (1/n)·reshape(P, [nHW, M])ᵀ·reshape(Err, [nHW, C_out])`, read as a Frobenius inner product over
 * the batch and the map (P2's PC-2 omits the output-channel index on `w` and writes `e ∗ (·)ᵀ`).
 *
 * Shapes: input `[n, H, W, C_in]`, output `[n, H, W, C_out]`, weights `[M, C_out]`.
 *
 * @example
 * ```ts
 * const pc = new PseudoConvolution({ height: 8, width: 8, inChannels: 1, masks: 4, outChannels: 3, seed: 1 });
 * const { perturbed, output } = pc.forward(images);
 * const dw = pc.weightUpdate(perturbed, errorNeurons, 1);
 * ```
 */
export class PseudoConvolution {
  /** Fixed noise maps `[M, H, W]` (never trained). */
  readonly noise: tf.Tensor3D;
  /** Mixing weights `w`, `[M, C_out]`. */
  readonly weights: tf.Variable<tf.Rank.R2>;
  readonly config: Readonly<Required<PseudoConvolutionConfig>>;
  private disposed = false;

  constructor(config: PseudoConvolutionConfig) {
    const fn = 'PseudoConvolution';
    if (config === null || typeof config !== 'object') throw new InvalidArgumentError(fn, 'config', 'must be an object', config);
    for (const key of ['height', 'width', 'inChannels', 'outChannels'] as const) checkNumber(fn, `config.${key}`, config[key], { min: 1, integer: true });
    const masks = config.masks ?? config.inChannels;
    checkNumber(fn, 'config.masks', masks, { min: 1, integer: true });
    const noiseStd = config.noiseStd ?? 0.1;
    checkNumber(fn, 'config.noiseStd', noiseStd, { min: 0 });
    const sigmaW = config.sigmaW ?? 1;
    checkNumber(fn, 'config.sigmaW', sigmaW, { min: 0 });
    const errorProjection = config.errorProjection ?? 'dense';
    if (errorProjection !== 'dense' && errorProjection !== 'channel')
      throw new InvalidArgumentError(fn, 'config.errorProjection', "must be 'dense' or 'channel'", errorProjection);
    const seed = config.seed ?? 0;
    checkNumber(fn, 'config.seed', seed, { integer: true });
    this.config = { ...config, masks, noiseStd, sigmaW, errorProjection, seed };
    const rng = createRng(seed);
    this.noise = rng.fork('noise').normalTensor([masks, config.height, config.width], { std: noiseStd }) as tf.Tensor3D;
    this.weights = variableOf(
      rng.fork('weights').normalTensor([masks, config.outChannels], { std: sigmaW }),
      `pseudo_conv_${layerCounter++}`,
    ) as tf.Variable<tf.Rank.R2>;
  }

  /**
   * PC-1: the rectified perturbed maps `P` (`[n, H, W, M]`) and the output (`[n, H, W, C_out]`).
   *
   * @example
   * ```ts
   * const { output } = pc.forward(x);
   * ```
   */
  forward(x: tf.Tensor4D): { perturbed: tf.Tensor4D; output: tf.Tensor4D } {
    this.assertLive('forward');
    const { height, width, inChannels, masks, outChannels } = this.config;
    checkTensor('PseudoConvolution.forward', 'x', x, { shape: [null, height, width, inChannels], dtype: 'float32' });
    return tf.tidy(() => {
      const channel = Int32Array.from({ length: masks }, (_, m) => m % inChannels);
      const picked = tf.gather(x, tf.tensor1d(channel, 'int32'), 3);
      // Noise is [M, H, W]; bring the mask axis last to broadcast over the batch.
      const perturbed = tf.relu(tf.add(picked, tf.transpose(this.noise, [1, 2, 0]))) as tf.Tensor4D;
      const n = x.shape[0];
      const output = matMul(tf.reshape(perturbed, [n * height * width, masks]) as tf.Tensor2D, this.weights).reshape([
        n,
        height,
        width,
        outChannels,
      ]) as tf.Tensor4D;
      return { perturbed, output };
    });
  }

  /**
   * Displacement `D` (`[n, H, W, C_out]`) from a parent's error neurons `[n, d_parent]` through synapses of
   * {@link synapseShape} (P2 Eq. 3).
   *
   * @example
   * ```ts
   * const d = pc.displacement(errOut, e);
   * ```
   */
  displacement(parentError: tf.Tensor2D, synapses: tf.Tensor2D): tf.Tensor4D {
    const { height, width, outChannels, errorProjection } = this.config;
    const n = parentError.shape[0];
    checkTensor('PseudoConvolution.displacement', 'synapses', synapses, { shape: this.synapseShape(parentError.shape[1]) });
    return tf.tidy(() => {
      const d = matMul(parentError, synapses);
      return (
        errorProjection === 'dense' ? d.reshape([n, height, width, outChannels]) : tf.tile(d.reshape([n, 1, 1, outChannels]), [1, height, width, 1])
      ) as tf.Tensor4D;
    });
  }

  /** Shape of the error synapses from a parent of width `parentWidth`: `[d_parent, H·W·C_out]` or `[d_parent, C_out]`. */
  synapseShape(parentWidth: number): [number, number] {
    const { height, width, outChannels, errorProjection } = this.config;
    return [parentWidth, errorProjection === 'dense' ? height * width * outChannels : outChannels];
  }

  /**
   * PC-2: `Δw = Nm((1/n)·reshape(P, [nHW, M])ᵀ·reshape(Err, [nHW, C_out]), c)`, `[M, C_out]` — the exact gradient of
   * `(1/2n)‖out − Ŷ‖²` with the target held constant, because the layer is linear in `w`.
   *
   * @example
   * ```ts
   * const dw = pc.weightUpdate(perturbed, err, 1.0);
   * ```
   */
  weightUpdate(perturbed: tf.Tensor4D, error: tf.Tensor4D, clip: number): tf.Tensor2D {
    const { masks, outChannels } = this.config;
    return tf.tidy(() => {
      const rows = perturbed.shape[0] * perturbed.shape[1] * perturbed.shape[2];
      const g = matMul(perturbed.reshape([rows, masks]) as tf.Tensor2D, error.reshape([rows, outChannels]) as tf.Tensor2D, true, false);
      return projectToBall(tf.div(g, perturbed.shape[0]), clip) as tf.Tensor2D;
    });
  }

  /** Frees the noise maps and weights. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.noise, this.weights]);
  }

  private assertLive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`PseudoConvolution.${method}`, 'this', 'must not be disposed', 'a disposed layer');
  }
}
