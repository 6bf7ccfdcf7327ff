/**
 * One-hot label encoding on splits (the `oneHot` of `split.ts` makes a tensor; this keeps typed arrays).
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';
import { checkSplit, type Split } from './split.js';

/**
 * Replaces integer labels by one-hot float32 rows: `y: [n]` → `[n, k]`, `[n, t]` → `[n, t, k]`. A label of −1 (not
 * scored) becomes an all-zero row, so it adds nothing to a summed cross-entropy. Returns a new split sharing `x`.
 *
 * @example
 * ```ts
 * oneHotLabels(xor().train, 2).y;   // Float32Array [1, 0,  0, 1,  0, 1,  1, 0]
 * ```
 */
export function oneHotLabels(split: Split<Int32Array>, numClasses: number): Split<Float32Array> {
  const fn = 'oneHotLabels';
  checkSplit(fn, 'split', split);
  checkNumber(fn, 'numClasses', numClasses, { min: 1, integer: true });
  if (!(split.y instanceof Int32Array)) throw new InvalidArgumentError(fn, 'split.y', 'must be Int32Array class labels', split.y);
  const y = new Float32Array(split.y.length * numClasses);
  for (let i = 0; i < split.y.length; i++) {
    const l = split.y[i];
    if (l === -1) continue;
    if (l < 0 || l >= numClasses) throw new InvalidArgumentError(fn, `split.y[${i}]`, `must lie in [0, ${numClasses - 1}] (or be −1: not scored)`, l);
    y[i * numClasses + l] = 1;
  }
  return { x: split.x, xShape: [...split.xShape], y, yShape: [...split.yShape, numClasses] };
}
