/**
 * The mixed-frequency board of Øland, *Efficient Deep Learning* (thesis, 2024), §8.3.2: a
 * high-frequency checkerboard on the left half of the square beside a low-frequency one on the right.
 */
import { checkNumber, createRng } from '@beyond-backprop/core-linalg';
import { boardCell, uniformSquare } from './checkerboard.js';
import type { Dataset } from './split.js';

/** Options of {@link mixedFrequency}. */
export interface MixedFrequencyOptions {
  /** Training points. Default 4000. */
  trainSize?: number;
  /** Test points, an independent draw. Default 4000. */
  testSize?: number;
  /** Squares per side of the left (high-frequency) board. Default 8. */
  left?: number;
  /** Squares per side of the right (low-frequency) board. Default 2. */
  right?: number;
  /** Seed of the points. Default 0. */
  seed?: number;
}

/**
 * Mixed frequencies of variation: points uniform on `[−½, ½]²`; the left half (`x₁ < 0`) is labelled by an
 * `left × left` checkerboard stretched over that half (cells `1/(2·left)` wide and `1/left` tall), the right half
 * (`x₁ ≥ 0`) by a `right × right` board over its half; label = parity of column + row. The thesis describes the set
 * only in words (§8.3.2: "many many squares" on the left, "very few" on the right); the board sizes and the reading
 * "n × n over its half" are our resolution.
 *
 * `x: [m, 2]`, `y: [m]` (labels 0/1).
 *
 * @example
 * ```ts
 * const { train } = mixedFrequency({ left: 8, right: 2, seed: 1 });
 * ```
 */
export function mixedFrequency(options: MixedFrequencyOptions = {}): Dataset<Int32Array> {
  const fn = 'mixedFrequency';
  const trainSize = options.trainSize ?? 4000;
  const testSize = options.testSize ?? 4000;
  const left = options.left ?? 8;
  const right = options.right ?? 2;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'trainSize', trainSize, { min: 1, integer: true });
  checkNumber(fn, 'testSize', testSize, { min: 1, integer: true });
  checkNumber(fn, 'left', left, { min: 1, integer: true });
  checkNumber(fn, 'right', right, { min: 1, integer: true });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const label = (x1: number, x2: number) =>
    x1 < 0 ? (boardCell(x1, -0.5, 0.5, left) + boardCell(x2, -0.5, 1, left)) % 2 : (boardCell(x1, 0, 0.5, right) + boardCell(x2, -0.5, 1, right)) % 2;
  return {
    name: 'mixed-frequency',
    train: uniformSquare(trainSize, rng.fork('train'), label),
    test: uniformSquare(testSize, rng.fork('test'), label),
    numClasses: 2,
    source: 'Øland, Efficient Deep Learning (2024), §8.3.2',
  };
}
