/**
 * The least-squares distance (thesis Eq. 5.3): how well a linear readout can recover the targets from a
 * representation. The selection criterion over tries (§7.5.1) and the per-layer curves of Fig. 7.5–7.7 and 7.10.
 */
import { ShapeError, checkMatrix, type Matrix } from '@beyond-backprop/core-linalg';
import { checkSolverSpec, prepareSolver, type SolverSpec } from './least-squares-solver.js';
import { prependOnes } from './platonic-model.js';
import { arithmeticFor, type Precision } from './precision.js';

/**
 * `LSD(Z, Y) = (1/m)·‖Y − Z̄·Z̄⁺Y‖²_F` with `Z̄ = [1 | Z]` (thesis Eq. 5.2–5.3; the bias column is included, so this is the
 * training error of a linear readout with bias; for `k = 1` it is the MSE). `solver` picks how `Z̄⁺Y` is
 * computed (default pinv with torch's cut-off), as in the fit.
 *
 * @example
 * ```ts
 * leastSquaresDistance(model.forward(x).hidden[0], y);   // the LSD of the first hidden layer
 * ```
 */
export function leastSquaresDistance(z: Matrix, y: Matrix, solver: SolverSpec = { kind: 'pinv' }, precision: Precision = 'float64'): number {
  const fn = 'leastSquaresDistance';
  checkMatrix(fn, 'z', z);
  checkMatrix(fn, 'y', y);
  if (y.rows !== z.rows) throw new ShapeError(fn, 'y', [z.rows, 'k'], [y.rows, y.cols], "one target row per row of 'z'");
  checkSolverSpec(fn, 'solver', solver);
  const arithmetic = arithmeticFor(precision);
  const zb = prependOnes(z);
  const coef = prepareSolver(zb, solver, arithmetic, () => {}).solve(y);
  const fit = arithmetic.matmul(zb, coef);
  let s = 0;
  for (let i = 0; i < fit.data.length; i++) s += (y.data[i] - fit.data[i]) ** 2;
  return s / Math.max(1, z.rows);
}
