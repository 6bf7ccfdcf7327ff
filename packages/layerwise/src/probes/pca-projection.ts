/**
 * The 2-D PCA view of a layer's representation (Øland, thesis §5.3.3, Fig. 5.8–5.9): class separability grows layer
 * by layer.
 */
import { InvalidArgumentError, checkNumber, matrix, symEig } from '@beyond-backprop/core-linalg';

/**
 * Projects `m` rows of `d` values onto their top two principal directions (centred; eigenvectors of the covariance in
 * float64, each signed so its largest-magnitude entry is positive). Returns `[m, 2]` row-major coordinates and the two
 * variances.
 *
 * @example
 * ```ts
 * pca2d([1, 1, -1, -1, 2, 2, -2, -2], 2).coords; // [√2, 0, −√2, 0, 2√2, 0, −2√2, 0]
 * ```
 */
export function pca2d(z: ArrayLike<number>, d: number): { coords: Float64Array; variances: [number, number] } {
  const fn = 'pca2d';
  checkNumber(fn, 'd', d, { min: 1, integer: true });
  const m = z.length / d;
  if (!Number.isInteger(m) || m < 1) throw new InvalidArgumentError(fn, 'z', `must hold a whole number of rows of ${d} values`, z.length);
  const mean = new Float64Array(d);
  for (let i = 0; i < m; i++) for (let c = 0; c < d; c++) mean[c] += z[i * d + c] / m;
  const cov = matrix(d, d);
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < d; a++) {
      const va = z[i * d + a] - mean[a];
      for (let b = 0; b < d; b++) cov.data[a * d + b] += (va * (z[i * d + b] - mean[b])) / m;
    }
  }
  const { values, vectors } = symEig(cov);
  const dirs: Float64Array[] = [];
  for (let r = 0; r < 2; r++) {
    const col = d - 1 - r;
    const v = new Float64Array(d);
    if (col >= 0) {
      let big = 0;
      for (let a = 0; a < d; a++) {
        v[a] = vectors.data[a * d + col];
        if (Math.abs(v[a]) > Math.abs(big)) big = v[a];
      }
      if (big < 0) for (let a = 0; a < d; a++) v[a] = -v[a];
    }
    dirs.push(v);
  }
  const coords = new Float64Array(m * 2);
  for (let i = 0; i < m; i++) {
    for (let r = 0; r < 2; r++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (z[i * d + a] - mean[a]) * dirs[r][a];
      coords[i * 2 + r] = s;
    }
  }
  return { coords, variances: [Math.max(0, values[d - 1] ?? 0), Math.max(0, d >= 2 ? values[d - 2] : 0)] };
}
