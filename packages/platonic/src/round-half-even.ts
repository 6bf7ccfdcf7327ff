/**
 * Rounding to the nearest integer with ties to even (banker's rounding), the rule of `torch.round` and IEEE 754's
 * default. JavaScript's `Math.round` rounds ties up, which picks a different Sorted-PCA sample at
 * `m = 60000, h = 3136, j = 147` (Sorted PCA, §7.8.2).
 */

/**
 * `x` rounded to the nearest integer, ties to the even neighbour.
 *
 * @example
 * ```ts
 * roundHalfEven(2.5);    // 2
 * roundHalfEven(3.5);    // 4
 * roundHalfEven(-0.5);   // -0
 * ```
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends every tie up; a tie landing on an odd number belongs one below.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
