/**
 * Sorted PCA (thesis §7.8.2, Fig. 7.14): a deterministic first layer whose weight vectors are training inputs,
 * picked evenly along the first principal component so that the layer is a good "communication channel". This is
 * not a Platonic projection; it chooses weights, not a projection matrix.
 */
import { InvalidArgumentError, ShapeError, checkMatrix, checkNumber, type Matrix } from '@beyond-backprop/core-linalg';
import { covariance, leadingEigenvectors } from './principal-components.js';
import { arithmeticFor, type Precision } from './precision.js';
import { roundHalfEven } from './round-half-even.js';
import { stableArgsort } from './stable-argsort.js';

/** Options of {@link sortedPCASelection} and {@link sortedPCAWeights}. */
export interface SortedPCAOptions {
  /**
   * Whose first principal component orders the rows: `'X'` (default, the thesis listing) or `'XY'`, the augmented
   * `α·[X | β·Y]` (then `y` is required). Rows are projected with `v = M·c` on the same matrix `M` (the thesis'
   * "v = Xc" is dimensionally wrong for `[X | Y]`).
   */
  source?: 'X' | 'XY';
  /** Targets `m × k`, for `source: 'XY'`. */
  y?: Matrix;
  /** α of `α·[X | β·Y]` (`source: 'XY'`). Default 1. */
  alpha?: number;
  /** β of `α·[X | β·Y]` (`source: 'XY'`). Default 1. */
  beta?: number;
  /** Products for the covariance. Default `'float64'`. */
  precision?: Precision;
  /** Receives a message when an eigensolver fallback is used. */
  onWarning?: (message: string) => void;
}

/** Which rows Sorted PCA picks, and why. */
export interface SortedPCASelection {
  /** `h` row indices of `x`, ordered by their projection on the first component (non-decreasing). */
  indices: Int32Array;
  /** `v = M·c`: every row's projection on the first principal component. */
  projections: Float64Array;
  /** The first principal component `c` of the source matrix (sign-fixed). */
  component: Float64Array;
  /** `true` when `h > m`, so some rows are picked more than once. */
  repeated: boolean;
}

/**
 * Selects `h` rows of `x` (`m × n`) evenly along the first principal component: sort `v = M·c` ascending (stable),
 * then take sorted positions `roundHalfEven(j·m/h)`, `j = 0 … h−1` (the listing's `arange(0, m−1, m/h).round()`,
 * computed in float64 with torch's tie rule).
 *
 * @example
 * ```ts
 * const { indices } = sortedPCASelection(x, 64);
 * ```
 */
export function sortedPCASelection(x: Matrix, h: number, options: SortedPCAOptions = {}): SortedPCASelection {
  const fn = 'sortedPCASelection';
  checkMatrix(fn, 'x', x);
  checkNumber(fn, 'h', h, { min: 1, integer: true });
  if (x.rows < 1) throw new ShapeError(fn, 'x', ['m ≥ 1', 'n'], [x.rows, x.cols], 'at least one example is needed');
  const source = options.source ?? 'X';
  if (source !== 'X' && source !== 'XY') throw new InvalidArgumentError(fn, 'options.source', "must be 'X' or 'XY'", source);
  let m: Matrix = x;
  if (source === 'XY') {
    const y = options.y;
    if (!y) throw new InvalidArgumentError(fn, 'options.y', "is required when source is 'XY'", y);
    checkMatrix(fn, 'options.y', y);
    if (y.rows !== x.rows) throw new ShapeError(fn, 'options.y', [x.rows, 'k'], [y.rows, y.cols], 'one target row per row of x');
    const alpha = options.alpha ?? 1;
    const beta = options.beta ?? 1;
    checkNumber(fn, 'options.alpha', alpha, { min: 0, exclusiveMin: true });
    checkNumber(fn, 'options.beta', beta, { min: 0 });
    const d = x.cols + y.cols;
    const data = new Float64Array(x.rows * d);
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < x.cols; j++) data[i * d + j] = alpha * x.data[i * x.cols + j];
      for (let j = 0; j < y.cols; j++) data[i * d + x.cols + j] = alpha * beta * y.data[i * y.cols + j];
    }
    m = { rows: x.rows, cols: d, data };
  }
  const arithmetic = arithmeticFor(options.precision ?? 'float64');
  const pc = leadingEigenvectors(covariance(m, true, arithmetic), 1, options.onWarning);
  const component = Float64Array.from(pc.vectors.data);
  const projections = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j] * component[j];
    projections[i] = s;
  }
  const order = stableArgsort(projections);
  const rows = m.rows;
  const indices = new Int32Array(h);
  for (let j = 0; j < h; j++) {
    // j·m is an exact integer product, so the only rounding is the division (round half to even); clamp the h > 2m edge.
    const pos = Math.min(rows - 1, roundHalfEven((j * rows) / h));
    indices[j] = order[pos];
  }
  return { indices, projections, component, repeated: h > rows };
}

/**
 * First-layer weights `W₁` (`(n+1) × h`, row 0 the bias) whose columns are the rows of `x` chosen by
 * {@link sortedPCASelection}, unscaled, with zero biases (the thesis leaves the bias row unstated).
 *
 * Inputs must be centred (or standardised): with non-negative inputs every `x·x_j ≥ 0`, so ReLU would act as the
 * identity and the layer would be linear (§7.8.2).
 *
 * @example
 * ```ts
 * const w1 = sortedPCAWeights(xStandardised, 392);   // 785 × 392
 * ```
 */
export function sortedPCAWeights(x: Matrix, h: number, options: SortedPCAOptions = {}): Matrix {
  const { indices } = sortedPCASelection(x, h, options);
  const n = x.cols;
  const w = new Float64Array((n + 1) * h);
  for (let j = 0; j < h; j++) {
    const row = indices[j];
    for (let i = 0; i < n; i++) w[(i + 1) * h + j] = x.data[row * n + i];
  }
  return { rows: n + 1, cols: h, data: w };
}
