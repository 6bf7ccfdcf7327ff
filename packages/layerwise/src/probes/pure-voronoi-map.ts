/**
 * Pure Voronoi maps and pure entropy (Øland, thesis §5.3.4, Def. 5–7, Eq. 5.4–5.8). A Voronoi map is pure when every
 * cell holds one label; pure entropy is the Shannon entropy (bits) of the cell occupancy. The optimum `H*` is not
 * computable in general; this estimator (condensed nearest-neighbour prototypes, then a reduction pass) gives an upper
 * bound, always `≥ H(Y)`, with `excess = H − H(Y)` as the `H(Y|X)`-like quantity that vanishes for a separated
 * representation.
 */
import { BbpError, InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/** Two identical rows carry different labels, so no pure map exists. */
export class ConflictingDuplicatesError extends BbpError {
  readonly rows: [number, number];
  constructor(fn: string, a: number, b: number) {
    super('conflicting-duplicates', `${fn}: argument 'z' has identical rows ${a} and ${b} with different labels; no pure Voronoi map exists`);
    this.rows = [a, b];
  }
}

/** What {@link pureVoronoiMap} returns. */
export interface PureVoronoiMap {
  /** Row indices of the prototypes (cell centres), in insertion order. */
  prototypes: number[];
  /** Examples per cell, aligned with `prototypes`. */
  cellSizes: number[];
  numCells: number;
  /** Pure entropy of the map, in bits. */
  entropy: number;
  /** `H(Y)` in bits: the lower bound of pure entropy. */
  labelEntropy: number;
  /** `entropy − labelEntropy`. */
  excess: number;
}

function entropyBits(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

/**
 * Estimates a minimal pure Voronoi map of `z` (`m` rows of `d` values) with labels `y`: one prototype per class (the
 * member nearest its class mean), Hart's condensing passes in index order until nothing is added (ties go to the
 * earliest prototype), then a reduction pass from the newest prototype back removing any whose removal keeps every
 * example nearest a prototype of its own label.
 *
 * @example
 * ```ts
 * pureVoronoiMap([0, 1, 2, 3, 4, 5, 6, 7], 1, [0, 0, 0, 0, 1, 1, 1, 1]).entropy; // 1 bit, 2 cells
 * ```
 */
export function pureVoronoiMap(z: ArrayLike<number>, d: number, y: ArrayLike<number>, options: { reduce?: boolean } = {}): PureVoronoiMap {
  const fn = 'pureVoronoiMap';
  checkNumber(fn, 'd', d, { min: 1, integer: true });
  const m = y.length;
  if (m === 0 || z.length !== m * d) throw new InvalidArgumentError(fn, 'z', `must hold m·d = ${m}·${d} values (m ≥ 1)`, z.length);
  const dist = (a: number, b: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const t = z[a * d + c] - z[b * d + c];
      s += t * t;
    }
    return s;
  };
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) if (y[i] !== y[j] && dist(i, j) === 0) throw new ConflictingDuplicatesError(fn, i, j);
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  const prototypes: number[] = [];
  for (const c of classes) {
    const members = Array.from({ length: m }, (_, i) => i).filter((i) => y[i] === c);
    const mean = new Float64Array(d);
    for (const i of members) for (let k = 0; k < d; k++) mean[k] += z[i * d + k] / members.length;
    let best = members[0];
    let bestD = Infinity;
    for (const i of members) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (z[i * d + k] - mean[k]) ** 2;
      if (s < bestD) {
        bestD = s;
        best = i;
      }
    }
    prototypes.push(best);
  }
  const nearest = (i: number, protos: number[]) => {
    let best = -1;
    let bestD = Infinity;
    for (const p of protos) {
      const dp = dist(i, p);
      if (dp < bestD) {
        bestD = dp;
        best = p;
      }
    }
    return best;
  };
  for (let added = true; added; ) {
    added = false;
    for (let i = 0; i < m; i++) {
      if (y[nearest(i, prototypes)] !== y[i]) {
        prototypes.push(i);
        added = true;
      }
    }
  }
  let kept = prototypes;
  if (options.reduce ?? true) {
    for (let p = prototypes.length - 1; p >= 0; p--) {
      const trial = kept.filter((q) => q !== prototypes[p]);
      if (trial.length === 0) continue;
      let pure = true;
      for (let i = 0; i < m && pure; i++) if (y[nearest(i, trial)] !== y[i]) pure = false;
      if (pure) kept = trial;
    }
  }
  const sizes = new Map<number, number>(kept.map((p) => [p, 0]));
  for (let i = 0; i < m; i++) {
    const p = nearest(i, kept);
    sizes.set(p, sizes.get(p)! + 1);
  }
  const cellSizes = kept.map((p) => sizes.get(p)!);
  const entropy = entropyBits(cellSizes);
  const labelEntropy = entropyBits(classes.map((c) => Array.from(y).filter((v) => v === c).length));
  return { prototypes: kept, cellSizes, numCells: kept.length, entropy, labelEntropy, excess: Math.max(0, entropy - labelEntropy) };
}
