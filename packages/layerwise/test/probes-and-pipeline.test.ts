import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, createRng, initBackend } from '@beyond-backprop/core-linalg';
import { ConflictingDuplicatesError, PipelineSimulator, kFilter, lsdProbe, pca2d, pureVoronoiMap, selectionEntropy, stableRank } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const line = [0, 1, 2, 3, 4, 5, 6, 7];
const AAAABBBB = [0, 0, 0, 0, 1, 1, 1, 1];

function blobs(seed: number, separation: number): { z: Float64Array; y: number[] } {
  const rng = createRng(seed);
  const z = new Float64Array(400);
  const y: number[] = [];
  for (let i = 0; i < 200; i++) {
    const c = i < 100 ? 0 : 1;
    z[2 * i] = rng.normal() + c * separation;
    z[2 * i + 1] = rng.normal();
    y.push(c);
  }
  return { z, y };
}

describe('PipelineSimulator (thesis §6.8.3, Fig. 6.7)', () => {
  it('takes 2N + P − 1 slots with unit costs, F_b on device d at slot d + 2b, idle only while filling', () => {
    const t = new PipelineSimulator({ forward: [1, 1, 1] }).run(4);
    expect(t.makespan).toBe(2 * 4 + 3 - 1);
    for (const e of t.events) expect(e.start).toBe(e.device + 2 * e.batch + (e.kind === 'B' ? 1 : 0));
    expect(t.fill).toEqual([0, 1, 2]);
    // Device d idles d slots while the pipeline fills and P − 1 − d while it drains.
    expect(t.idle).toEqual([2, 2, 2]);
  });

  it('puts the idle time of an unbalanced pipeline downstream of the slow partition', () => {
    const balanced = new PipelineSimulator({ forward: [1, 1, 1] }).run(6);
    const slow = new PipelineSimulator({ forward: [1, 2, 1], backward: [1, 2, 1] }).run(6);
    expect(slow.makespan).toBeGreaterThan(balanced.makespan);
    expect(slow.idle[2]).toBeGreaterThan(balanced.idle[2] + 5);
    expect(() => new PipelineSimulator({ forward: [1, 1], backward: [1] })).toThrow(/costs\.backward/);
  });
});

describe('k-filtering (thesis §5.4, Def. 8)', () => {
  it('keeps exactly the boundary pair on the hand fixture: redundancy 75 %', () => {
    const r = kFilter(line, 1, AAAABBBB, 2);
    expect(r.keep.map((k, i) => (k ? i : -1)).filter((i) => i >= 0)).toEqual([3, 4]);
    expect(r.redundancy).toBe(0.75);
  });

  it('finds well-separated blobs fully redundant; a 60 % cap removes the 120 most interior', () => {
    const { z, y } = blobs(3, 20);
    expect(kFilter(z, 2, y, 5).redundancy).toBe(1);
    const capped = kFilter(z, 2, y, 5, { maxRemoveFraction: 0.6 });
    expect(capped.removed).toBe(120);
    // The kept ones are the least interior: nearer the other blob than any removed point of their class.
    const gap = (i: number) => (y[i] === 0 ? 20 - z[2 * i] : z[2 * i]);
    for (const c of [0, 1]) {
      const keptGaps = y
        .map((_, i) => i)
        .filter((i) => y[i] === c && capped.keep[i])
        .map(gap);
      const removedGaps = y
        .map((_, i) => i)
        .filter((i) => y[i] === c && !capped.keep[i])
        .map(gap);
      expect(Math.max(...keptGaps)).toBeLessThan(Math.min(...removedGaps) + 1.5);
    }
  });

  it('gives the same result in one block of m rows, and removes nothing from blocks of at most k rows', () => {
    const { z, y } = blobs(4, 3);
    expect(kFilter(z, 2, y, 5, { batchSize: 200 })).toEqual(kFilter(z, 2, y, 5));
    expect(kFilter(z, 2, y, 5, { batchSize: 5 }).removed).toBe(0);
    expect(() => kFilter(z, 2, y, 0)).toThrow(InvalidArgumentError);
  });
});

describe('pure Voronoi map and pure entropy (thesis §5.3.4)', () => {
  it('matches the hand fixtures in bits', () => {
    const a = pureVoronoiMap(line, 1, AAAABBBB);
    expect([a.entropy, a.numCells, a.excess]).toEqual([1, 2, 0]);
    expect(pureVoronoiMap(line, 1, [0, 1, 0, 1, 0, 1, 0, 1]).entropy).toBeCloseTo(3, 12);
    const c = pureVoronoiMap([0, 0.9, 2.0, 2.9, 4.0, 4.9, 6.0, 6.9], 1, [0, 0, 1, 1, 0, 0, 1, 1]);
    expect([c.entropy, c.numCells]).toEqual([2, 4]);
  });

  it('gives H(Y) and zero excess for separated blobs, and is at least the 1-D run-length bound', () => {
    const { z, y } = blobs(5, 20);
    const b = pureVoronoiMap(z, 2, y);
    expect(b.entropy).toBeCloseTo(1, 12);
    expect(b.excess).toBe(0);
    const rng = createRng(6);
    const xs = Array.from({ length: 60 }, () => rng.uniform());
    const ys = xs.map(() => rng.int(2));
    const sorted = xs.map((x, i) => [x, ys[i]] as const).sort((p, q) => p[0] - q[0]);
    const runs: number[] = [];
    sorted.forEach(([, l], i) => (i > 0 && sorted[i - 1][1] === l ? runs[runs.length - 1]++ : runs.push(1)));
    const runH = -runs.reduce((s, r) => s + (r / 60) * Math.log2(r / 60), 0);
    expect(pureVoronoiMap(xs, 1, ys).entropy).toBeGreaterThanOrEqual(runH - 1e-12);
    expect(() => pureVoronoiMap([1, 1], 1, [0, 1])).toThrow(ConflictingDuplicatesError);
  });
});

describe('selection entropy, stable rank, PCA and LSD', () => {
  it('selection entropy matches the hand values and reports dead features', () => {
    const r = selectionEntropy([1, -1, 2, 3, -1, 4, 0.5, 0], 2, [0, 0, 1, 1]);
    expect(r.perFeature[0]).toBeCloseTo(0.918296, 6);
    expect(r.perFeature[1]).toBeCloseTo(1, 12);
    expect(r.mean).toBeCloseTo(0.959148, 6);
    const dead = selectionEntropy([1, -1, 2, -3], 2, [0, 1]);
    expect(dead.dead).toEqual([1]);
    expect(dead.mean).toBe(1);
  });

  it('stable rank: identity 5, rank one 1, diag(3, 4) 1.5625', () => {
    const eye = new Float64Array(25);
    for (let i = 0; i < 5; i++) eye[i * 6] = 1;
    expect(stableRank(eye, [5, 5])).toBeCloseTo(5, 10);
    const u = [1, 2, 3];
    const v = [4, -1];
    expect(
      stableRank(
        u.flatMap((a) => v.map((b) => a * b)),
        [3, 2],
      ),
    ).toBeCloseTo(1, 10);
    expect(stableRank([3, 0, 0, 4], [2, 2])).toBeCloseTo(1.5625, 6);
    expect(stableRank(new Float64Array(3 * 3 * 2 * 4).fill(1), [3, 3, 2, 4])).toBeCloseTo(1, 10);
  });

  it('PCA puts points on a line on the first axis', () => {
    const { coords, variances } = pca2d([1, 1, -1, -1, 2, 2, -2, -2], 2);
    const s = Math.SQRT2;
    [s, 0, -s, 0, 2 * s, 0, -2 * s, 0].forEach((v, i) => expect(coords[i]).toBeCloseTo(v, 10));
    expect(variances[0]).toBeCloseTo(5, 10);
    expect(variances[1]).toBeCloseTo(0, 10);
  });

  it('LSD: 2/9 for x² on [−1, 0, 1]; 0 when the target is a column; ≈0.75(1 − 11/m) for noise', () => {
    const z = tf.tensor2d([[-1], [0], [1]]);
    expect(lsdProbe(z, tf.tensor2d([[1], [0], [1]])).lsd).toBeCloseTo(2 / 9, 9);
    expect(lsdProbe(z, tf.tensor2d([[-1], [0], [1]])).lsd).toBeCloseTo(0, 9);
    const rng = createRng(7);
    const noise = rng.normalTensor([2000, 10]);
    const labels = tf.tensor1d(
      Array.from({ length: 2000 }, () => rng.int(4)),
      'int32',
    );
    const r = lsdProbe(noise, labels, 4);
    expect(Math.abs(r.lsd - 0.75 * (1 - 11 / 2000))).toBeLessThan(0.03);
    expect(r.degenerate).toBe(false);
    expect(lsdProbe(rng.normalTensor([8, 4]), tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32')).degenerate).toBe(true);
  });
});
