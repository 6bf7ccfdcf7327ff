/**
 * The 1-D sinusoid regression set of Øland, *Efficient Deep Learning* (thesis, 2024), §7.5, Figs. 7.3–7.4.
 */
import { checkNumber, createRng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link sineFit}. */
export interface SineFitOptions {
  /** Training samples. Default 5000. */
  size?: number;
  /** Standard deviation of Gaussian noise added to the training targets only. Default 0 (the thesis's set). */
  noise?: number;
  /** Seed of the noise. Default 0. */
  seed?: number;
}

/**
 * Two periods of a sine on `[−1, 1]`: `x = linspace(−1, 1, m)`, `y = sin(2πx)`. The thesis says "y = sin(x); two
 * periods, normalized to the domain (−1, 1), 5000 samples" (§7.5); the grid and the `2π` scaling are our
 * reading. The thesis fits a 1-16-16-1 CELU MLP and reports a training MSE of 2e-5.
 *
 * The test split is the `m − 1` midpoints of the training grid (interpolation), noise-free.
 *
 * `x: [m, 1]`, `y: [m, 1]` (float32 regression targets); test `[m − 1, 1]`.
 *
 * @example
 * ```ts
 * const { train } = sineFit();   // 5000 samples
 * train.y[1249];                  // sin(2π·x) at x ≈ −0.5 → ≈ 0
 * ```
 */
export function sineFit(options: SineFitOptions = {}): Dataset<Float32Array> {
  const fn = 'sineFit';
  const m = options.size ?? 5000;
  const noise = options.noise ?? 0;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'size', m, { min: 2, integer: true });
  checkNumber(fn, 'noise', noise, { min: 0 });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const grid = (count: number, offset: number, noisy: boolean): Split<Float32Array> => {
    const x = new Float32Array(count);
    const y = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      x[i] = -1 + (2 * (i + offset)) / (m - 1);
      // From the stored float32 input, so that y is exactly the sine of what the model sees.
      y[i] = Math.sin(2 * Math.PI * x[i]) + (noisy && noise > 0 ? rng.normal(0, noise) : 0);
    }
    return { x, xShape: [count, 1], y, yShape: [count, 1] };
  };
  return {
    name: 'sine-fit',
    train: grid(m, 0, true),
    test: grid(m - 1, 0.5, false),
    source: 'Øland, Efficient Deep Learning (2024), §7.5, Figs. 7.3–7.4',
  };
}
