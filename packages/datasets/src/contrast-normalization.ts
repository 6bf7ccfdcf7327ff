/**
 * Global contrast normalisation (GCN), per example, as in pylearn2's `global_contrast_normalize` (Goodfellow et al.
 * 2013, "Maxout Networks"), plus the per-channel, centre-only variant that rec-LRA (Ororbia et al. §4) describes as
 * its "global contrast normalization" for CIFAR-10 (Ororbia et al. §4).
 */
import { checkNumber } from '@beyond-backprop/core-linalg';
import { checkSplit, numExamples, type Split } from './split.js';

/** Options of {@link globalContrastNormalize} (pylearn2's names and defaults, plus `perChannel` and `centreOnly`). */
export interface ContrastNormalizationOptions {
  /** Target scale of each example. Default 1 (Goodfellow et al. use 55 for CIFAR-10). */
  scale?: number;
  /** Added under the square root. Default 0. */
  sqrtBias?: number;
  /** Divide by the standard deviation instead of the L2 norm of the centred example. Default `false`. */
  useStd?: boolean;
  /** Divisors below this are replaced by 1 (flat examples stay flat). Default 1e-8. */
  minDivisor?: number;
  /**
   * Normalise each channel (the last axis of `x`) of each example on its own instead of the whole example.
   * Default `false`.
   */
  perChannel?: boolean;
  /** Only subtract the mean; no division. Default `false`. */
  centreOnly?: boolean;
}

/**
 * Per-example global contrast normalisation: each example (all its values, or with `perChannel` each of its channels)
 * is centred on its own mean and divided by `√(sqrtBias + ‖x − x̄‖²) / scale` (or `√(sqrtBias + var(x)) / scale` with
 * `useStd`), in float64. Needs no fitted statistics, so train and test are transformed independently. Returns a new
 * split.
 *
 * rec-LRA's CIFAR-10 pipeline (§4: "each color channel's pixel mean was subtracted from itself", then ZCA) is
 * `globalContrastNormalize(split, { perChannel: true, centreOnly: true })` followed by {@link fitZca}.
 *
 * @example
 * ```ts
 * const gcn = globalContrastNormalize(cifar.train, { scale: 55 });                        // pylearn2 / maxout
 * const recLra = globalContrastNormalize(cifar.train, { perChannel: true, centreOnly: true }); // rec-LRA §4
 * ```
 */
export function globalContrastNormalize<Y extends Int32Array | Float32Array>(split: Split<Y>, options: ContrastNormalizationOptions = {}): Split<Y> {
  const fn = 'globalContrastNormalize';
  checkSplit(fn, 'split', split);
  const scale = options.scale ?? 1;
  const sqrtBias = options.sqrtBias ?? 0;
  const minDivisor = options.minDivisor ?? 1e-8;
  checkNumber(fn, 'scale', scale, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'sqrtBias', sqrtBias, { min: 0 });
  checkNumber(fn, 'minDivisor', minDivisor, { min: 0 });
  const n = numExamples(split);
  const d = n === 0 ? 0 : split.x.length / n;
  // Groups normalised together: the whole example, or every `groups`-th value (one channel of NHWC / HWC rows).
  const groups = options.perChannel ? (split.xShape.at(-1) ?? 1) : 1;
  const size = d / groups;
  const x = new Float32Array(split.x.length);
  for (let e = 0; e < n; e++) {
    const o = e * d;
    for (let g = 0; g < groups; g++) {
      let mean = 0;
      for (let j = g; j < d; j += groups) mean += split.x[o + j];
      mean /= size;
      let divisor = 1;
      if (!options.centreOnly) {
        let ss = 0;
        for (let j = g; j < d; j += groups) ss += (split.x[o + j] - mean) ** 2;
        divisor = Math.sqrt(sqrtBias + (options.useStd ? ss / size : ss)) / scale;
        if (divisor < minDivisor) divisor = 1;
      }
      for (let j = g; j < d; j += groups) x[o + j] = (split.x[o + j] - mean) / divisor;
    }
  }
  return { ...split, x, xShape: [...split.xShape] };
}
