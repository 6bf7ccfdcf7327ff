import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteError, initBackend } from '@beyond-backprop/core-linalg';
import { BpttRnn, LraRnn, RecLraNetwork } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const rows = (n: number, d: number, scale = 1) =>
  tf.tensor2d(
    Array.from({ length: n * d }, (_, i) => scale * Math.sin(i * 1.7)),
    [n, d],
  );
const sequences = (n: number, t: number, p: number) =>
  tf.tensor3d(
    Array.from({ length: n * t * p }, (_, i) => Math.cos(i * 0.9)),
    [n, t, p],
  );

describe('labels out of range are typed errors naming y', () => {
  it('RecLraNetwork rejects label 7 of 2 classes and -1', async () => {
    const net = new RecLraNetwork({ layerSizes: [2, 4, 2], seed: 1 });
    const x = rows(4, 2);
    for (const bad of [7, -1]) {
      const y = tf.tensor1d([0, 1, bad, 0], 'int32');
      await expect(net.fit(x, y, { epochs: 1 })).rejects.toThrow(InvalidArgumentError);
      await expect(net.fit(x, y, { epochs: 1 })).rejects.toThrow(/RecLraNetwork.fit: argument 'y' must hold class labels in \[0, 1\].*label -?\d at index 2/);
      expect(() => net.computeUpdates(x, y)).toThrow(/'y'/);
      y.dispose();
    }
    net.dispose();
    x.dispose();
  });

  it('LraRnn and BpttRnn reject label 7 of 2 classes', async () => {
    const x = sequences(3, 4, 3);
    const y = tf.tensor1d([0, 7, 1], 'int32');
    for (const rnn of [new LraRnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4 }), new BpttRnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4 })]) {
      await expect(rnn.fit(x, y, { epochs: 1 })).rejects.toThrow(/\.fit: argument 'y' must hold class labels in \[0, 1\].*label 7 at index 1/);
      rnn.dispose();
    }
    tf.dispose([x, y]);
  });
});

describe('non-finite inputs are NonFiniteError, not divergence', () => {
  it('NaN or Infinity in x of every LRA trainer names x', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const x = tf.tensor2d([0, 1, bad, 0, 1, 1], [3, 2]);
      const net = new RecLraNetwork({ layerSizes: [2, 4, 2], seed: 1 });
      await expect(net.fit(x, tf.tensor1d([0, 1, 0], 'int32'), { epochs: 1 })).rejects.toThrow(NonFiniteError);
      await expect(net.fit(x, tf.tensor1d([0, 1, 0], 'int32'), { epochs: 1 })).rejects.toThrow(/RecLraNetwork.fit: argument 'x' contains/);
      net.dispose();
      const seq = tf.tensor3d([0, 1, 0, bad, 1, 0, 0, 0, 1, 1, 1, 0], [2, 2, 3]);
      for (const rnn of [new LraRnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4 }), new BpttRnn({ inputSize: 3, hidden: 5, outputs: 2, seed: 4 })]) {
        await expect(rnn.fit(seq, tf.tensor1d([0, 1], 'int32'), { epochs: 1 })).rejects.toThrow(/\.fit: argument 'x' contains/);
        rnn.dispose();
      }
      tf.dispose([x, seq]);
    }
  });
});
