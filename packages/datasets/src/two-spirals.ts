/**
 * The two-spirals benchmark (Lang & Witbrock 1988) as used by Fairbank & Samothrakis, "Deep Learning in Target
 * Space", §5.1 (Figs. 3–5).
 */
import { checkNumber, createRng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link twoSpirals}. */
export interface TwoSpiralsOptions {
  /** Points per class in the training set. Default 97 (the 194-point benchmark). */
  pointsPerClass?: number;
  /** Standard deviation of Gaussian noise added to every coordinate (both splits). Default 0: the exact benchmark. */
  noise?: number;
  /** Seed of the noise. Default 0. */
  seed?: number;
}

/**
 * The two-spirals problem: two interleaved spirals of three turns, radius 0.65 → 6.5.
 *
 * Training point k (k = 0 … P−1, P = 97) has angle `θ = kπ/16` and radius `r = 0.65 + 5.85·k/96`; class 0 is
 * `(r cos θ, r sin θ)`, class 1 the point reflected through the origin. Points are interleaved class 0, class 1, ….
 * The test set uses the angular midpoints k = 0.5, 1.5, …, P − 0.5 (97 per class, so the last pair lies just beyond
 * the spirals' ends, as in the authors' data file). No input scaling.
 *
 * `x: [2P, 2]`, `y: [2P]` (labels 0/1), for both splits.
 *
 * @example
 * ```ts
 * const { train, test } = twoSpirals();
 * train.x.slice(0, 2);   // Float32Array [0.65, 0]
 * ```
 */
export function twoSpirals(options: TwoSpiralsOptions = {}): Dataset<Int32Array> {
  const fn = 'twoSpirals';
  const perClass = options.pointsPerClass ?? 97;
  const noise = options.noise ?? 0;
  checkNumber(fn, 'pointsPerClass', perClass, { min: 2, integer: true });
  checkNumber(fn, 'noise', noise, { min: 0 });
  const rng = createRng(options.seed ?? 0);
  // The radius grows linearly over the three turns (96 steps of π/16 for the 97-point benchmark); other sizes
  // keep the same geometry with finer or coarser angular steps.
  const steps = perClass - 1;
  const dTheta = (3 * 2 * Math.PI) / steps;
  const make = (offset: number): Split<Int32Array> => {
    const x = new Float32Array(perClass * 4);
    const y = new Int32Array(perClass * 2);
    for (let i = 0; i < perClass; i++) {
      const k = i + offset;
      const theta = k * dTheta;
      const r = 0.65 + (5.85 * k) / steps;
      const cx = r * Math.cos(theta);
      const cy = r * Math.sin(theta);
      const e = noise > 0 ? [rng.normal(0, noise), rng.normal(0, noise), rng.normal(0, noise), rng.normal(0, noise)] : [0, 0, 0, 0];
      x[4 * i] = cx + e[0];
      x[4 * i + 1] = cy + e[1];
      x[4 * i + 2] = -cx + e[2];
      x[4 * i + 3] = -cy + e[3];
      y[2 * i] = 0;
      y[2 * i + 1] = 1;
    }
    return { x, xShape: [2 * perClass, 2], y, yShape: [2 * perClass] };
  };
  return {
    name: 'two-spirals',
    train: make(0),
    test: make(0.5),
    numClasses: 2,
    source: 'Lang & Witbrock (1988); Fairbank & Samothrakis, Deep Learning in Target Space, §5.1',
  };
}
