/**
 * Two moons: two interleaved half circles, the `make_moons` set of scikit-learn. The lra package's learning test
 * trains on 1000 train / 1000 test points with noise 0.1.
 */
import { checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link twoMoons}. */
export interface TwoMoonsOptions {
  /** Training points. Default 1000. */
  trainSize?: number;
  /** Test points. Default 1000. */
  testSize?: number;
  /** Standard deviation of the Gaussian noise added to every coordinate. Default 0.1. */
  noise?: number;
  /** Seed of the shuffling and the noise. Default 0. */
  seed?: number;
}

/**
 * Two moons (scikit-learn's `make_moons`): `⌊m/2⌋` points on the upper half circle `(cos θ, sin θ)` (class 0) and
 * `⌈m/2⌉` on the lower one `(1 − cos θ, ½ − sin θ)` (class 1), θ evenly spaced on `[0, π]` (`linspace`), shuffled,
 * then Gaussian noise added to every coordinate. Train and test are independent draws of shuffle and noise.
 *
 * `x: [m, 2]`, `y: [m]` (labels 0/1).
 *
 * @example
 * ```ts
 * const { train, test } = twoMoons({ noise: 0.1, seed: 1 });   // 1000 + 1000 points, the lra package's two-moons test
 * ```
 */
export function twoMoons(options: TwoMoonsOptions = {}): Dataset<Int32Array> {
  const fn = 'twoMoons';
  const trainSize = options.trainSize ?? 1000;
  const testSize = options.testSize ?? 1000;
  const noise = options.noise ?? 0.1;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'trainSize', trainSize, { min: 2, integer: true });
  checkNumber(fn, 'testSize', testSize, { min: 2, integer: true });
  checkNumber(fn, 'noise', noise, { min: 0 });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const train = moons(trainSize, noise, rng.fork('train'));
  const test = moons(testSize, noise, rng.fork('test'));
  return { name: 'two-moons', train, test, numClasses: 2, source: "scikit-learn make_moons (1000/1000 points, noise 0.1; the lra package's test problem)" };
}

function moons(m: number, noise: number, rng: Rng): Split<Int32Array> {
  const nOut = Math.floor(m / 2);
  const nIn = m - nOut;
  const px = new Float64Array(m);
  const py = new Float64Array(m);
  const label = new Int32Array(m);
  const step = (count: number, i: number) => (count > 1 ? (i * Math.PI) / (count - 1) : 0);
  for (let i = 0; i < nOut; i++) {
    const t = step(nOut, i);
    px[i] = Math.cos(t);
    py[i] = Math.sin(t);
  }
  for (let i = 0; i < nIn; i++) {
    const t = step(nIn, i);
    px[nOut + i] = 1 - Math.cos(t);
    py[nOut + i] = 1 - Math.sin(t) - 0.5;
    label[nOut + i] = 1;
  }
  const order = rng.permutation(m);
  const x = new Float32Array(m * 2);
  const y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const j = order[i];
    x[2 * i] = px[j] + (noise > 0 ? rng.normal(0, noise) : 0);
    x[2 * i + 1] = py[j] + (noise > 0 ? rng.normal(0, noise) : 0);
    y[i] = label[j];
  }
  return { x, xShape: [m, 2], y, yShape: [m] };
}
