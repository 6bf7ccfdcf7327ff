/**
 * Gradual linearisation (Øland, thesis §5.3.1–5.3.2, Eq. 5.2–5.3): the least-squares distance of a layer's
 * representation to the one-hot targets. The computation is platonic's `leastSquaresDistance` (pinv with a bias
 * column); this probe takes tensors and labels and flags the degenerate `d > m/4` case.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, checkTensor, matrix, type Matrix } from '@beyond-backprop/core-linalg';
import { leastSquaresDistance } from '@beyond-backprop/platonic';

/** What {@link lsdProbe} returns. */
export interface LsdProbeResult {
  /** `(1/m)·‖Y − Z̄Z̄⁺Y‖²_F`, `Z̄ = [1 | Z]`, `Y` one-hot. */
  lsd: number;
  /** `lsd / p` (per target column). */
  lsdPerEntry: number;
  m: number;
  d: number;
  /** `d > m/4`: the LSD tends to 0 whatever the representation (Z̄ has nearly full row rank). */
  degenerate: boolean;
}

/**
 * Least-squares distance of `z: [m, …]` (flattened per row) to the labels: `labels` int32 `[m]` (one-hot with
 * `numClasses` columns) or float targets `[m, p]`.
 *
 * @example
 * ```ts
 * lsdProbe(tf.tensor2d([[-1], [0], [1]]), tf.tensor2d([[1], [0], [1]])).lsd; // 2/9
 * ```
 */
export function lsdProbe(z: tf.Tensor, labels: tf.Tensor, numClasses?: number): LsdProbeResult {
  const fn = 'lsdProbe';
  checkTensor(fn, 'z', z, { dtype: 'float32', finite: true });
  const m = z.shape[0];
  if (!(m >= 1)) throw new InvalidArgumentError(fn, 'z', 'must have at least one row', m);
  const d = z.size / m;
  const zm = matrix(m, d, z.dataSync());
  let ym: Matrix;
  if (labels.dtype === 'int32') {
    checkTensor(fn, 'labels', labels, { shape: [m] });
    const y = labels.dataSync();
    const k = numClasses ?? Math.max(...y) + 1;
    checkNumber(fn, 'numClasses', k, { min: 1, integer: true });
    ym = matrix(m, k);
    for (let i = 0; i < m; i++) {
      if (!(y[i] >= 0 && y[i] < k)) throw new InvalidArgumentError(fn, 'labels', `must be class indices in [0, ${k})`, y[i]);
      ym.data[i * k + y[i]] = 1;
    }
  } else {
    checkTensor(fn, 'labels', labels, { shape: [m, null], dtype: 'float32', finite: true });
    ym = matrix(m, labels.shape[1]!, labels.dataSync());
  }
  const lsd = leastSquaresDistance(zm, ym);
  return { lsd, lsdPerEntry: lsd / ym.cols, m, d, degenerate: d > m / 4 };
}
