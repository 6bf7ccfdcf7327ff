/**
 * The bit-stream RNN tasks of Fairbank & Samothrakis, "Deep Learning in Target Space", §5.3 (Figs. 6–7):
 * memorising a bit stream with a delay, and adding a stream to itself delayed.
 */
import { checkNumber, createRng, type Rng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Options of {@link delayedMemorisation} and {@link delayedAddition}. */
export interface BitStreamOptions {
  /** The delay N (≥ 1). */
  delay: number;
  /** Stream length n_t. Default `delay + 50` (the paper's setting). */
  length?: number;
  /** Training streams. Default 8000 (the paper's fixed training set). */
  trainSize?: number;
  /** Test streams, an independent draw. Default 8000 (the authors' code; it scores the first 100). */
  testSize?: number;
  /** Seed of the bits. Default 0. */
  seed?: number;
}

type Target = (bits: Int32Array, offset: number, length: number, delay: number, out: Int32Array) => void;

/**
 * Delayed memorisation (target-space paper §5.3): output the input bit from N steps ago, `y_t = b_{t−N}` for
 * `t = N+1 … n_t`. The first N outputs are not scored (label −1). The paper's example, N = 2: input `1,1,1,1,0,1` →
 * output `−,−,1,1,1,1`. Bits are i.i.d. fair coin flips.
 *
 * `x: [n, n_t, 1]` (bits as 0/1 floats, one per time step), `y: [n, n_t]` (labels 0/1, −1 = not scored).
 *
 * @example
 * ```ts
 * const { train } = delayedMemorisation({ delay: 5, seed: 1 });   // 8000 streams of length 55
 * train.y[0];   // −1: the first 5 steps are not scored
 * ```
 */
export function delayedMemorisation(options: BitStreamOptions): Dataset<Int32Array> {
  return bitStreamDataset('delayedMemorisation', 'delayed-memorisation', options, (bits, o, length, delay, out) => {
    for (let t = 0; t < length; t++) out[o + t] = t < delay ? -1 : bits[o + t - delay];
  });
}

/**
 * Delayed binary addition (target-space paper §5.3): add the stream to itself delayed by N, little-endian, with a
 * carry. With `c = 0`, for `t = N+1 … n_t`: `s = b_t + b_{t−N} + c`, `y_t = s mod 2`, `c = ⌊s/2⌋`; the first N outputs
 * are not scored (label −1) and the final carry is dropped. Equivalently `y_t` is bit `t−1` of
 * `(x + 2^N·x) mod 2^{n_t}` with `x = Σ b_t 2^{t−1}`. The paper's example, N = 2: `1,0,1,1,0,1` → `−,−,0,0,0,1`.
 *
 * `x: [n, n_t, 1]` (bits as 0/1 floats), `y: [n, n_t]` (labels 0/1, −1 = not scored).
 *
 * @example
 * ```ts
 * const { train } = delayedAddition({ delay: 3, trainSize: 100, seed: 2 });
 * ```
 */
export function delayedAddition(options: BitStreamOptions): Dataset<Int32Array> {
  return bitStreamDataset('delayedAddition', 'delayed-addition', options, (bits, o, length, delay, out) => {
    let carry = 0;
    for (let t = 0; t < length; t++) {
      if (t < delay) {
        out[o + t] = -1;
        continue;
      }
      const s = bits[o + t] + bits[o + t - delay] + carry;
      out[o + t] = s & 1;
      carry = s >> 1;
    }
  });
}

function bitStreamDataset(fn: string, name: string, options: BitStreamOptions, target: Target): Dataset<Int32Array> {
  const delay = options?.delay;
  checkNumber(fn, 'delay', delay, { min: 1, integer: true });
  const length = options.length ?? delay + 50;
  const trainSize = options.trainSize ?? 8000;
  const testSize = options.testSize ?? 8000;
  const seed = options.seed ?? 0;
  checkNumber(fn, 'length', length, { min: delay + 1, integer: true });
  checkNumber(fn, 'trainSize', trainSize, { min: 1, integer: true });
  checkNumber(fn, 'testSize', testSize, { min: 1, integer: true });
  checkNumber(fn, 'seed', seed);
  const rng = createRng(seed);
  const make = (n: number, r: Rng): Split<Int32Array> => {
    const bits = new Int32Array(n * length);
    // 32 coin flips per draw: every bit of a uint32 from xoshiro128** is fair.
    for (let i = 0; i < bits.length; i += 32) {
      const word = r.nextUint32();
      for (let k = 0; k < 32 && i + k < bits.length; k++) bits[i + k] = (word >>> k) & 1;
    }
    const y = new Int32Array(n * length);
    for (let e = 0; e < n; e++) target(bits, e * length, length, delay, y);
    return { x: Float32Array.from(bits), xShape: [n, length, 1], y, yShape: [n, length] };
  };
  return {
    name,
    train: make(trainSize, rng.fork('train')),
    test: make(testSize, rng.fork('test')),
    numClasses: 2,
    source: 'Fairbank & Samothrakis, Deep Learning in Target Space, §5.3',
  };
}
