import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import {
  bitsPerParameter,
  compressionRatio,
  cosineSimilarity,
  entropy,
  entropySampleSize,
  estimateDistribution,
  estimateEntropy,
  gradientRms,
  histogram,
  pearson,
  quantize,
  sampleIndices,
  weightEntropy,
} from '../src/index.js';
import { normalSamples, uniforms } from './fixtures.js';

const normals = Float32Array.from(normalSamples(1_000_000, 21));

describe('histogram and entropy (thesis §3.4, Alg. 1 ESTIMATE DISTRIBUTION)', () => {
  it('matches hand-computed entropies', () => {
    expect(entropy([0.5, 0.25, 0.125, 0.125])).toBeCloseTo(1.75, 12);
    expect(entropy(new Array(16).fill(1 / 16))).toBeCloseTo(4, 12);
    expect(entropy([0, 1, 0, 0])).toBe(0);
    expect(entropy(new Uint32Array([1, 1, 1, 2]))).toBeCloseTo(1.921928094887362, 12);
    expect(entropy([])).toBe(0);
  });

  it('counts a hand-checked vector and normalises it', () => {
    const q = new Uint16Array([0, 1, 2, 3, 3]);
    expect(Array.from(histogram(q, 2))).toEqual([1, 1, 1, 2]);
    expect(Array.from(estimateDistribution(q, 2))).toEqual([0.2, 0.2, 0.2, 0.4]);
  });

  it('gives 3.0617 bits for N(0,1) at M = 4 and 7.0468 at M = 8 over [-4, 4], and M bits for uniform weights', () => {
    expect(Math.abs(entropy(histogram(quantize(normals, -4, 4, 4), 4)) - 3.0617)).toBeLessThan(0.01);
    expect(Math.abs(entropy(histogram(quantize(normals, -4, 4, 8), 8)) - 7.0468)).toBeLessThan(0.01);
    const u = Float32Array.from(uniforms(1_000_000, 22), (x) => 2 * x - 1);
    for (const m of [2, 4, 6]) expect(Math.abs(entropy(histogram(quantize(u, -1, 1, m), m)) - m)).toBeLessThan(0.01);
  });

  it('rejects out-of-range indices and negative weights', () => {
    expect(() => histogram(new Uint16Array([4]), 2)).toThrow(/histogram: argument 'indices'/);
    expect(() => entropy([0.5, -0.1])).toThrow(InvalidArgumentError);
  });
});

describe('estimateEntropy (thesis §3.5, Alg. 1 ESTIMATE ENTROPY)', () => {
  it('a 3 % sample is within 0.05 bits of the full layer, and F = 1 is the exact histogram entropy', () => {
    const opts = { bits: 4, min: -4, max: 4 };
    const full = estimateEntropy(normals, { ...opts, fraction: 1 });
    expect(full).toBe(entropy(histogram(quantize(normals, -4, 4, 4), 4)));
    for (const seed of [1, 2, 3]) expect(Math.abs(estimateEntropy(normals, { ...opts, fraction: 0.03, seed }) - full)).toBeLessThan(0.05);
  });

  it('uses the full layer range by default and stays within [0, M]', () => {
    const h = estimateEntropy(normals.subarray(0, 50000), { bits: 4, seed: 9 });
    expect(h).toBeGreaterThan(0);
    expect(h).toBeLessThanOrEqual(4);
    expect(estimateEntropy(new Float32Array(10).fill(1))).toBe(0);
    expect(estimateEntropy(new Float32Array(0))).toBe(0);
  });

  it('draws the same sample for the same seed and distinct indices', () => {
    expect(sampleIndices(1000, 30, 5)).toEqual(sampleIndices(1000, 30, 5));
    expect(sampleIndices(1000, 30, 5)).not.toEqual(sampleIndices(1000, 30, 6));
    const s = sampleIndices(100, 100, 7);
    expect(new Set(s).size).toBe(100);
    expect(Math.max(...s)).toBe(99);
  });

  it('sizes the sample as max(ceil(F n), min(n, minSample))', () => {
    expect(entropySampleSize(500, 0.03, 256)).toBe(256);
    expect(entropySampleSize(500, 0.03, 0)).toBe(15);
    expect(entropySampleSize(100, 0.03, 256)).toBe(100);
    expect(entropySampleSize(784 * 392, 0.03, 256)).toBe(9220);
  });

  it('rejects a fraction outside (0, 1]', () => {
    expect(() => estimateEntropy(normals, { fraction: 0 })).toThrow(/estimateEntropy: argument 'fraction'/);
    expect(() => estimateEntropy(normals, { fraction: 1.5 })).toThrow(InvalidArgumentError);
  });
});

describe('measurements (thesis §3.3–3.5, §3.8)', () => {
  it('bits/parameter and compression ratio follow the thesis arithmetic (32 / 3.55 = 9.01)', () => {
    // Two layers: 1000 values at 3 bits each and 500 at 5 bits: (3000 + 2500) / 1500 bits.
    expect(bitsPerParameter(3000 + 2500, 1500)).toBeCloseTo(5500 / 1500, 12);
    expect(compressionRatio(3.55).toFixed(2)).toBe('9.01');
    expect(compressionRatio(3.78).toFixed(2)).toBe('8.47');
    expect(() => compressionRatio(0)).toThrow(InvalidArgumentError);
  });

  it('gradient RMS, Pearson and cosine match hand values', () => {
    expect(gradientRms([3, -4])).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(0.9933992677987827, 12);
    expect(cosineSimilarity([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(() => pearson([1], [1])).toThrow(InvalidArgumentError);
  });

  it('weight entropy of a layer is that of its own-range M-bit quantisation', () => {
    const w = normals.subarray(0, 10000);
    let min = Infinity;
    let max = -Infinity;
    for (const v of w) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(weightEntropy(w, { bits: 4 })).toBe(entropy(histogram(quantize(w, min, max, 4), 4)));
  });
});
