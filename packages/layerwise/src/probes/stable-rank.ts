/**
 * Stable rank of a weight matrix, `‖W‖²_F / ‖W‖²_2` (Øland, thesis §5.6 and Fig. 6.3: random robin brings the
 * per-layer stable rank close to backprop's). Convolution kernels `[kh, kw, cin, cout]` are read as
 * `[kh·kw·cin, cout]` matrices.
 */
import { InvalidArgumentError, matrix, svd } from '@beyond-backprop/core-linalg';

/**
 * Stable rank of `values` (row-major) with shape `shape` (rank ≥ 2; leading dimensions are merged into rows).
 *
 * @example
 * ```ts
 * stableRank([3, 0, 0, 4], [2, 2]); // 1.5625
 * ```
 */
export function stableRank(values: ArrayLike<number>, shape: number[]): number {
  const fn = 'stableRank';
  if (!Array.isArray(shape) || shape.length < 2) throw new InvalidArgumentError(fn, 'shape', 'must have rank ≥ 2 (a matrix or a conv kernel)', shape);
  const cols = shape[shape.length - 1];
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (values.length !== rows * cols)
    throw new InvalidArgumentError(fn, 'values', `must hold ${rows * cols} values for shape [${shape.join(', ')}]`, values.length);
  let fro = 0;
  for (let i = 0; i < values.length; i++) fro += values[i] ** 2;
  if (fro === 0) return 0;
  const { s } = svd(matrix(rows, cols, values));
  return fro / s[0] ** 2;
}
