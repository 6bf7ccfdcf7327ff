import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import {
  addingProblem,
  delayedAddition,
  delayedMemorisation,
  randomPermutation,
  temporalOrder,
  temporalOrder3Bit,
  temporalTaskBatch,
  type Split,
} from '../src/index.js';

/** Bits of stream e of a bit-task split. */
const bitsOf = (split: Split<Int32Array>, e: number, length: number) => Array.from(split.x.subarray(e * length, (e + 1) * length));
const labelsOf = (split: Split<Int32Array>, e: number, length: number) => Array.from(split.y.subarray(e * length, (e + 1) * length));

/** The symbol (hot channel) at each step of sequence e. */
function symbols(split: Split<Int32Array | Float32Array>, e: number): number[] {
  const [, length, p] = split.xShape as [number, number, number];
  const out: number[] = [];
  for (let t = 0; t < length; t++) {
    const row = split.x.subarray((e * length + t) * p, (e * length + t + 1) * p);
    expect(row.reduce((s, v) => s + v, 0)).toBe(1); // exactly one hot channel per step
    out.push(row.indexOf(1));
  }
  return out;
}

describe('bit-stream tasks (target-space §5.3)', () => {
  it('delayed memorisation outputs the bit from N steps ago and leaves the first N steps unscored', () => {
    const length = 30;
    const { train, test, numClasses } = delayedMemorisation({ delay: 4, length, trainSize: 50, testSize: 20, seed: 1 });
    expect(train.xShape).toEqual([50, length, 1]);
    expect(train.yShape).toEqual([50, length]);
    expect(test.xShape).toEqual([20, length, 1]);
    expect(numClasses).toBe(2);
    for (let e = 0; e < 50; e++) {
      const b = bitsOf(train, e, length);
      const y = labelsOf(train, e, length);
      for (let t = 0; t < length; t++) expect(y[t]).toBe(t < 4 ? -1 : b[t - 4]);
    }
  });

  it('defaults to the paper’s 8000 streams of length N + 50', () => {
    const { train, test } = delayedMemorisation({ delay: 7 });
    expect(train.xShape).toEqual([8000, 57, 1]);
    expect(test.xShape).toEqual([8000, 57, 1]);
    let ones = 0;
    for (const v of train.x) ones += v;
    expect(Math.abs(ones / train.x.length - 0.5)).toBeLessThan(0.01);
  });

  it('delayed addition equals the bits of (x + 2^N·x) mod 2^{n_t} (BigInt arithmetic)', () => {
    for (const delay of [1, 2, 5, 13]) {
      const length = delay + 40;
      const { train } = delayedAddition({ delay, length, trainSize: 40, testSize: 1, seed: delay });
      for (let e = 0; e < 40; e++) {
        const b = bitsOf(train, e, length);
        let x = 0n;
        for (let t = length - 1; t >= 0; t--) x = (x << 1n) | BigInt(b[t]);
        const sum = (x + (x << BigInt(delay))) % (1n << BigInt(length));
        const y = labelsOf(train, e, length);
        for (let t = 0; t < length; t++) expect(y[t]).toBe(t < delay ? -1 : Number((sum >> BigInt(t)) & 1n));
      }
    }
  });
});

describe('the paper’s worked examples (target-space §5.3, spec test 21)', () => {
  // Find a stream with the example's prefix among seeded streams, then check its labels.
  function findPrefix(make: (seed: number) => Split<Int32Array>, prefix: number[], length: number): number[] {
    for (let seed = 0; seed < 50; seed++) {
      const split = make(seed);
      for (let e = 0; e < split.xShape[0]; e++) {
        const b = bitsOf(split, e, length);
        if (prefix.every((v, i) => b[i] === v)) return labelsOf(split, e, length);
      }
    }
    throw new Error('prefix not found');
  }

  it('memorisation, N = 2: 1,1,1,1,0,1 → −,−,1,1,1,1', () => {
    const y = findPrefix((seed) => delayedMemorisation({ delay: 2, length: 6, trainSize: 500, testSize: 1, seed }).train, [1, 1, 1, 1, 0, 1], 6);
    expect(y).toEqual([-1, -1, 1, 1, 1, 1]);
  });

  it('addition, N = 2: 1,0,1,1,0,1 → −,−,0,0,0,1', () => {
    const y = findPrefix((seed) => delayedAddition({ delay: 2, length: 6, trainSize: 500, testSize: 1, seed }).train, [1, 0, 1, 1, 0, 1], 6);
    expect(y).toEqual([-1, -1, 0, 0, 0, 1]);
  });
});

describe('temporal tasks of the LRA-RNN paper ([C3] generators)', () => {
  it('temporal order puts A/B only at p0 ∈ [⌊0.1T⌋, 2⌊0.1T⌋−1] and p1 ∈ [⌊0.5T⌋, ⌊0.5T⌋+⌊0.1T⌋−1], label v0 + 2·v1', () => {
    for (const T of [10, 20, 35]) {
      const { train, numClasses } = temporalOrder({ length: T, trainSize: 300, testSize: 1, seed: T });
      expect(train.xShape).toEqual([300, T, 6]);
      expect(train.yShape).toEqual([300]);
      expect(numClasses).toBe(4);
      const tenth = Math.floor(T / 10);
      for (let e = 0; e < 300; e++) {
        const s = symbols(train, e);
        const relevant = s.flatMap((v, t) => (v < 2 ? [t] : []));
        expect(relevant).toHaveLength(2);
        const [p0, p1] = relevant as [number, number];
        expect(p0).toBeGreaterThanOrEqual(tenth);
        expect(p0).toBeLessThanOrEqual(2 * tenth - 1);
        expect(p1).toBeGreaterThanOrEqual(Math.floor(T / 2));
        expect(p1).toBeLessThanOrEqual(Math.floor(T / 2) + tenth - 1);
        expect(train.y[e]).toBe(s[p0] + 2 * s[p1]);
      }
    }
  });

  it('at T = 10 the relevant positions are fixed: 1 and 5 (temporal order), 1, 3 and 6 (3-bit)', () => {
    const two = temporalOrder({ trainSize: 50, testSize: 1 });
    const three = temporalOrder3Bit({ trainSize: 50, testSize: 1 });
    for (let e = 0; e < 50; e++) {
      const s2 = symbols(two.train, e);
      expect(s2.flatMap((v, t) => (v < 2 ? [t] : []))).toEqual([1, 5]);
      const s3 = symbols(three.train, e);
      expect(s3.flatMap((v, t) => (v < 2 ? [t] : []))).toEqual([1, 3, 6]);
      expect(three.train.y[e]).toBe(s3[1] + 2 * s3[3] + 4 * s3[6]);
    }
    expect(three.numClasses).toBe(8);
  });

  it('3-bit temporal order draws p1 from [⌊0.3T⌋, …] and p2 from [⌊0.6T⌋, …]', () => {
    const T = 40;
    const { train } = temporalOrder3Bit({ length: T, trainSize: 300, testSize: 1, seed: 3 });
    const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
    for (let e = 0; e < 300; e++) {
      const relevant = symbols(train, e).flatMap((v, t) => (v < 2 ? [t] : []));
      relevant.forEach((p, k) => seen[k].add(p));
    }
    expect([...seen[0]].sort((a, b) => a - b)).toEqual([4, 5, 6, 7]);
    expect([...seen[1]].sort((a, b) => a - b)).toEqual([12, 13, 14, 15]);
    expect([...seen[2]].sort((a, b) => a - b)).toEqual([24, 25, 26, 27]);
  });

  it('class frequencies are uniform within ±3σ over 10⁵ sequences', () => {
    const n = 100_000;
    for (const [make, k] of [
      [temporalOrder, 4],
      [temporalOrder3Bit, 8],
    ] as const) {
      const { train } = make({ length: 10, trainSize: n, testSize: 1, seed: 9 });
      const counts = new Array<number>(k).fill(0);
      for (const v of train.y) counts[v]++;
      const sigma = Math.sqrt(n * (1 / k) * (1 - 1 / k));
      for (const c of counts) expect(Math.abs(c - n / k)).toBeLessThan(3 * sigma);
    }
  });

  it('random permutation starts with the label v ∈ {0, 1}, then symbols from 2 … 99', () => {
    const { train, numClasses } = randomPermutation({ length: 12, trainSize: 400, testSize: 1, seed: 5 });
    expect(train.xShape).toEqual([400, 12, 100]);
    expect(numClasses).toBe(100);
    let ones = 0;
    for (let e = 0; e < 400; e++) {
      const s = symbols(train, e);
      expect(s[0]).toBe(train.y[e]);
      for (const v of s.slice(1)) {
        expect(v).toBeGreaterThanOrEqual(2);
        expect(v).toBeLessThanOrEqual(99);
      }
      ones += train.y[e];
    }
    expect(ones).toBeGreaterThan(150);
    expect(ones).toBeLessThan(250);
  });

  it('the adding problem marks p0 ∈ [0, ⌊0.1T⌋−1] and p1 ∈ [⌊0.1T⌋, ⌊0.1T⌋+⌊0.4T⌋−1] and targets their mean', () => {
    const T = 30;
    const { train, numClasses } = addingProblem({ length: T, trainSize: 200, testSize: 1, seed: 6 });
    expect(numClasses).toBeUndefined();
    expect(train.xShape).toEqual([200, T, 2]);
    expect(train.yShape).toEqual([200, 1]);
    expect(train.y).toBeInstanceOf(Float32Array);
    for (let e = 0; e < 200; e++) {
      const marked: number[] = [];
      for (let t = 0; t < T; t++) {
        const value = train.x[(e * T + t) * 2 + 1];
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
        if (train.x[(e * T + t) * 2] === 1) marked.push(t);
      }
      expect(marked).toHaveLength(2);
      const [p0, p1] = marked as [number, number];
      expect(p0).toBeLessThanOrEqual(2);
      expect(p1).toBeGreaterThanOrEqual(3);
      expect(p1).toBeLessThanOrEqual(3 + 12 - 1);
      const mean = (train.x[(e * T + p0) * 2 + 1] + train.x[(e * T + p1) * 2 + 1]) / 2;
      expect(train.y[e]).toBeCloseTo(mean, 6);
    }
  });

  it('temporalTaskBatch draws fresh, reproducible batches per seed', () => {
    const a = temporalTaskBatch('temporal-order', { size: 20, length: 20, seed: 1 });
    const b = temporalTaskBatch('temporal-order', { size: 20, length: 20, seed: 1 });
    const c = temporalTaskBatch('temporal-order', { size: 20, length: 20, seed: 2 });
    expect(a.xShape).toEqual([20, 20, 6]);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
    expect(() => temporalTaskBatch('copy' as never, { size: 1, length: 10 })).toThrow(InvalidArgumentError);
    expect(() => temporalOrder({ length: 9 })).toThrow(/argument 'length'/);
  });

  it('pins exact values for seed 7 (cross-platform golden values)', () => {
    const m = delayedMemorisation({ delay: 3, length: 12, trainSize: 2, testSize: 1, seed: 7 });
    expect(Array.from(m.train.x)).toEqual([1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    const t = temporalOrder({ length: 20, trainSize: 3, testSize: 1, seed: 7 });
    expect(symbols(t.train, 0)).toEqual([3, 4, 1, 5, 5, 4, 3, 2, 2, 5, 5, 0, 4, 2, 4, 3, 3, 2, 3, 2]);
    expect(Array.from(t.train.y)).toEqual([1, 1, 3]);
    const a = addingProblem({ length: 10, trainSize: 2, testSize: 1, seed: 7 });
    expect(Array.from(a.train.y)).toEqual([0.47545433044433594, 0.5879369974136353]);
  });

  it('rejects bad options with typed errors', () => {
    expect(() => delayedMemorisation({ delay: 0 })).toThrow(/argument 'delay'/);
    expect(() => delayedAddition({ delay: 3, length: 3 })).toThrow(/argument 'length'/);
    expect(() => delayedAddition(undefined as never)).toThrow(InvalidArgumentError);
  });
});
