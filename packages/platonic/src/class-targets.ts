/**
 * Class labels as regression targets for a closed-form fit, and back: ±1 for two classes (thesis Fig. 7.2),
 * one-hot rows otherwise (§7.9.2).
 */
import { InvalidArgumentError, checkNumber, type Matrix } from '@beyond-backprop/core-linalg';

/**
 * How labels become targets: `'plusMinusOne'` (two classes only: class 0 → −1, class 1 → +1, one column),
 * `'oneHot'` (`numClasses` columns of 0/1), or `'auto'` (±1 for two classes, one-hot otherwise).
 */
export type TargetCoding = 'auto' | 'plusMinusOne' | 'oneHot';

/** The resolved coding of a classification fit. */
export interface ClassCoding {
  numClasses: number;
  coding: 'plusMinusOne' | 'oneHot';
}

/**
 * Targets `m × k` for integer labels in `[0, numClasses)`.
 *
 * @example
 * ```ts
 * classTargets(Int32Array.from([0, 1, 1]), 2).targets.data;   // Float64Array [-1, 1, 1]
 * ```
 */
export function classTargets(labels: Int32Array, numClasses: number, coding: TargetCoding = 'auto'): { targets: Matrix; coding: ClassCoding } {
  const fn = 'classTargets';
  checkNumber(fn, 'numClasses', numClasses, { min: 2, integer: true });
  if (coding !== 'auto' && coding !== 'plusMinusOne' && coding !== 'oneHot') {
    throw new InvalidArgumentError(fn, 'coding', "must be 'auto', 'plusMinusOne' or 'oneHot'", coding);
  }
  const resolved = coding === 'auto' ? (numClasses === 2 ? 'plusMinusOne' : 'oneHot') : coding;
  if (resolved === 'plusMinusOne' && numClasses !== 2) {
    throw new InvalidArgumentError(fn, 'coding', `'plusMinusOne' needs exactly 2 classes (got numClasses = ${numClasses}); use 'oneHot'`, coding);
  }
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < numClasses)) throw new InvalidArgumentError(fn, `labels[${i}]`, `must be an integer in [0, ${numClasses - 1}]`, l);
  }
  const m = labels.length;
  if (resolved === 'plusMinusOne') {
    return { targets: { rows: m, cols: 1, data: Float64Array.from(labels, (l) => (l === 1 ? 1 : -1)) }, coding: { numClasses, coding: resolved } };
  }
  const data = new Float64Array(m * numClasses);
  for (let i = 0; i < m; i++) data[i * numClasses + labels[i]] = 1;
  return { targets: { rows: m, cols: numClasses, data }, coding: { numClasses, coding: resolved } };
}

/**
 * Class scores `n × numClasses` from network outputs: `[−ŷ, ŷ]` for ±1 coding (so the arg-max is the class of
 * `sign(ŷ)`), the outputs themselves for one-hot.
 *
 * @example
 * ```ts
 * classScores(fromRows([[0.8], [-0.3]]), { numClasses: 2, coding: 'plusMinusOne' }).data;   // [-0.8, 0.8, 0.3, -0.3]
 * ```
 */
export function classScores(outputs: Matrix, coding: ClassCoding): Matrix {
  if (coding.coding === 'oneHot') return outputs;
  const n = outputs.rows;
  const data = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const v = outputs.data[i];
    data[2 * i] = -v;
    data[2 * i + 1] = v;
  }
  return { rows: n, cols: 2, data };
}

/**
 * Predicted classes from network outputs: `sign(ŷ)` for ±1 coding (0 counts as class 1, i.e. +1), the row arg-max
 * for one-hot (the first index wins ties) — thesis Fig. 7.3 lines 22–26.
 *
 * @example
 * ```ts
 * predictedClasses(fromRows([[0.8], [-0.3]]), { numClasses: 2, coding: 'plusMinusOne' });   // Int32Array [1, 0]
 * ```
 */
export function predictedClasses(outputs: Matrix, coding: ClassCoding): Int32Array {
  const n = outputs.rows;
  const out = new Int32Array(n);
  if (coding.coding === 'plusMinusOne') {
    for (let i = 0; i < n; i++) out[i] = outputs.data[i] >= 0 ? 1 : 0;
    return out;
  }
  const k = outputs.cols;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (outputs.data[i * k + j] > outputs.data[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}
