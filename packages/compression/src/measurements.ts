/**
 * Measurement utilities for reproducing the observations of Øland, thesis §3.3–3.5 and §3.8: weight entropy per
 * layer and epoch (Fig. 3.3), the RMS of each layer's loss gradient (Fig. 3.2), their correlation (§3.5: > 0.75),
 * and bits/parameter with the compression ratio against float32 (§3.8–3.9).
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import { estimateEntropy } from './entropy.js';

/**
 * The entropy (bits) of a layer's `bits`-bit quantisation over its own range (thesis §3.4, Fig. 3.3): the whole layer
 * by default, or a seeded fraction like the codec's estimate.
 *
 * @example
 * ```ts
 * weightEntropy(kernel, { bits: 4 }); // ≤ 4, falling as training proceeds
 * ```
 */
export function weightEntropy(values: Float32Array, options: { bits?: number; fraction?: number; seed?: number } = {}): number {
  return estimateEntropy(values, { bits: options.bits ?? 4, fraction: options.fraction ?? 1, seed: options.seed ?? 0, minSample: 0 });
}

/**
 * Root mean square of a gradient, `G = sqrt(mean(g²))` (thesis §3.3, Fig. 3.2).
 *
 * @example
 * ```ts
 * gradientRms(new Float32Array([3, -4])); // 3.5355
 * ```
 */
export function gradientRms(gradient: ArrayLike<number>): number {
  if (gradient.length === 0) throw new InvalidArgumentError('gradientRms', 'gradient', 'must not be empty', 0);
  let s = 0;
  for (let i = 0; i < gradient.length; i++) s += gradient[i] * gradient[i];
  const g = Math.sqrt(s / gradient.length);
  if (!Number.isFinite(g)) throw new InvalidArgumentError('gradientRms', 'gradient', 'must hold finite values', g);
  return g;
}

function checkPair(fn: string, x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length || x.length < 2)
    throw new InvalidArgumentError(fn, 'y', `must have the length of 'x' (${x.length}) and at least 2 entries`, y.length);
}

/**
 * Pearson correlation of two series, e.g. log₂(G + 1) against H over epochs (thesis §3.5 reports > 0.75). Constant
 * series give NaN (the correlation is undefined).
 *
 * @example
 * ```ts
 * pearson([1, 2, 3], [2, 4, 7]); // 0.9934
 * ```
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair('pearson', x, y);
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Cosine similarity of two series (the other reading of the thesis's "normalized correlation", §3.5).
 *
 * @example
 * ```ts
 * cosineSimilarity([1, 0], [1, 1]); // 0.7071
 * ```
 */
export function cosineSimilarity(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair('cosineSimilarity', x, y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += x[i] * y[i];
    sxx += x[i] * x[i];
    syy += y[i] * y[i];
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Bits per parameter, `Σ payloadBits / Σ values` (thesis §3.8; headers excluded, as in the thesis).
 *
 * @example
 * ```ts
 * bitsPerParameter(355, 100); // 3.55
 * ```
 */
export function bitsPerParameter(payloadBits: number, values: number): number {
  if (!(values > 0)) throw new InvalidArgumentError('bitsPerParameter', 'values', 'must be > 0', values);
  if (!(payloadBits >= 0)) throw new InvalidArgumentError('bitsPerParameter', 'payloadBits', 'must be >= 0', payloadBits);
  return payloadBits / values;
}

/**
 * Compression ratio against float32, `32 / bitsPerParameter` (thesis §3.8: 32 / 3.55 = 9.01).
 *
 * @param baselineBits - bits of the uncompressed format. Default 32.
 * @example
 * ```ts
 * compressionRatio(3.55).toFixed(2); // '9.01'
 * ```
 */
export function compressionRatio(bitsPerParam: number, baselineBits = 32): number {
  if (!(bitsPerParam > 0)) throw new InvalidArgumentError('compressionRatio', 'bitsPerParam', 'must be > 0', bitsPerParam);
  return baselineBits / bitsPerParam;
}
