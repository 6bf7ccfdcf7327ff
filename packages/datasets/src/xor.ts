/**
 * XOR: the smallest problem a linear model cannot solve (Minsky & Papert 1969).
 */
import { checkNumber, createRng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link xor}. */
export interface XorOptions {
  /** Copies of each of the four corners per split. Default 1: the classic 4-point problem. */
  samplesPerCorner?: number;
  /** Standard deviation of Gaussian noise added to every coordinate. Default 0 (exact corners). */
  noise?: number;
  /** Seed of the noise. Default 0. */
  seed?: number;
}

const CORNERS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0],
  [0, 1, 1],
  [1, 0, 1],
  [1, 1, 0],
];

/**
 * The XOR problem: inputs are the corners of the unit square, the label is `x₁ XOR x₂`.
 *
 * With the defaults both splits are the same four points `(0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0`, in that order (XOR is a
 * memorisation test; the target-space package's tests train a 2-3-2 tanh net on it). With `samplesPerCorner > 1`
 * the corners repeat in that order and, with `noise > 0`, each copy is jittered; train and test draw independent
 * noise.
 *
 * `x: [4·s, 2]`, `y: [4·s]` (labels 0/1), for both splits.
 *
 * @example
 * ```ts
 * const { train } = xor();
 * Array.from(train.y);   // [0, 1, 1, 0]
 * ```
 */
export function xor(options: XorOptions = {}): Dataset<Int32Array> {
  const fn = 'xor';
  const copies = options.samplesPerCorner ?? 1;
  const noise = options.noise ?? 0;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'samplesPerCorner', copies, { min: 1, integer: true });
  checkNumber(fn, 'noise', noise, { min: 0 });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const make = (label: string): Split<Int32Array> => {
    const r = rng.fork(label);
    const n = 4 * copies;
    const x = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let c = 0; c < copies; c++) {
      for (let k = 0; k < 4; k++) {
        const i = 4 * c + k;
        const [a, b, label] = CORNERS[k];
        x[2 * i] = noise > 0 ? a + r.normal(0, noise) : a;
        x[2 * i + 1] = noise > 0 ? b + r.normal(0, noise) : b;
        y[i] = label;
      }
    }
    return { x, xShape: [n, 2], y, yShape: [n] };
  };
  return { name: 'xor', train: make('train'), test: make('test'), numClasses: 2, source: 'XOR (Minsky & Papert 1969)' };
}
