import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@beyond-backprop/core-linalg';
import { checkSplit, oneHot, toTensors, twoSpirals } from '../src/index.js';

describe('twoSpirals', () => {
  it('is the 194/194-point benchmark with the paper’s first and last points', () => {
    const { train, test, numClasses } = twoSpirals();
    expect(train.xShape).toEqual([194, 2]);
    expect(test.xShape).toEqual([194, 2]);
    expect(numClasses).toBe(2);
    expect(train.x[0]).toBeCloseTo(0.65, 6);
    expect(train.x[1]).toBeCloseTo(0, 6);
    expect(train.y[0]).toBe(0);
    // Final pair: (6.5, ≈0) class 0 and (−6.5, ≈0) class 1.
    expect(train.x[192 * 2]).toBeCloseTo(6.5, 5);
    expect(Math.abs(train.x[192 * 2 + 1])).toBeLessThan(1e-5);
    expect(train.x[193 * 2]).toBeCloseTo(-6.5, 5);
    expect(train.y[192]).toBe(0);
    expect(train.y[193]).toBe(1);
    // First test point is the angular midpoint k = 0.5.
    expect(test.x[0]).toBeCloseTo(0.677192, 5);
    expect(test.x[1]).toBeCloseTo(0.066698, 5);
  });

  it('follows θ = kπ/16, r = 0.65 + 5.85k/96 for every point and interleaves the classes', () => {
    const { train } = twoSpirals();
    for (let k = 0; k < 97; k++) {
      const r = 0.65 + (5.85 * k) / 96;
      const th = (k * Math.PI) / 16;
      expect(train.x[4 * k]).toBeCloseTo(r * Math.cos(th), 5);
      expect(train.x[4 * k + 1]).toBeCloseTo(r * Math.sin(th), 5);
      expect(train.x[4 * k + 2]).toBeCloseTo(-r * Math.cos(th), 5);
      expect(train.x[4 * k + 3]).toBeCloseTo(-r * Math.sin(th), 5);
      expect(train.y[2 * k]).toBe(0);
      expect(train.y[2 * k + 1]).toBe(1);
    }
  });

  it('adds seeded noise reproducibly and validates options', () => {
    const a = twoSpirals({ noise: 0.1, seed: 3 });
    const b = twoSpirals({ noise: 0.1, seed: 3 });
    const c = twoSpirals({ noise: 0.1, seed: 4 });
    expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
    expect(Array.from(a.train.x)).not.toEqual(Array.from(c.train.x));
    expect(() => twoSpirals({ noise: -1 })).toThrow(InvalidArgumentError);
    expect(() => twoSpirals({ pointsPerClass: 1 })).toThrow(/argument 'pointsPerClass'/);
  });
});

describe('splits and tensors', () => {
  it('toTensors gives float32 inputs and int32 labels of the declared shapes', () => {
    const { x, y } = toTensors(twoSpirals().train);
    expect(x.shape).toEqual([194, 2]);
    expect(x.dtype).toBe('float32');
    expect(y.dtype).toBe('int32');
    tf.dispose([x, y]);
  });

  it('oneHot encodes labels and rejects out-of-range ones', () => {
    const t = oneHot(Int32Array.from([0, 2]), 3);
    expect(t.arraySync()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    t.dispose();
    expect(() => oneHot(Int32Array.from([3]), 3)).toThrow("oneHot: argument 'labels[0]' must lie in [0, 2], got 3");
  });

  it('checkSplit names inconsistent arrays', () => {
    const good = twoSpirals().train;
    expect(() => checkSplit('fit', 'train', { ...good, y: good.y.slice(1), yShape: [193] })).toThrow(ShapeError);
    expect(() => checkSplit('fit', 'train', { ...good, x: good.x.slice(1) })).toThrow(/argument 'train.x'/);
  });
});
