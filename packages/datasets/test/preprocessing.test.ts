import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, createRng } from '@beyond-backprop/core-linalg';
import {
  fitChannelMean,
  fitZca,
  flattenInputs,
  globalContrastNormalize,
  oneHotLabels,
  scaleToUnitRange,
  trainValidationSplit,
  xor,
  type Split,
} from '../src/index.js';

/** A split of `n` random examples with `shape` per example (values from a seeded normal), labels `i mod 3`. */
function randomSplit(n: number, shape: number[], seed: number, transform = (v: number, j: number) => v + j): Split<Int32Array> {
  const rng = createRng(seed);
  const d = shape.reduce((p, v) => p * v, 1);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = transform(rng.normal(), j);
  return { x, xShape: [n, ...shape], y: Int32Array.from({ length: n }, (_, i) => i % 3), yShape: [n] };
}

describe('scaling and reshaping', () => {
  it('maps pixel values 0–255 onto [0, 1] without touching the input', () => {
    const split: Split<Int32Array> = { x: Float32Array.from([0, 51, 255, 127.5]), xShape: [2, 2], y: Int32Array.from([0, 1]), yShape: [2] };
    const scaled = scaleToUnitRange(split);
    expect(Array.from(scaled.x)).toEqual([0, 0.20000000298023224, 1, 0.5]);
    expect(split.x[2]).toBe(255);
    expect(Array.from(scaleToUnitRange(split, { min: 51, max: 255 }).x.subarray(0, 3))).toEqual([-0.25, 0, 1]);
    expect(() => scaleToUnitRange(split, { min: 3, max: 3 })).toThrow(/argument 'max'/);
  });

  it('flattens NHWC images into rows', () => {
    const images = randomSplit(4, [2, 3, 2], 1);
    const flat = flattenInputs(images);
    expect(flat.xShape).toEqual([4, 12]);
    expect(Array.from(flat.x)).toEqual(Array.from(images.x));
    expect(flat.x).not.toBe(images.x);
  });
});

describe('per-channel mean removal (rec-LRA §4)', () => {
  it('fits each channel’s mean on the training split and subtracts it from any split', () => {
    const train = randomSplit(50, [4, 4, 3], 2, (v, j) => v + 10 * (j % 3));
    const centre = fitChannelMean(train);
    expect(centre.mean).toHaveLength(3);
    expect(centre.mean[0]).toBeCloseTo(0, 0);
    expect(centre.mean[2]).toBeCloseTo(20, 0);
    const out = centre.apply(train);
    const sums = [0, 0, 0];
    for (let i = 0; i < out.x.length; i++) sums[i % 3] += out.x[i];
    for (const s of sums) expect(Math.abs(s / (out.x.length / 3))).toBeLessThan(1e-5);
    const test = randomSplit(5, [4, 4, 3], 3);
    expect(centre.apply(test).x[2]).toBeCloseTo(test.x[2] - centre.mean[2], 5);
    expect(() => centre.apply(randomSplit(2, [4, 4, 1], 4))).toThrow(ShapeError);
  });
});

describe('global contrast normalisation', () => {
  it('centres every example and scales it to norm `scale` (pylearn2 semantics)', () => {
    const split = randomSplit(6, [10], 5, (v, j) => 3 * v + j);
    const out = globalContrastNormalize(split, { scale: 2 });
    for (let e = 0; e < 6; e++) {
      const row = Array.from(out.x.subarray(e * 10, e * 10 + 10));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 5);
      expect(Math.hypot(...row)).toBeCloseTo(2, 5);
    }
    const std = globalContrastNormalize(split, { useStd: true });
    const row = Array.from(std.x.subarray(0, 10));
    expect(Math.sqrt(row.reduce((s, v) => s + v * v, 0) / 10)).toBeCloseTo(1, 5);
    // rec-LRA §4: each channel of each image centred on its own mean, nothing divided.
    const images = randomSplit(3, [2, 2, 3], 6, (v, j) => v + 5 * (j % 3));
    const centred = globalContrastNormalize(images, { perChannel: true, centreOnly: true });
    for (let e = 0; e < 3; e++) {
      for (let c = 0; c < 3; c++) {
        const values = [0, 1, 2, 3].map((p) => centred.x[e * 12 + p * 3 + c]);
        expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 5);
        expect(values[0] - values[1]).toBeCloseTo(images.x[e * 12 + c] - images.x[e * 12 + 3 + c], 5);
      }
    }
    const perChannelUnit = globalContrastNormalize(images, { perChannel: true });
    expect(Math.hypot(...[0, 1, 2, 3].map((p) => perChannelUnit.x[p * 3 + 1]))).toBeCloseTo(1, 5);
    // A flat example stays flat instead of dividing by zero.
    const flat: Split<Int32Array> = { x: new Float32Array(4).fill(7), xShape: [1, 4], y: Int32Array.from([0]), yShape: [1] };
    expect(Array.from(globalContrastNormalize(flat).x)).toEqual([0, 0, 0, 0]);
  });
});

describe('ZCA whitening (rec-LRA §4)', () => {
  it('makes the training covariance the identity with a symmetric whitening matrix fitted in float64', () => {
    // Correlated features: x = z·A with a fixed mixing matrix.
    const mix = [
      [2, 0.5, 0, 1],
      [0, 1, 0.3, 0],
      [0.2, 0, 1.5, 0.4],
      [0, 0.7, 0, 0.5],
    ];
    const rng = createRng(6);
    const n = 4000;
    const x = new Float32Array(n * 4);
    for (let e = 0; e < n; e++) {
      const z = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
      for (let j = 0; j < 4; j++) x[e * 4 + j] = 5 + z.reduce((s, v, k) => s + v * mix[k][j], 0);
    }
    const train: Split<Int32Array> = { x, xShape: [n, 2, 2], y: new Int32Array(n), yShape: [n] };
    const zca = fitZca(train, { epsilon: 0 });
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(zca.whitening[i * 4 + j]).toBeCloseTo(zca.whitening[j * 4 + i], 12);
    const white = zca.apply(train);
    expect(white.xShape).toEqual([n, 2, 2]);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let c = 0;
        for (let e = 0; e < n; e++) c += white.x[e * 4 + i] * white.x[e * 4 + j];
        expect(c / n).toBeCloseTo(i === j ? 1 : 0, 3);
      }
    }
    // ε shrinks the whitened variance: λ/(λ + ε) per direction.
    const soft = fitZca(train, { epsilon: 1 }).apply(train);
    let v0 = 0;
    for (let e = 0; e < n; e++) v0 += soft.x[e * 4] ** 2;
    expect(v0 / n).toBeLessThan(0.95);
    expect(() => zca.apply(randomSplit(3, [5], 7))).toThrow(ShapeError);
    expect(() => fitZca(randomSplit(1, [3], 8))).toThrow(InvalidArgumentError);
  });
});

describe('labels and validation splits', () => {
  it('one-hot encodes labels and leaves unscored (−1) positions as zero rows', () => {
    expect(Array.from(oneHotLabels(xor().train, 2).y)).toEqual([1, 0, 0, 1, 0, 1, 1, 0]);
    const seq: Split<Int32Array> = { x: new Float32Array(4), xShape: [1, 4, 1], y: Int32Array.from([-1, 0, 2, 1]), yShape: [1, 4] };
    const hot = oneHotLabels(seq, 3);
    expect(hot.yShape).toEqual([1, 4, 3]);
    expect(Array.from(hot.y)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
    expect(() => oneHotLabels(seq, 2)).toThrow(/split.y\[2\]' must lie in \[0, 1\]/);
  });

  it('holds out the last examples, or a seeded random subset, keeping data order in both parts', () => {
    const split = randomSplit(10, [1], 9, (_, __) => 0);
    split.x.set(Array.from({ length: 10 }, (_, i) => i));
    const end = trainValidationSplit(split, { size: 3 });
    expect(Array.from(end.train.x)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(end.validation.x)).toEqual([7, 8, 9]);
    expect(Array.from(end.validation.y)).toEqual([1, 2, 0]);
    const random = trainValidationSplit(split, { size: 0.4, from: 'random', seed: 2 });
    expect(random.validation.xShape).toEqual([4, 1]);
    const held = Array.from(random.validation.x);
    expect(held).toEqual([...held].sort((a, b) => a - b));
    expect([...random.train.x, ...held].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(trainValidationSplit(split, { size: 0.4, from: 'random', seed: 2 })).toEqual(random);
    expect(() => trainValidationSplit(split, { size: 10 })).toThrow(/argument 'size'/);
    expect(() => trainValidationSplit(split, { size: 2, from: 'middle' as never })).toThrow(/argument 'from'/);
  });
});
