import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteError } from '@beyond-backprop/core-linalg/errors';
import { MAX_BITS, bitsForLayer, bitsFromGradientRms, dequantize, layerRange, quantize } from '../src/index.js';
import { normalLayer, uniforms } from './fixtures.js';

function testLayers(): Float32Array[] {
  const u = uniforms(20000, 11);
  const heavy = new Float32Array(5000);
  for (let i = 0; i < heavy.length; i++) heavy[i] = Math.tan(Math.PI * (u[i] - 0.5)) * 0.01; // Cauchy
  const mixed = normalLayer(3000, 12, 0.2);
  mixed.fill(0.125, 0, 1000); // a run of constants inside a spread layer
  return [normalLayer(100000, 10, 0.05), Float32Array.from(u.subarray(0, 7777), (x) => 2 * x - 1), heavy, mixed, new Float32Array([3.5])];
}

describe('quantize / dequantize (thesis §3.2, Alg. 1 QUANTIZE, Alg. 2 line 4)', () => {
  it('maps a hand-checked vector to bins [0, 1, 2, 3, 3] and back to bin centres', () => {
    const w = new Float32Array([-1, -0.5, 0, 0.5, 1]);
    const q = quantize(w, -1, 1, 2);
    expect(Array.from(q)).toEqual([0, 1, 2, 3, 3]);
    expect(Array.from(dequantize(q, -1, 1, 2))).toEqual([-0.75, -0.25, 0.25, 0.75, 0.75]);
  });

  it('keeps every index in range, the error within half a bin, and maps min to 0 and max to the top bin', () => {
    for (const layer of testLayers()) {
      const { min, max } = layerRange(layer);
      for (const bits of [1, 2, 3, 5, 8, 12, 16]) {
        const q = quantize(layer, min, max, bits);
        const w = dequantize(q, min, max, bits);
        const delta = (max - min) / 2 ** bits;
        let worst = 0;
        let qMax = 0;
        for (let i = 0; i < layer.length; i++) {
          worst = Math.max(worst, Math.abs(w[i] - layer[i]) - (delta / 2 + Math.abs(w[i]) * 2 ** -23));
          qMax = Math.max(qMax, q[i]);
          if (layer[i] === min) expect(q[i]).toBe(0);
          if (layer[i] === max && max > min) expect(q[i]).toBe(2 ** bits - 1);
        }
        expect(worst).toBeLessThanOrEqual(0);
        expect(qMax).toBeLessThanOrEqual(2 ** bits - 1);
      }
    }
  });

  it('is idempotent: quantising the reconstruction gives the same indices (N <= 16)', () => {
    for (const layer of testLayers()) {
      const { min, max } = layerRange(layer);
      for (const bits of [1, 4, 9, 16]) {
        const q = quantize(layer, min, max, bits);
        expect(quantize(dequantize(q, min, max, bits), min, max, bits)).toEqual(q);
      }
    }
  });

  it('gives all-zero indices for a degenerate range and reconstructs the constant exactly', () => {
    const w = new Float32Array(100).fill(-0.3);
    const q = quantize(w, -0.3 as number, -0.3, 7);
    expect(q.every((x) => x === 0)).toBe(true);
    const back = dequantize(q, Math.fround(-0.3), Math.fround(-0.3), 7);
    expect(back.every((x) => x === Math.fround(-0.3))).toBe(true);
  });

  it('uses Uint16Array up to 16 bits and Uint32Array above, up to the 24-bit cap', () => {
    const w = normalLayer(1000, 3);
    const { min, max } = layerRange(w);
    expect(quantize(w, min, max, 16)).toBeInstanceOf(Uint16Array);
    const q24 = quantize(w, min, max, MAX_BITS);
    expect(q24).toBeInstanceOf(Uint32Array);
    expect(Math.max(...q24)).toBe(2 ** 24 - 1);
    expect(() => quantize(w, min, max, 25)).toThrow(InvalidArgumentError);
    expect(() => quantize(w, min, max, 0)).toThrow(/quantize: argument 'bits'/);
    expect(() => quantize(w, min, max, 2.5)).toThrow(InvalidArgumentError);
  });

  it('clamps values outside the given range to the end bins', () => {
    expect(Array.from(quantize(new Float32Array([-5, 0.5, 5]), 0, 1, 3))).toEqual([0, 4, 7]);
  });

  it('rejects NaN and infinite weights and bad ranges with typed errors', () => {
    expect(() => quantize(new Float32Array([0, NaN, 1]), 0, 1, 4)).toThrow(NonFiniteError);
    expect(() => layerRange(new Float32Array([0, Infinity]))).toThrow(NonFiniteError);
    expect(() => layerRange(new Float32Array([NaN, 1]))).toThrow(NonFiniteError);
    expect(() => quantize(new Float32Array([0]), 1, 0, 4)).toThrow(/quantize: argument 'max'/);
    expect(() => dequantize(new Uint16Array([16]), 0, 1, 4)).toThrow(/dequantize: argument 'indices'/);
  });
});

describe('bit depth N = H + c (thesis §3.5, Alg. 1 line 5)', () => {
  it("with 'ceil' keeps N in [c, c + M] for H in [0, M], and H = 0 gives N = c", () => {
    for (let c = 1; c <= 10; c++) {
      expect(bitsForLayer(0, c)).toBe(c);
      for (let h = 0; h <= 4; h += 0.01) {
        const n = bitsForLayer(h, c);
        expect(n).toBeGreaterThanOrEqual(c);
        expect(n).toBeLessThanOrEqual(c + 4);
        expect(n).toBeGreaterThanOrEqual(h + c - 1e-9);
      }
    }
    expect(bitsForLayer(2, 5)).toBe(7);
    expect(bitsForLayer(2 - 1e-12, 5)).toBe(7);
    expect(bitsForLayer(2.3, 5, 'round')).toBe(7);
    expect(bitsForLayer(2.7, 5, 'floor')).toBe(7);
  });

  it('clamps N to [1, 24]', () => {
    expect(bitsForLayer(0, 0)).toBe(1);
    expect(bitsForLayer(8, 20)).toBe(MAX_BITS);
  });

  it('rejects a negative entropy, a fractional floor and an unknown rounding', () => {
    expect(() => bitsForLayer(-0.1, 5)).toThrow(/bitsForLayer: argument 'h'/);
    expect(() => bitsForLayer(1, 5.5)).toThrow(/bitsForLayer: argument 'c'/);
    expect(() => bitsForLayer(1, 5, 'up' as 'ceil')).toThrow(/bitsForLayer: argument 'rounding'/);
  });

  it('the gradient rule gives round(log2(G + c0) + c1) (thesis §3.3)', () => {
    expect(bitsFromGradientRms(3, { c1: 6 })).toBe(8);
    expect(bitsFromGradientRms(0, { c1: 5 })).toBe(5);
    expect(bitsFromGradientRms(1, { c1: 5, scale: 2, c0: 3 })).toBe(9);
    expect(() => bitsFromGradientRms(-1, { c1: 5 })).toThrow(InvalidArgumentError);
  });
});
