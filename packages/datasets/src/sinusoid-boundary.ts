/**
 * Sinusoidal decision boundaries of Øland, *Efficient Deep Learning* (thesis, 2024), §5.3.4, Figs. 5.11–5.12.
 */
import { checkNumber, createRng } from '@beyond-backprop/core-linalg';
import { uniformSquare } from './checkerboard.js';
import type { Dataset } from './split.js';

/** Options of {@link sinusoidBoundary}. */
export interface SinusoidBoundaryOptions {
  /** Training points. Default 1000. */
  trainSize?: number;
  /** Test points, an independent draw. Default 1000. */
  testSize?: number;
  /** Frequency f of the boundary (periods across the square). Default 1; the thesis shows 1, 2, 4 and 8. */
  frequency?: number;
  /** Amplitude a of the boundary. Default 0.25. */
  amplitude?: number;
  /** Seed of the points. Default 0. */
  seed?: number;
}

/**
 * A sinusoidal decision boundary: points uniform on `[−½, ½]²`, label `y = [x₂ > a·sin(2πf·x₁)]` (1 above the curve,
 * 0 below). Higher `f` means a higher "frequency of variation" (thesis Fig. 5.11). The thesis gives neither the
 * amplitude nor the domain; `a = 0.25` on `[−½, ½]²` is our resolution.
 *
 * `x: [m, 2]`, `y: [m]` (labels 0/1).
 *
 * @example
 * ```ts
 * const { train } = sinusoidBoundary({ frequency: 4, seed: 2 });
 * ```
 */
export function sinusoidBoundary(options: SinusoidBoundaryOptions = {}): Dataset<Int32Array> {
  const fn = 'sinusoidBoundary';
  const trainSize = options.trainSize ?? 1000;
  const testSize = options.testSize ?? 1000;
  const f = options.frequency ?? 1;
  const a = options.amplitude ?? 0.25;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'trainSize', trainSize, { min: 1, integer: true });
  checkNumber(fn, 'testSize', testSize, { min: 1, integer: true });
  checkNumber(fn, 'frequency', f, { min: 0 });
  checkNumber(fn, 'amplitude', a);
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const label = (x1: number, x2: number) => (x2 > a * Math.sin(2 * Math.PI * f * x1) ? 1 : 0);
  return {
    name: 'sinusoid-boundary',
    train: uniformSquare(trainSize, rng.fork('train'), label),
    test: uniformSquare(testSize, rng.fork('test'), label),
    numClasses: 2,
    source: 'Øland, Efficient Deep Learning (2024), §5.3.4, Figs. 5.11–5.12',
  };
}
