/**
 * The second-order analysis of thesis §4.14: curvature of the squared error `E = ½(y − t)²` with respect to the
 * logit `x` of a single output (eqs. 4.1–4.4), and the derivative of the imposed delta for the GA heads. These are the
 * formulas as printed, for plots and teaching; they are not used in training.
 */

/** The curvature formulas of §4.14, on plain numbers (float64). See {@link curvature}. */
export interface CurvatureFormulas {
  /** Eq. 4.1: `H_linear = 1` for `y = x`. */
  linear(x?: number): number;
  /** Eq. 4.2: `H_softmax = y² − y(t − y)` with `y = e^x / s`, the normaliser `s` held constant. */
  softmax(x: number, t: number, s: number): number;
  /** Eq. 4.3: `H_exp = e^{2x} − e^x(t − e^x)` for `y = e^x`. */
  exp(x: number, t: number): number;
  /** Eq. 4.4: `H_pow3 = 9x⁴ − 6x(t − x³)` for `y = x³`. */
  pow3(x: number, t: number): number;
  /** exp-GA: the derivative of the imposed delta `αe^x − t`, `α·e^x` (printed with α = 1 as `e^x`). */
  expGA(x: number, alpha?: number): number;
  /** pow3-GA: the derivative of the imposed delta `αx³ + β − t`, `3α·x²` (printed with α = 1 as `3x²`). */
  pow3GA(x: number, alpha?: number): number;
  /**
   * Softmax + cross-entropy, own logit: `∂²L/∂x² = y(1 − y) ≤ ¼` with `y = e^x / s`. The thesis states this curvature
   * as `1` (§4.14); this is the correct second derivative (checked by finite differences in the tests).
   */
  softmaxCE(x: number, s: number): number;
}

/**
 * Curvature helpers of thesis §4.14 (eqs. 4.1–4.4 and the GA deltas' derivatives).
 *
 * The chapter concludes `H_pow3 > H_exp > H_softmax > H_linear` as `x → ±∞` from the leading terms; note that
 * `9x⁴ > e^{2x}` fails for x above ≈ 3.7, so compare the functions themselves rather than trust the ordering.
 *
 * @example
 * ```ts
 * curvature.exp(1, 2);      // e² − e(2 − e) ≈ 9.34
 * curvature.pow3(2, 8);     // 9·16 − 12·0 = 144
 * curvature.expGA(0, 0.1);  // 0.1
 * ```
 */
export const curvature: Readonly<CurvatureFormulas> = Object.freeze({
  linear: () => 1,
  softmax: (x: number, t: number, s: number) => {
    const y = Math.exp(x) / s;
    return y * y - y * (t - y);
  },
  exp: (x: number, t: number) => {
    const e = Math.exp(x);
    return e * e - e * (t - e);
  },
  pow3: (x: number, t: number) => 9 * x ** 4 - 6 * x * (t - x ** 3),
  expGA: (x: number, alpha = 1) => alpha * Math.exp(x),
  pow3GA: (x: number, alpha = 1) => 3 * alpha * x * x,
  softmaxCE: (x: number, s: number) => {
    const y = Math.exp(x) / s;
    return y * (1 - y);
  },
});
