/**
 * Histograms, Shannon entropy and the sampled entropy estimate of Øland, thesis §3.4–3.5 (Alg. 1 ESTIMATE
 * DISTRIBUTION and ESTIMATE ENTROPY). Entropy is in bits (log base 2, `0·log 0 = 0`).
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import { checkBits, layerRange, quantize } from './quantize.js';
import { sampleIndices } from './sampling.js';

/**
 * Counts of each of the `2^bits` bin indices (Alg. 1 ESTIMATE DISTRIBUTION, the integer counts `h(i)`).
 *
 * @param indices - `[n]` indices in `[0, 2^bits − 1]`.
 * @returns `[2^bits]` counts summing to `n`.
 * @example
 * ```ts
 * histogram(new Uint16Array([0, 1, 2, 3, 3]), 2); // Uint32Array [1, 1, 1, 2]
 * ```
 */
export function histogram(indices: ArrayLike<number>, bits: number): Uint32Array {
  checkBits('histogram', 'bits', bits);
  const levels = 2 ** bits;
  const counts = new Uint32Array(levels);
  for (let i = 0; i < indices.length; i++) {
    const q = indices[i];
    if (!(q >= 0 && q < levels) || !Number.isInteger(q)) {
      throw new InvalidArgumentError('histogram', 'indices', `must hold integers in [0, ${levels - 1}] (at ${i})`, q);
    }
    counts[q]++;
  }
  return counts;
}

/**
 * The empirical distribution `p(i) = h(i) / Σh` of the indices (Alg. 1 ESTIMATE DISTRIBUTION).
 *
 * @returns `[2^bits]` probabilities; all zero for an empty input.
 * @example
 * ```ts
 * estimateDistribution(new Uint16Array([0, 1, 2, 3, 3]), 2); // [0.2, 0.2, 0.2, 0.4]
 * ```
 */
export function estimateDistribution(indices: ArrayLike<number>, bits: number): Float64Array {
  const counts = histogram(indices, bits);
  const p = new Float64Array(counts.length);
  const n = indices.length;
  if (n === 0) return p;
  for (let i = 0; i < counts.length; i++) p[i] = counts[i] / n;
  return p;
}

/**
 * Shannon entropy in bits, `H = −Σ p log₂ p`, of a probability vector or of integer counts (normalised first).
 * Zero entries are skipped. Used for the bit depth N = H + c (thesis §3.5).
 *
 * @param weights - probabilities or non-negative counts.
 * @example
 * ```ts
 * entropy([0.5, 0.25, 0.125, 0.125]); // 1.75
 * entropy(new Uint32Array([1, 1, 1, 2])); // 1.9219...
 * ```
 */
export function entropy(weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw new InvalidArgumentError('entropy', 'weights', `must be finite and non-negative (at ${i})`, w);
    }
    total += w;
  }
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (w > 0) {
      const p = w / total;
      h -= p * Math.log2(p);
    }
  }
  return h > 0 ? h : 0;
}

/** Options of {@link estimateEntropy}. */
export interface EntropyEstimateOptions {
  /** F, the fraction of weights sampled (thesis §3.5: 3 % suffices). Default 0.03. */
  readonly fraction?: number;
  /** M, bit depth of the preliminary quantisation. Default 4. */
  readonly bits?: number;
  /** Lower end of the range; default the minimum of all of `values` (Alg. 1 uses the full layer's range). */
  readonly min?: number;
  /** Upper end of the range; default the maximum of all of `values`. */
  readonly max?: number;
  /**
   * Smallest sample, `s = max(⌈F·n⌉, min(n, minSample))`, so a 500-weight layer is not estimated from 15 points.
   * Default 256; 0 follows the thesis literally.
   */
  readonly minSample?: number;
  /** Seed of the sample draw. Default 0. */
  readonly seed?: number;
}

/** The sample size `s = max(⌈F·n⌉, min(n, minSample))`, at most `n`. */
export function entropySampleSize(n: number, fraction: number, minSample: number): number {
  return Math.min(n, Math.max(Math.ceil(fraction * n), Math.min(n, minSample)));
}

/**
 * The entropy of a cheap preliminary `M`-bit quantisation of a random fraction `F` of the weights (thesis §3.5,
 * Alg. 1 ESTIMATE ENTROPY): a seeded uniform sample without replacement, quantised over the full layer's range,
 * histogrammed over `2^M` bins. Returns a value in `[0, M]`; with `fraction: 1` it is the exact histogram entropy.
 *
 * @param values - `[n]` layer weights.
 * @example
 * ```ts
 * estimateEntropy(weights, { fraction: 0.03, bits: 4, seed: 7 }); // ≈ 3.06 for N(0,1) weights over [-4, 4]
 * ```
 */
export function estimateEntropy(values: Float32Array, options: EntropyEstimateOptions = {}): number {
  const fraction = options.fraction ?? 0.03;
  const bits = options.bits ?? 4;
  const minSample = options.minSample ?? 256;
  if (!(fraction > 0 && fraction <= 1)) throw new InvalidArgumentError('estimateEntropy', 'fraction', 'must be in (0, 1]', fraction);
  checkBits('estimateEntropy', 'bits', bits);
  if (!Number.isInteger(minSample) || minSample < 0) {
    throw new InvalidArgumentError('estimateEntropy', 'minSample', 'must be a non-negative integer', minSample);
  }
  const n = values.length;
  if (n === 0) return 0;
  const range = options.min === undefined || options.max === undefined ? layerRange(values, 'estimateEntropy') : null;
  const min = options.min ?? range!.min;
  const max = options.max ?? range!.max;
  const s = entropySampleSize(n, fraction, minSample);
  let sample: Float32Array;
  if (s >= n) sample = values;
  else {
    const picks = sampleIndices(n, s, options.seed ?? 0);
    sample = new Float32Array(s);
    for (let i = 0; i < s; i++) sample[i] = values[picks[i]];
  }
  return entropy(histogram(quantize(sample, min, max, bits), bits));
}
