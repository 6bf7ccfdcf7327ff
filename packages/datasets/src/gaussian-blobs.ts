/**
 * Gaussian blobs: isotropic Gaussian clusters, the `make_blobs` set of scikit-learn. A quick multi-class sanity check.
 */
import { checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link gaussianBlobs}. */
export interface GaussianBlobsOptions {
  /** Training points, spread evenly over the classes (the first `m mod k` classes get one more). Default 300. */
  trainSize?: number;
  /** Test points. Default 300. */
  testSize?: number;
  /** Number of clusters (= classes). Default 3. */
  classes?: number;
  /** Input dimension. Default 2. */
  features?: number;
  /** Standard deviation of each cluster. Default 1. */
  std?: number;
  /** Cluster centres are drawn uniformly from `[−box, box]^features`. Default 10 (scikit-learn's `center_box`). */
  box?: number;
  /** Seed of the centres, the points and the shuffling. Default 0. */
  seed?: number;
}

/**
 * Gaussian blobs (scikit-learn's `make_blobs`): `classes` centres drawn uniformly from `[−box, box]^features` (shared by
 * both splits), then for each class its share of the points drawn from `N(centre, std²·I)`, shuffled. The centres are
 * returned too.
 *
 * `x: [m, features]`, `y: [m]` (labels `0 … classes−1`).
 *
 * @example
 * ```ts
 * const { train, centres } = gaussianBlobs({ classes: 4, seed: 2 });   // 300 points around 4 centres
 * ```
 */
export function gaussianBlobs(options: GaussianBlobsOptions = {}): Dataset<Int32Array> & { centres: Float64Array } {
  const fn = 'gaussianBlobs';
  const trainSize = options.trainSize ?? 300;
  const testSize = options.testSize ?? 300;
  const classes = options.classes ?? 3;
  const features = options.features ?? 2;
  const std = options.std ?? 1;
  const box = options.box ?? 10;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'classes', classes, { min: 1, integer: true });
  checkNumber(fn, 'trainSize', trainSize, { min: classes, integer: true });
  checkNumber(fn, 'testSize', testSize, { min: classes, integer: true });
  checkNumber(fn, 'features', features, { min: 1, integer: true });
  checkNumber(fn, 'std', std, { min: 0 });
  checkNumber(fn, 'box', box, { min: 0 });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const centreRng = rng.fork('centres');
  const centres = new Float64Array(classes * features);
  for (let i = 0; i < centres.length; i++) centres[i] = centreRng.uniformRange(-box, box);
  const train = blobs(trainSize, centres, classes, features, std, rng.fork('train'));
  const test = blobs(testSize, centres, classes, features, std, rng.fork('test'));
  return { name: 'blobs', train, test, numClasses: classes, source: 'scikit-learn make_blobs (isotropic Gaussian clusters)', centres };
}

function blobs(m: number, centres: Float64Array, k: number, d: number, std: number, rng: Rng): Split<Int32Array> {
  const labels = new Int32Array(m);
  const base = Math.floor(m / k);
  let at = 0;
  for (let c = 0; c < k; c++) {
    const count = base + (c < m % k ? 1 : 0);
    labels.fill(c, at, at + count);
    at += count;
  }
  const order = rng.permutation(m);
  const x = new Float32Array(m * d);
  const y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const c = labels[order[i]];
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c * d + j] + (std > 0 ? rng.normal(0, std) : 0);
  }
  return { x, xShape: [m, d], y, yShape: [m] };
}
