import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, createRng, initBackend } from '@beyond-backprop/core-linalg';
import {
  gaussianBlobs,
  minibatchIndices,
  minibatches,
  permutation,
  realisationBatch,
  selectExamples,
  shuffleSplit,
  toTensors,
  toTfDataset,
  twoSpirals,
  type Split,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

/** A split whose x row i is [i, 10·i] and label i mod 4. */
function indexed(n: number): Split<Int32Array> {
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) [x[2 * i], x[2 * i + 1]] = [i, 10 * i];
  return { x, xShape: [n, 2], y: Int32Array.from({ length: n }, (_, i) => i % 4), yShape: [n] };
}

describe('permutations and subsets', () => {
  it('gives the same permutation for a seed on every call, and a different one for another seed', () => {
    const p = permutation(50, 3);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(permutation(50, 3))).toEqual(Array.from(p));
    expect(Array.from(permutation(50, 4))).not.toEqual(Array.from(p));
    expect(Array.from(permutation(10, 7))).toEqual([3, 9, 6, 5, 4, 7, 2, 1, 8, 0]);
  });

  it('selects and shuffles whole examples, leaving the input untouched', () => {
    const split = indexed(6);
    const picked = selectExamples(split, [4, 1]);
    expect(Array.from(picked.x)).toEqual([4, 40, 1, 10]);
    expect(Array.from(picked.y)).toEqual([0, 1]);
    const shuffled = shuffleSplit(split, 2);
    const order = Array.from(permutation(6, 2));
    expect(Array.from(shuffled.x)).toEqual(order.flatMap((i) => [i, 10 * i]));
    expect(split.x[2]).toBe(1);
    expect(() => selectExamples(split, [6])).toThrow(/indices\[0\]' must be an integer in \[0, 5\]/);
  });
});

describe('minibatches', () => {
  it('covers every example once per epoch, reshuffling each epoch in runFitLoop’s order', () => {
    const n = 23;
    const batches = [...minibatchIndices(n, { batchSize: 5, epochs: 3, seed: 9 })];
    expect(batches.map((b) => b.indices.length)).toEqual([5, 5, 5, 5, 3, 5, 5, 5, 5, 3, 5, 5, 5, 5, 3]);
    // The fit loop's contract: rng = createRng(seed).fork('batches'); each epoch one more Fisher–Yates pass.
    const rng = createRng(9).fork('batches');
    const order = Array.from({ length: n }, (_, i) => i);
    for (let epoch = 0; epoch < 3; epoch++) {
      rng.shuffle(order);
      const seen = batches.filter((b) => b.epoch === epoch).flatMap((b) => Array.from(b.indices));
      expect(seen).toEqual(order);
    }
    const unshuffled = [...minibatchIndices(7, { batchSize: 3, shuffle: false, dropRemainder: true })];
    expect(unshuffled.map((b) => Array.from(b.indices))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('yields the examples of each batch as a split', () => {
    const split = indexed(10);
    const all = [...minibatches(split, { batchSize: 4, seed: 1 })];
    expect(all).toHaveLength(3);
    for (const b of all) {
      expect(b.xShape).toEqual([b.indices.length, 2]);
      b.indices.forEach((i, k) => {
        expect(b.x[2 * k]).toBe(i);
        expect(b.y[k]).toBe(i % 4);
      });
    }
    expect(() => [...minibatches(split, { batchSize: 0 })]).toThrow(/argument 'batchSize'/);
    expect(() => [...minibatchIndices(3, { batchSize: 4, dropRemainder: true })]).toThrow(InvalidArgumentError);
  });

  it('fixes a realisation batch: the first examples, or a seeded subset in data order', () => {
    const split = indexed(100);
    expect(Array.from(realisationBatch(split, 3).x)).toEqual([0, 0, 1, 10, 2, 20]);
    const a = realisationBatch(split, 10, { seed: 4 });
    const firsts = Array.from({ length: 10 }, (_, k) => a.x[2 * k]);
    expect(firsts).toEqual([...firsts].sort((p, q) => p - q));
    expect(new Set(firsts).size).toBe(10);
    expect(realisationBatch(split, 10, { seed: 4 })).toEqual(a);
    expect(Array.from(realisationBatch(split, 10, { seed: 5 }).x)).not.toEqual(Array.from(a.x));
    expect(() => realisationBatch(split, 101)).toThrow(/argument 'size'/);
  });
});

describe('tensors and tf.data', () => {
  it('converts minibatches to tensors inside a caller-controlled tidy without leaking', () => {
    const split = twoSpirals().train;
    const before = tf.memory().numTensors;
    let total = 0;
    for (const batch of minibatches(split, { batchSize: 50, seed: 2 })) {
      total += tf.tidy(() => {
        const { x, y } = toTensors(batch);
        expect(x.shape).toEqual([batch.indices.length, 2]);
        return x.sum().dataSync()[0] * 0 + y.shape[0];
      });
    }
    expect(total).toBe(194);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('feeds model.fitDataset with seeded one-hot batches and learns a blob problem', async () => {
    const { train, test } = gaussianBlobs({ classes: 3, trainSize: 150, testSize: 60, std: 0.8, seed: 3 });
    const ds = toTfDataset(train, { batchSize: 32, seed: 1, oneHot: 3 });
    const first = await ds.take(1).toArray();
    expect(first[0].xs.shape).toEqual([32, 2]);
    expect(first[0].ys.shape).toEqual([32, 3]);
    tf.dispose(first.map((b) => [b.xs, b.ys]));
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    const data = toTfDataset(train, { batchSize: 32, seed: 1, oneHot: 3 });
    const warmup = await model.fitDataset(data, { epochs: 1, verbose: 0 });
    // After the first epoch (which creates the optimizer's slots) the tensor count stays flat.
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(data, { epochs: 14, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(history.history.loss!.at(-1)).toBeLessThan(warmup.history.loss![0] as number);
    const accuracy = tf.tidy(() => {
      const { x, y } = toTensors(test);
      return (model.predict(x) as tf.Tensor).argMax(-1).equal(y).mean().dataSync()[0];
    });
    expect(accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('draws the epoch orders of minibatchIndices on successive passes, and int32 labels without oneHot', async () => {
    const split = indexed(9);
    const ds = toTfDataset(split, { batchSize: 4, seed: 6 });
    const expected = [...minibatchIndices(9, { batchSize: 4, epochs: 2, seed: 6 })];
    for (let epoch = 0; epoch < 2; epoch++) {
      const batches = await ds.toArray();
      const seen: number[] = [];
      for (const b of batches) {
        expect(b.ys.dtype).toBe('int32');
        seen.push(...Array.from(b.xs.dataSync()).filter((_, k) => k % 2 === 0));
      }
      tf.dispose(batches.map((b) => [b.xs, b.ys]));
      expect(seen).toEqual(expected.filter((b) => b.epoch === epoch).flatMap((b) => Array.from(b.indices)));
    }
    expect(() => toTfDataset({ ...split, y: new Float32Array(9) }, { batchSize: 2, oneHot: 2 })).toThrow(/argument 'oneHot'/);
  });
});
