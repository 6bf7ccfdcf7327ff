/**
 * Argsort with a documented tie rule, so Sorted PCA selects the same rows on every engine.
 */

/**
 * Indices that sort `values` ascending; equal values keep their original (lower index first) order. NaN sorts last.
 *
 * @example
 * ```ts
 * stableArgsort(Float64Array.from([3, 1, 3, 0]));   // Int32Array [3, 1, 0, 2]
 * ```
 */
export function stableArgsort(values: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  const key = (i: number) => {
    const v = values[i];
    return v === v ? v : Number.POSITIVE_INFINITY;
  };
  // Array.prototype.sort is stable (ES2019); the index comparison makes the tie rule explicit regardless.
  // ∞ − ∞ is NaN, which is falsy, so infinities and NaNs also fall through to the index comparison.
  idx.sort((a, b) => key(a) - key(b) || a - b);
  return Int32Array.from(idx);
}
