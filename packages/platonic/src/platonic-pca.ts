/**
 * Platonic PCA (thesis §7.8.1, Fig. 7.12–7.13): a deterministic projection matrix made of the principal components
 * of the augmented matrix itself. With a large β the label columns dominate the variance and pull the leading
 * components towards discriminative directions.
 */
import { InvalidArgumentError, ShapeError, checkMatrix, checkNumber, type Matrix } from '@beyond-backprop/core-linalg';
import { augmentedMatrix } from './platonic-projection.js';
import { arithmeticFor, type Precision } from './precision.js';
import { covariance, leadingEigenvectors } from './principal-components.js';

/** Options of {@link platonicPCAProjection}. */
export interface PlatonicPCAOptions {
  /** α of `A = α·[Z̄ | β·(r ⊙ Y)]`. Default 1. */
  alpha?: number;
  /** β of `A`. Default 1. */
  beta?: number;
  /** Per-example weights `r` on the rows of `Y` (re-weighting, §7.9.3). Default: all ones. */
  rowWeights?: Float64Array;
  /** Centred covariance (default `true`; §7.8.1 does not say which) or the uncentred second moment. */
  center?: boolean;
  /** Products for the covariance. Default `'float64'`. */
  precision?: Precision;
  /** Receives a message when an eigensolver fallback is used. */
  onWarning?: (message: string) => void;
}

/** A Platonic-PCA projection. */
export interface PlatonicPCAProjection {
  /** `(p + k) × h`: the leading `h` principal components of `A` as orthonormal, sign-fixed columns. */
  projection: Matrix;
  /** All `p + k` eigenvalues of the covariance of `A`, descending. */
  eigenvalues: Float64Array;
  /** Eigenvalues above round-off; components past it are arbitrary within their null space. */
  numericalRank: number;
}

/**
 * The projection matrix of Platonic PCA: the `h` leading principal components of `A = α·[Z̄ | β·(r ⊙ Y)]`, where
 * `Z̄ = [1 | Z]` (`m × p`, bias column included) and `Y` is `m × k`. At most `p + k` components exist, so
 * `h > p + k` throws (Table 7.2's "N/A" at width 1568 > 784 + 10); compare `h` with `numericalRank` to see whether
 * the trailing columns are meaningful.
 *
 * @example
 * ```ts
 * const { projection } = platonicPCAProjection(zb, y, 32, { beta: 1e4 });
 * const targets = platonicTargets(zb, y, projection, 1, 1e4);
 * ```
 */
export function platonicPCAProjection(zb: Matrix, y: Matrix, h: number, options: PlatonicPCAOptions = {}): PlatonicPCAProjection {
  const fn = 'platonicPCAProjection';
  checkMatrix(fn, 'zb', zb);
  checkMatrix(fn, 'y', y);
  checkNumber(fn, 'h', h, { min: 1, integer: true });
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 1;
  checkNumber(fn, 'options.alpha', alpha, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'options.beta', beta, { min: 0 });
  if (y.rows !== zb.rows) throw new ShapeError(fn, 'y', [zb.rows, 'k'], [y.rows, y.cols], "one target row per row of 'zb'");
  const d = zb.cols + y.cols;
  if (h > d) {
    throw new InvalidArgumentError(fn, 'h', `must be ≤ p + k = ${zb.cols} + ${y.cols} = ${d}: A = α[Z̄ | βY] has only ${d} principal components`, h);
  }
  const a = augmentedMatrix(zb, y, alpha, beta, options.rowWeights);
  const pcs = leadingEigenvectors(covariance(a, options.center ?? true, arithmeticFor(options.precision ?? 'float64')), h, options.onWarning);
  return { projection: pcs.vectors, eigenvalues: pcs.values, numericalRank: pcs.numericalRank };
}
