/**
 * k-filtering and k-redundancy (Øland, thesis §5.4, Def. 8, Table 5.1; online in DPL, §6.8.2): an example is
 * redundant when all `k` of its nearest neighbours (Euclidean, on the flattened representation) share its label;
 * k-filtering removes the redundant examples and keeps the ε-band around the decision boundary.
 */
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/** Options of {@link kFilter}. */
export interface KFilterOptions {
  /** Filter consecutive blocks of this many rows (the thesis's "large mini-batches"). Default: all rows. */
  batchSize?: number;
  /** At most `floor(maxRemoveFraction · blockSize)` rows are removed per block (§6.8.2 caps at 0.6). Default 1. */
  maxRemoveFraction?: number;
}

/** What {@link kFilter} returns. */
export interface KFilterResult {
  /** `true` for the rows that are kept. */
  keep: boolean[];
  /** Rows removed. */
  removed: number;
  /** `removed / m` — the k-redundancy. */
  redundancy: number;
}

/**
 * k-filters the rows of `z` (`m` rows of `d` values, row-major) with labels `y`. Neighbour ties go to the lower index;
 * an example is not its own neighbour; a block of `≤ k` rows is kept whole. When the cap binds, the removed rows are
 * the most interior ones: largest distance to the nearest differently-labelled row of the block.
 *
 * @example
 * ```ts
 * kFilter(Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 1, [0, 0, 0, 0, 1, 1, 1, 1], 2).keep; // only rows 3 and 4
 * ```
 */
export function kFilter(z: ArrayLike<number>, d: number, y: ArrayLike<number>, k: number, options: KFilterOptions = {}): KFilterResult {
  const fn = 'kFilter';
  checkNumber(fn, 'd', d, { min: 1, integer: true });
  checkNumber(fn, 'k', k, { min: 1, integer: true });
  const m = y.length;
  if (z.length !== m * d) throw new InvalidArgumentError(fn, 'z', `must hold m·d = ${m}·${d} values (one row per label)`, z.length);
  const batchSize = options.batchSize ?? Math.max(1, m);
  checkNumber(fn, 'options.batchSize', batchSize, { min: 1, integer: true });
  const cap = options.maxRemoveFraction ?? 1;
  checkNumber(fn, 'options.maxRemoveFraction', cap, { min: 0, max: 1 });
  const keep = new Array<boolean>(m).fill(true);
  let removed = 0;
  for (let start = 0; start < m; start += batchSize) {
    const size = Math.min(batchSize, m - start);
    if (size <= k) continue;
    const dist = new Float64Array(size * size);
    for (let i = 0; i < size; i++) {
      for (let j = i + 1; j < size; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) {
          const diff = z[(start + i) * d + c] - z[(start + j) * d + c];
          s += diff * diff;
        }
        dist[i * size + j] = s;
        dist[j * size + i] = s;
      }
    }
    const redundant: number[] = [];
    const order = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < size; i++) {
      const row = dist.subarray(i * size, (i + 1) * size);
      const nearest = order
        .filter((j) => j !== i)
        .sort((a, b) => row[a] - row[b] || a - b)
        .slice(0, k);
      if (nearest.every((j) => y[start + j] === y[start + i])) redundant.push(i);
    }
    const limit = Math.floor(cap * size);
    let chosen = redundant;
    if (redundant.length > limit) {
      const interior = (i: number) => {
        let best = Infinity;
        for (let j = 0; j < size; j++) if (y[start + j] !== y[start + i]) best = Math.min(best, dist[i * size + j]);
        return best;
      };
      chosen = redundant
        .map((i) => ({ i, r: interior(i) }))
        .sort((a, b) => b.r - a.r || a.i - b.i)
        .slice(0, limit)
        .map((e) => e.i);
    }
    for (const i of chosen) keep[start + i] = false;
    removed += chosen.length;
  }
  return { keep, removed, redundancy: m === 0 ? 0 : removed / m };
}
