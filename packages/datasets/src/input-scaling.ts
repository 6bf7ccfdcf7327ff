/**
 * Input rescaling and reshaping that every image pipeline of the papers starts with: pixels divided by 255
 * (target-space §5.2 code, rec-LRA §4) and images flattened into rows for MLPs.
 */
import { checkNumber } from '@beyond-backprop/core-linalg';
import { checkSplit, numExamples, type Split } from './split.js';

/**
 * Maps inputs linearly from `[min, max]` to `[0, 1]`: `x' = (x − min) / (max − min)`. The default (`min = 0`,
 * `max = 255`) is the papers' pixel scaling. Returns a new split; labels are shared, not copied.
 *
 * @example
 * ```ts
 * const scaled = scaleToUnitRange(rawMnist.train);   // 0–255 → [0, 1]
 * ```
 */
export function scaleToUnitRange<Y extends Int32Array | Float32Array>(split: Split<Y>, options: { min?: number; max?: number } = {}): Split<Y> {
  const fn = 'scaleToUnitRange';
  checkSplit(fn, 'split', split);
  const min = options.min ?? 0;
  const max = options.max ?? 255;
  checkNumber(fn, 'min', min);
  checkNumber(fn, 'max', max, { min, exclusiveMin: true });
  const x = new Float32Array(split.x.length);
  const range = max - min;
  for (let i = 0; i < x.length; i++) x[i] = (split.x[i] - min) / range;
  return { ...split, x, xShape: [...split.xShape] };
}

/**
 * Flattens every example to one row: `x: [n, …]` → `[n, prod(…)]` (row-major, so NHWC images become HWC rows).
 * Returns a new split with a copy of `x`.
 *
 * @example
 * ```ts
 * flattenInputs(mnist.train).xShape;   // [60000, 784]
 * ```
 */
export function flattenInputs<Y extends Int32Array | Float32Array>(split: Split<Y>): Split<Y> {
  checkSplit('flattenInputs', 'split', split);
  const n = numExamples(split);
  return { ...split, x: split.x.slice(), xShape: [n, split.xShape.slice(1).reduce((p, d) => p * d, 1)] };
}
