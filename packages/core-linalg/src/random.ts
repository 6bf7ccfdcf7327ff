/**
 * Seeded random numbers that are bit-identical in Node.js and every browser: xoshiro128** on 32-bit integer
 * arithmetic (`Math.imul`, shifts), seeded through splitmix32. Every random draw in beyond-backprop goes through
 * this generator, so the same seed gives the same data, initialisation and batch order everywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** 32-bit FNV-1a hash of a string, so text labels can seed or fork a generator. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function seedToInt(seed: number | string): number {
  if (typeof seed === 'string') return hashString(seed);
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidArgumentError('createRng', 'seed', 'must be a finite number or a string', seed);
  // Mix the high part of large integers in too, so seeds beyond 2^32 stay distinct.
  const lo = seed >>> 0;
  const hi = Math.floor(Math.abs(seed) / 4294967296) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/**
 * A seeded pseudo-random generator (xoshiro128**, period 2¹²⁸ − 1).
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.uniform();                 // in [0, 1)
 * rng.normal();                  // standard normal
 * const order = rng.permutation(10);
 * const w = rng.truncatedNormalTensor([5, 3], { std: 1 });   // a float32 tf.Tensor, identical for seed 42
 * ```
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  /** Prefer {@link createRng}. */
  constructor(seed: number | string) {
    const st = { s: seedToInt(seed) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new InvalidArgumentError('Rng.int', 'n', 'must be an integer in [1, 2^32]', n);
    if (n === 4294967296) return this.nextUint32();
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Normal draw redrawn until it lies within `bound` standard deviations (default 2, the TensorFlow convention used by
   * `tf.truncatedNormal` and by the target-space paper's initialisation).
   */
  truncatedNormal(mean = 0, std = 1, bound = 2): number {
    for (;;) {
      const z = this.normal();
      if (Math.abs(z) <= bound) return mean + std * z;
    }
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of `0 … n−1`. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /**
   * An independent generator derived from this one's next output and an optional label, e.g. `rng.fork('init')`
   * and `rng.fork('batches')`, so adding draws to one stream never shifts another.
   */
  fork(label = ''): Rng {
    const base = this.nextUint32();
    return new Rng((base ^ hashString(label)) >>> 0);
  }

  /** Float32 tensor of i.i.d. normal draws. */
  normalTensor(shape: number[], options: { mean?: number; std?: number } = {}): tf.Tensor {
    return this.tensorFrom(shape, () => this.normal(options.mean ?? 0, options.std ?? 1));
  }

  /** Float32 tensor of i.i.d. truncated-normal draws (±`bound`·std, default 2). */
  truncatedNormalTensor(shape: number[], options: { mean?: number; std?: number; bound?: number } = {}): tf.Tensor {
    return this.tensorFrom(shape, () => this.truncatedNormal(options.mean ?? 0, options.std ?? 1, options.bound ?? 2));
  }

  /** Float32 tensor of i.i.d. uniform draws in [low, high). */
  uniformTensor(shape: number[], options: { low?: number; high?: number } = {}): tf.Tensor {
    return this.tensorFrom(shape, () => this.uniformRange(options.low ?? 0, options.high ?? 1));
  }

  private tensorFrom(shape: number[], draw: () => number): tf.Tensor {
    const size = shape.reduce((p, d) => p * d, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = draw();
    return tf.tensor(values, shape, 'float32');
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A new seeded generator. Numbers and strings are both accepted as seeds.
 *
 * @example
 * ```ts
 * const rng = createRng(7);
 * ```
 */
export function createRng(seed: number | string): Rng {
  return new Rng(seed);
}
