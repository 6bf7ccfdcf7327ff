/**
 * Per-channel mean removal with training-set statistics, applicable to any split: the usual reading of "subtract the
 * per-channel mean" (our reading of Ororbia et al. §4 for CIFAR-10). rec-LRA's own wording (Ororbia et al. §4) is per image; for that use
 * `globalContrastNormalize(split, { perChannel: true, centreOnly: true })`.
 */
import { ShapeError } from '@beyond-backprop/core-linalg';
import { checkSplit, numExamples, type Split } from './split.js';

/** A preprocessing step fitted on training data, applicable to any split of the same layout. */
export interface FittedTransform {
  /** Transforms a split (returns a new one; the input is not changed). */
  apply<Y extends Int32Array | Float32Array>(split: Split<Y>): Split<Y>;
}

/** {@link fitChannelMean}'s result. */
export interface ChannelMeanTransform extends FittedTransform {
  /** Mean of each channel (the last axis of `x`), in float64. */
  mean: Float64Array;
}

/**
 * Fits the mean of each channel — the last axis of `x`, so the colour channels of NHWC images or the features of
 * `[n, d]` rows — over all training examples and positions, in float64. `apply` subtracts it.
 *
 * @example
 * ```ts
 * const centre = fitChannelMean(cifar.train);
 * const train = centre.apply(cifar.train);
 * const test = centre.apply(cifar.test);   // statistics of the training split
 * ```
 */
export function fitChannelMean(split: Split<Int32Array | Float32Array>): ChannelMeanTransform {
  const fn = 'fitChannelMean';
  checkSplit(fn, 'split', split);
  const c = split.xShape.at(-1)!;
  const mean = new Float64Array(c);
  const count = split.x.length / c;
  for (let i = 0; i < split.x.length; i++) mean[i % c] += split.x[i];
  for (let k = 0; k < c; k++) mean[k] = count > 0 ? mean[k] / count : 0;
  if (numExamples(split) === 0) mean.fill(0);
  return {
    mean,
    apply<Y extends Int32Array | Float32Array>(target: Split<Y>): Split<Y> {
      checkSplit('ChannelMeanTransform.apply', 'split', target);
      if (target.xShape.at(-1) !== c) {
        throw new ShapeError(
          'ChannelMeanTransform.apply',
          'split.x',
          [...target.xShape.slice(0, -1).map(() => null), c],
          target.xShape,
          `fitted on ${c} channels`,
        );
      }
      const x = new Float32Array(target.x.length);
      for (let i = 0; i < x.length; i++) x[i] = target.x[i] - mean[i % c];
      return { ...target, x, xShape: [...target.xShape] };
    },
  };
}
