/**
 * The checkerboard problem of Øland, *Efficient Deep Learning* (thesis, 2024), §5.4.2 and §7.7
 * (Figs. 7.10–7.11).
 */
import { checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link checkerboard}. */
export interface CheckerboardOptions {
  /** Training points. Default 5000 (the thesis's set). */
  trainSize?: number;
  /** Test points, an independent draw. Default 5000. */
  testSize?: number;
  /** Squares per side. Default 8. */
  squares?: number;
  /** Seed of the points. Default 0. */
  seed?: number;
}

/**
 * Index of the board cell that `v ∈ [lo, lo + width)` falls in when the interval is cut into `cells` equal parts,
 * clamped to `cells − 1` so the closed upper edge belongs to the last cell (the thesis does not say which side a boundary point takes).
 */
export function boardCell(v: number, lo: number, width: number, cells: number): number {
  const k = Math.floor(((v - lo) / width) * cells);
  return k < 0 ? 0 : k >= cells ? cells - 1 : k;
}

/**
 * The checkerboard: points uniform on `[−½, ½]²` labelled by the colour of their square on an `n × n` board,
 * `y = (⌊(x₁+½)n⌋ + ⌊(x₂+½)n⌋) mod 2` (index clamped to `n − 1`), no noise. Class 0 is the `+1` of the
 * platonic package's ±1 coding (even parity). The thesis (§5.4.2) reports that backprop + SGD stalls near 51–53 % on 5000 points of the 8×8 board,
 * while Platonic projections fit it exactly (§7.7); it scores accuracy on the training set (a memorisation task), so
 * the test split is only an extra, independent draw.
 *
 * Labels are computed from the stored float32 coordinates, so they agree with `x` exactly.
 *
 * `x: [m, 2]`, `y: [m]` (labels 0/1).
 *
 * @example
 * ```ts
 * const { train } = checkerboard({ seed: 3 });   // 5000 points, 8×8 board
 * ```
 */
export function checkerboard(options: CheckerboardOptions = {}): Dataset<Int32Array> {
  const fn = 'checkerboard';
  const trainSize = options.trainSize ?? 5000;
  const testSize = options.testSize ?? 5000;
  const n = options.squares ?? 8;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'trainSize', trainSize, { min: 1, integer: true });
  checkNumber(fn, 'testSize', testSize, { min: 1, integer: true });
  checkNumber(fn, 'squares', n, { min: 1, integer: true });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const label = (x1: number, x2: number) => (boardCell(x1, -0.5, 1, n) + boardCell(x2, -0.5, 1, n)) % 2;
  return {
    name: 'checkerboard',
    train: uniformSquare(trainSize, rng.fork('train'), label),
    test: uniformSquare(testSize, rng.fork('test'), label),
    numClasses: 2,
    source: 'Øland, Efficient Deep Learning (2024), §5.4.2 and §7.7',
  };
}

/**
 * `m` points uniform on `[−½, ½)²` (float32), labelled by `label(x₁, x₂)` evaluated on the stored float32 values.
 * Shared by the square-domain sets ({@link checkerboard}, {@link sinusoidBoundary}, {@link mixedFrequency}).
 */
export function uniformSquare(m: number, rng: Rng, label: (x1: number, x2: number) => number): Split<Int32Array> {
  const x = new Float32Array(m * 2);
  const y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    x[2 * i] = rng.uniform() - 0.5;
    x[2 * i + 1] = rng.uniform() - 0.5;
    y[i] = label(x[2 * i], x[2 * i + 1]);
  }
  return { x, xShape: [m, 2], y, yShape: [m] };
}
