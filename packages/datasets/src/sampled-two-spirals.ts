/**
 * The dense, randomly sampled two-spirals set of Øland, *Efficient Deep Learning* (thesis, 2024), §7.6 (Fig. 7.9,
 * Table 7.1).
 */
import { InvalidArgumentError, checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link sampledTwoSpirals}. */
export interface SampledTwoSpiralsOptions {
  /** Training points (even: half per class). Default 5000 (thesis Fig. 7.8). */
  trainSize?: number;
  /** Test points (even), an independent draw. Default 5000. */
  testSize?: number;
  /** Turns τ of each spiral. Default 1.5. */
  turns?: number;
  /** Standard deviation of Gaussian noise added after scaling (in the `[−1, 1]` units). Default 0. */
  noise?: number;
  /** Seed of the points and the noise. Default 0. */
  seed?: number;
}

/**
 * Two spirals sampled at random: `t = τ·2π·√u` with `u ~ U(0, 1)`; class 0 is `(−t cos t, t sin t)`, class 1 the same
 * point negated (the pairs are interleaved: class 0, class 1, …). All coordinates are divided by the largest absolute
 * training coordinate, so the training inputs lie in `[−1, 1]` (the test split uses the same divisor). The thesis
 * gives no geometry (§7.6, Fig. 7.8 only shows 5000 points); the formula and τ = 1.5 are our
 * resolution, shared by the platonic and layerwise experiments.
 *
 * Not to be confused with {@link twoSpirals}, the fixed 194-point benchmark of the target-space paper.
 *
 * `x: [m, 2]`, `y: [m]` (labels 0/1).
 *
 * @example
 * ```ts
 * const { train, test } = sampledTwoSpirals({ trainSize: 2000, testSize: 1000, seed: 1 });
 * ```
 */
export function sampledTwoSpirals(options: SampledTwoSpiralsOptions = {}): Dataset<Int32Array> {
  const fn = 'sampledTwoSpirals';
  const trainSize = options.trainSize ?? 5000;
  const testSize = options.testSize ?? 5000;
  const turns = options.turns ?? 1.5;
  const noise = options.noise ?? 0;
  const seed = options.seed ?? 0;
  for (const [name, v] of [
    ['trainSize', trainSize],
    ['testSize', testSize],
  ] as const) {
    checkNumber(fn, name, v, { min: 2, integer: true });
    if (v % 2 !== 0) throw new InvalidArgumentError(fn, name, 'must be even (half the points per class)', v);
  }
  checkNumber(fn, 'turns', turns, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'noise', noise, { min: 0 });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const train = raw(trainSize, turns, rng.fork('train'));
  const test = raw(testSize, turns, rng.fork('test'));
  let scale = 0;
  for (const v of train) scale = Math.max(scale, Math.abs(v));
  const finish = (values: Float64Array, r: Rng): Split<Int32Array> => {
    const m = values.length / 2;
    const x = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) x[i] = values[i] / scale + (noise > 0 ? r.normal(0, noise) : 0);
    const y = new Int32Array(m);
    for (let i = 0; i < m; i++) y[i] = i % 2;
    return { x, xShape: [m, 2], y, yShape: [m] };
  };
  return {
    name: 'sampled-two-spirals',
    train: finish(train, rng.fork('train-noise')),
    test: finish(test, rng.fork('test-noise')),
    numClasses: 2,
    source: 'Øland, Efficient Deep Learning (2024), §7.6 (geometry: ours, the thesis does not give it)',
  };
}

function raw(m: number, turns: number, rng: Rng): Float64Array {
  const out = new Float64Array(m * 2);
  for (let p = 0; p < m / 2; p++) {
    const t = turns * 2 * Math.PI * Math.sqrt(rng.uniform());
    const cx = -t * Math.cos(t);
    const cy = t * Math.sin(t);
    out[4 * p] = cx;
    out[4 * p + 1] = cy;
    out[4 * p + 2] = -cx;
    out[4 * p + 3] = -cy;
  }
  return out;
}
