/**
 * Platonic projections (thesis Def. 9, §7.3, §7.5.2): targets `T = α·[Z̄ | β·Y]·P` for a hidden layer's
 * pre-activation, with `P` a seeded Gaussian matrix, and the augmented ("platonic") matrix they project.
 */
import { InvalidArgumentError, ShapeError, checkMatrix, checkNumber, createRng, matmulF64, type Matrix } from '@beyond-backprop/core-linalg';

/**
 * The augmented matrix `α·[Z̄ | β·(r ⊙ Y)]` (`m × (p + k)`, batch-first) of Fig. 7.3: `Z̄` already holds the bias column, so the
 * bias is part of the projection and α scales it too (Fig. 7.3 lines 9–10, 17, 24; §7.5.2). `rowWeights` (`r`, length m) scales the rows of
 * `Y` for re-weighted Platonic PCA (§7.9.3); omit it for `r = 1`.
 *
 * @example
 * ```ts
 * const a = augmentedMatrix(zb, y, 0.1, 10);   // [0.1·Z̄ | 1·Y]
 * ```
 */
export function augmentedMatrix(zb: Matrix, y: Matrix, alpha: number, beta: number, rowWeights?: Float64Array): Matrix {
  const fn = 'augmentedMatrix';
  checkMatrix(fn, 'zb', zb);
  checkMatrix(fn, 'y', y);
  if (y.rows !== zb.rows) throw new ShapeError(fn, 'y', [zb.rows, 'k'], [y.rows, y.cols], "one target row per row of 'zb'");
  checkNumber(fn, 'alpha', alpha);
  checkNumber(fn, 'beta', beta);
  if (rowWeights !== undefined && rowWeights.length !== zb.rows) {
    throw new ShapeError(fn, 'rowWeights', [zb.rows], [rowWeights.length], "one weight per row of 'zb'");
  }
  const m = zb.rows;
  const p = zb.cols;
  const k = y.cols;
  const d = p + k;
  const out = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < p; j++) out[i * d + j] = alpha * zb.data[i * p + j];
    const r = rowWeights ? rowWeights[i] : 1;
    for (let j = 0; j < k; j++) out[i * d + p + j] = alpha * (beta * (r * y.data[i * k + j]));
  }
  return { rows: m, cols: d, data: out };
}

/**
 * The Gaussian projection matrix `P ~ N(0, 1)^{rows × cols}` of layer `layer` (1-based), try `tryIndex` (1-based),
 * drawn from its own sub-stream of `seed` and filled row-major (Fig. 7.3, §7.5.1). Because every (layer, try) has its own
 * stream, try 1 of an `nTries = N` fit is bit-identical to the single-try fit with the same seed.
 *
 * @example
 * ```ts
 * const p1 = gaussianProjection(0, 1, 1, 1 + 1 + 1, 16);   // the listing's P_1 for the sine (n = 1, k = 1)
 * ```
 */
export function gaussianProjection(seed: number, layer: number, tryIndex: number, rows: number, cols: number): Matrix {
  const fn = 'gaussianProjection';
  checkNumber(fn, 'seed', seed, { integer: true });
  checkNumber(fn, 'layer', layer, { min: 1, integer: true });
  checkNumber(fn, 'tryIndex', tryIndex, { min: 1, integer: true });
  checkNumber(fn, 'rows', rows, { min: 1, integer: true });
  checkNumber(fn, 'cols', cols, { min: 1, integer: true });
  return gaussianMatrix(seed, `platonic/P/layer-${layer}/try-${tryIndex}`, rows, cols);
}

/** @internal `N(0, 1)` matrix from the sub-stream `label` of `seed`. */
export function gaussianMatrix(seed: number, label: string, rows: number, cols: number): Matrix {
  const rng = createRng(seed).fork(label);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols, data };
}

/**
 * Platonic targets `T = α·[Z̄ | β·Y]·P` (`m × h`) for `P: (p + k) × h` — Def. 9 and §7.5.2 literally (the fit
 * itself uses the equivalent precomputed form `W = (Z̄⁺A)·P`, §2.6).
 *
 * @example
 * ```ts
 * const t = platonicTargets(zb, y, gaussianProjection(0, 1, 1, zb.cols + y.cols, 32), 1, 2);
 * ```
 */
export function platonicTargets(zb: Matrix, y: Matrix, projection: Matrix, alpha = 1, beta = 1): Matrix {
  const a = augmentedMatrix(zb, y, alpha, beta);
  checkMatrix('platonicTargets', 'projection', projection);
  if (projection.rows !== a.cols) {
    throw new ShapeError('platonicTargets', 'projection', [a.cols, 'h'], [projection.rows, projection.cols], 'one row per column of [Z̄ | Y] (bias included)');
  }
  if (projection.cols < 1) throw new InvalidArgumentError('platonicTargets', 'projection', 'must have at least one column', projection.cols);
  return matmulF64(a, projection);
}
