import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import {
  checkerboard,
  gaussianBlobs,
  mixedFrequency,
  sampledTwoSpirals,
  sineFit,
  sinusoidBoundary,
  twoMoons,
  twoSpirals,
  xor,
  type Dataset,
} from '../src/index.js';

const parity = (x1: number, x2: number, n: number) => {
  const cell = (v: number) => Math.min(n - 1, Math.floor((v + 0.5) * n));
  return (cell(x1) + cell(x2)) % 2;
};

function expectIdentical(a: Dataset<Int32Array | Float32Array>, b: Dataset<Int32Array | Float32Array>): void {
  for (const part of ['train', 'test'] as const) {
    expect(a[part].xShape).toEqual(b[part].xShape);
    expect(Buffer.from(a[part].x.buffer).equals(Buffer.from(b[part].x.buffer))).toBe(true);
    expect(Buffer.from(a[part].y.buffer).equals(Buffer.from(b[part].y.buffer))).toBe(true);
  }
}

describe('two-spirals benchmark (target-space §5.1)', () => {
  it('puts the test points at the angular midpoints k + ½ of the training formula', () => {
    const { test } = twoSpirals();
    for (let k = 0; k < 97; k++) {
      const kk = k + 0.5;
      const r = 0.65 + (5.85 * kk) / 96;
      const th = (kk * Math.PI) / 16;
      expect(test.x[4 * k]).toBeCloseTo(r * Math.cos(th), 5);
      expect(test.x[4 * k + 1]).toBeCloseTo(r * Math.sin(th), 5);
      expect(test.x[4 * k + 2]).toBeCloseTo(-r * Math.cos(th), 5);
      expect(test.y[2 * k + 1]).toBe(1);
    }
  });
});

describe('checkerboard (Øland §5.4.2)', () => {
  it('is 5000 points in [−½, ½]² labelled by square parity on an 8×8 board', () => {
    const { train, test, numClasses } = checkerboard({ seed: 1 });
    expect(train.xShape).toEqual([5000, 2]);
    expect(test.xShape).toEqual([5000, 2]);
    expect(numClasses).toBe(2);
    let ones = 0;
    for (let i = 0; i < 5000; i++) {
      const [a, b] = [train.x[2 * i], train.x[2 * i + 1]];
      expect(a).toBeGreaterThanOrEqual(-0.5);
      expect(a).toBeLessThanOrEqual(0.5);
      expect(train.y[i]).toBe(parity(a, b, 8));
      ones += train.y[i];
    }
    // Both colours cover half the board: the class balance is within 4σ of ½.
    expect(Math.abs(ones / 5000 - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 5000));
  });

  it('follows the board size and keeps train and test independent', () => {
    const { train, test } = checkerboard({ squares: 3, trainSize: 300, testSize: 200, seed: 2 });
    for (let i = 0; i < 300; i++) expect(train.y[i]).toBe(parity(train.x[2 * i], train.x[2 * i + 1], 3));
    expect(test.xShape).toEqual([200, 2]);
    expect(Array.from(test.x.slice(0, 10))).not.toEqual(Array.from(train.x.slice(0, 10)));
  });
});

describe('sinusoid boundary and mixed frequency (Øland §5.3.4, §8.3.2)', () => {
  it('labels a point 1 exactly when it lies above a·sin(2πf·x₁)', () => {
    for (const f of [1, 2, 4, 8]) {
      const { train } = sinusoidBoundary({ frequency: f, trainSize: 500, seed: f });
      for (let i = 0; i < 500; i++) {
        const [a, b] = [train.x[2 * i], train.x[2 * i + 1]];
        expect(train.y[i]).toBe(b > 0.25 * Math.sin(2 * Math.PI * f * a) ? 1 : 0);
      }
    }
    const { train } = sinusoidBoundary({ amplitude: 0, trainSize: 200 });
    for (let i = 0; i < 200; i++) expect(train.y[i]).toBe(train.x[2 * i + 1] > 0 ? 1 : 0);
  });

  it('uses a fine board on the left half and a coarse one on the right half', () => {
    const { train } = mixedFrequency({ left: 8, right: 2, seed: 3 });
    expect(train.xShape).toEqual([4000, 2]);
    for (let i = 0; i < 4000; i++) {
      const [a, b] = [train.x[2 * i], train.x[2 * i + 1]];
      const row = (n: number) => Math.min(n - 1, Math.floor((b + 0.5) * n));
      const expected = a < 0 ? (Math.floor((a + 0.5) * 16) + row(8)) % 2 : (Math.min(1, Math.floor(a * 4)) + row(2)) % 2;
      expect(train.y[i]).toBe(expected);
    }
  });
});

describe('sine fit (Øland §7.5)', () => {
  it('is y = sin(2πx) on linspace(−1, 1, 5000), with the grid midpoints as test set', () => {
    const { train, test, numClasses } = sineFit();
    expect(numClasses).toBeUndefined();
    expect(train.xShape).toEqual([5000, 1]);
    expect(train.yShape).toEqual([5000, 1]);
    expect(test.xShape).toEqual([4999, 1]);
    expect(train.x[0]).toBe(-1);
    expect(train.x[4999]).toBe(1);
    expect(train.x[2500]).toBeCloseTo(-1 + 5000 / 4999, 6);
    for (let i = 0; i < 5000; i += 97) expect(train.y[i]).toBeCloseTo(Math.sin(2 * Math.PI * (-1 + (2 * i) / 4999)), 5);
    expect(test.x[0]).toBeCloseTo(-1 + 1 / 4999, 6);
    expect(train.y).toBeInstanceOf(Float32Array);
  });
});

describe('sampled two spirals (Øland §7.6)', () => {
  it('puts every point on the spiral (−t cos t, t sin t)/s, class 1 negated, with one scale s making the inputs span [−1, 1]', () => {
    const { train, test } = sampledTwoSpirals({ trainSize: 2000, testSize: 1000, seed: 4 });
    expect(train.xShape).toEqual([2000, 2]);
    expect(test.xShape).toEqual([1000, 2]);
    let maxAbs = 0;
    for (const v of train.x) maxAbs = Math.max(maxAbs, Math.abs(v));
    expect(maxAbs).toBeCloseTo(1, 6);
    const points: Array<[number, number]> = [];
    for (let p = 0; p < 1000; p += 25) {
      const [a, b] = [train.x[4 * p], train.x[4 * p + 1]];
      expect(train.x[4 * p + 2]).toBe(-a);
      expect(train.x[4 * p + 3]).toBe(-b);
      expect([train.y[2 * p], train.y[2 * p + 1]]).toEqual([0, 1]);
      points.push([a, b]);
    }
    // A class-0 point at radius r has t = s·r and angle π − t (mod 2π): find the s that fits every point.
    const misfit = (s: number) => {
      let worst = 0;
      for (const [a, b] of points) {
        const r = Math.hypot(a, b);
        let d = (Math.atan2(b, a) - (Math.PI - s * r)) % (2 * Math.PI);
        if (d > Math.PI) d -= 2 * Math.PI;
        if (d < -Math.PI) d += 2 * Math.PI;
        worst = Math.max(worst, Math.abs(d));
      }
      return worst;
    };
    let best = Infinity;
    let bestS = 0;
    // τ = 1.5 turns: t ≤ 3π, and the scale is the largest |coordinate|, a little below 3π.
    for (let s = 2 * Math.PI; s <= 3 * Math.PI; s += 1e-5) {
      const m = misfit(s);
      if (m < best) [best, bestS] = [m, s];
    }
    expect(best).toBeLessThan(1e-4);
    expect(bestS).toBeGreaterThan(2.9 * Math.PI);
    expect(() => sampledTwoSpirals({ trainSize: 11 })).toThrow(/must be even/);
  });
});

describe('small classics', () => {
  it('xor is the four corners with labels 0, 1, 1, 0', () => {
    const { train, test } = xor();
    expect(Array.from(train.x)).toEqual([0, 0, 0, 1, 1, 0, 1, 1]);
    expect(Array.from(train.y)).toEqual([0, 1, 1, 0]);
    expect(Array.from(test.y)).toEqual([0, 1, 1, 0]);
    const noisy = xor({ samplesPerCorner: 25, noise: 0.1, seed: 2 });
    expect(noisy.train.xShape).toEqual([100, 2]);
    for (let i = 0; i < 100; i++) expect(noisy.train.y[i]).toBe([0, 1, 1, 0][i % 4]);
  });

  it('two moons puts class 0 on the upper unit half circle and class 1 on the shifted lower one', () => {
    const { train, test } = twoMoons({ noise: 0, trainSize: 101, testSize: 50 });
    expect(test.xShape).toEqual([50, 2]);
    let zeros = 0;
    for (let i = 0; i < 101; i++) {
      const [a, b] = [train.x[2 * i], train.x[2 * i + 1]];
      if (train.y[i] === 0) {
        zeros++;
        expect(Math.hypot(a, b)).toBeCloseTo(1, 5);
        expect(b).toBeGreaterThanOrEqual(-1e-6);
      } else {
        expect(Math.hypot(a - 1, b - 0.5)).toBeCloseTo(1, 5);
        expect(b).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
    expect(zeros).toBe(50);
  });

  it('gaussian blobs share their centres between splits and spread the points evenly over the classes', () => {
    const ds = gaussianBlobs({ classes: 4, trainSize: 4000, testSize: 10, std: 0.5, seed: 5 });
    expect(ds.numClasses).toBe(4);
    expect(ds.centres).toHaveLength(8);
    const sums = new Float64Array(8);
    const counts = new Int32Array(4);
    for (let i = 0; i < 4000; i++) {
      const c = ds.train.y[i];
      counts[c]++;
      sums[2 * c] += ds.train.x[2 * i];
      sums[2 * c + 1] += ds.train.x[2 * i + 1];
    }
    expect(Array.from(counts)).toEqual([1000, 1000, 1000, 1000]);
    for (let k = 0; k < 8; k++) expect(sums[k] / 1000).toBeCloseTo(ds.centres[k], 1);
    for (const v of ds.centres) expect(Math.abs(v)).toBeLessThanOrEqual(10);
  });
});

describe('seeds', () => {
  const generators: Array<[string, (seed: number) => Dataset<Int32Array | Float32Array>]> = [
    ['twoSpirals', (seed) => twoSpirals({ noise: 0.1, seed })],
    ['sampledTwoSpirals', (seed) => sampledTwoSpirals({ trainSize: 200, testSize: 100, noise: 0.01, seed })],
    ['checkerboard', (seed) => checkerboard({ trainSize: 300, testSize: 100, seed })],
    ['sinusoidBoundary', (seed) => sinusoidBoundary({ trainSize: 300, testSize: 100, seed })],
    ['mixedFrequency', (seed) => mixedFrequency({ trainSize: 300, testSize: 100, seed })],
    ['sineFit', (seed) => sineFit({ size: 300, noise: 0.1, seed })],
    ['xor', (seed) => xor({ samplesPerCorner: 10, noise: 0.1, seed })],
    ['twoMoons', (seed) => twoMoons({ trainSize: 300, testSize: 100, seed })],
    ['gaussianBlobs', (seed) => gaussianBlobs({ trainSize: 300, testSize: 100, seed })],
  ];

  it.each(generators)('%s gives bit-identical data for a seed and different data for another', (_, make) => {
    expectIdentical(make(11), make(11));
    const values = (d: Dataset<Int32Array | Float32Array>) => [...d.train.x, ...d.train.y];
    expect(values(make(11))).not.toEqual(values(make(12)));
  });

  it('pins exact values for seed 7 (cross-platform golden values)', () => {
    expect(Array.from(twoMoons({ seed: 7 }).train.x.slice(0, 4))).toEqual([0.9005545973777771, 0.13958317041397095, 0.3920115828514099, 0.9451655745506287]);
    const blobs = gaussianBlobs({ seed: 7 });
    expect(Array.from(blobs.centres)).toEqual([
      -2.631260279440859, 3.7142322587590506, -5.920445480569128, 4.565748652241126, -9.122987475206742, -5.9607144281577344,
    ]);
    expect(Array.from(blobs.train.x.slice(0, 2))).toEqual([-9.830461502075195, -6.427151203155518]);
    expect(Array.from(blobs.train.y.slice(0, 4))).toEqual([2, 0, 0, 0]);
    const board = checkerboard({ seed: 7 });
    expect(Array.from(board.train.x.slice(0, 4))).toEqual([-0.36711955070495605, -0.4671078026294708, -0.49441784620285034, 0.31802818179130554]);
    expect(Array.from(board.test.x.slice(0, 2))).toEqual([-0.28055983781814575, -0.08467564731836319]);
    expect(Array.from(sampledTwoSpirals({ seed: 7 }).train.x.slice(0, 2))).toEqual([0.3489096164703369, -0.10564079135656357]);
    expect(Array.from(xor({ noise: 0.1, seed: 7 }).train.x.slice(0, 2))).toEqual([0.19663777947425842, 0.041227348148822784]);
    expect(Array.from(sineFit({ noise: 0.05, seed: 7 }).train.y.slice(0, 2))).toEqual([-0.08088651299476624, 0.02940654754638672]);
  });

  it('rejects bad options with typed errors naming the argument', () => {
    expect(() => checkerboard({ squares: 0 })).toThrow(InvalidArgumentError);
    expect(() => twoMoons({ noise: -1 })).toThrow(/argument 'noise'/);
    expect(() => gaussianBlobs({ classes: 5, trainSize: 4 })).toThrow(/argument 'trainSize'/);
    expect(() => sineFit({ size: 1 })).toThrow(/argument 'size'/);
    expect(() => sinusoidBoundary({ seed: Number.NaN })).toThrow(/argument 'seed'/);
    expect(() => xor({ samplesPerCorner: 0.5 })).toThrow(/argument 'samplesPerCorner'/);
  });
});
