import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { PROCEDURAL_SHAPE_CLASSES, proceduralShapes } from '../src/index.js';

describe('procedural shapes (no files)', () => {
  it('generates seeded NHWC images of every class, identical for the same seed and different for another', () => {
    const a = proceduralShapes({ trainSize: 300, testSize: 50, seed: 1 });
    expect(a.train.xShape).toEqual([300, 16, 16, 1]);
    expect(a.test.xShape).toEqual([50, 16, 16, 1]);
    expect(a.numClasses).toBe(PROCEDURAL_SHAPE_CLASSES.length);
    const counts = new Array(6).fill(0);
    for (const l of a.train.y) counts[l]++;
    expect(counts.every((c) => c > 20)).toBe(true);
    expect(proceduralShapes({ trainSize: 300, testSize: 50, seed: 1 }).train.x).toEqual(a.train.x);
    expect(proceduralShapes({ trainSize: 300, testSize: 50, seed: 2 }).train.x).not.toEqual(a.train.x);
  });

  it('draws a shape brighter than its background in every noise-free image', () => {
    const d = proceduralShapes({ trainSize: 200, testSize: 1, noise: 0, seed: 3 });
    for (let i = 0; i < 200; i++) {
      const img = Array.from(d.train.x.subarray(i * 256, (i + 1) * 256));
      const levels = [...new Set(img)].sort((a, b) => a - b);
      expect(levels).toHaveLength(2);
      const lit = img.filter((v) => v === levels[1]).length;
      expect(lit).toBeGreaterThan(3);
      expect(lit).toBeLessThan(200);
    }
    expect(() => proceduralShapes({ size: 4 })).toThrow(InvalidArgumentError);
  });
});
