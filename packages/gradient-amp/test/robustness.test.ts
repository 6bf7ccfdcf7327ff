import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, initBackend } from '@beyond-backprop/core-linalg';
import { denseNetwork } from '@beyond-backprop/training';
import { createHead, fitHead } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

describe('fitHead robustness', () => {
  it('a wrong input width is a ShapeError naming x, not a raw tfjs error', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [3], outputs: 2, seed: 1 });
    const x = tf.tensor2d([0, 1, 1, 0, 1, 1, 0, 0, 1], [3, 3]);
    const y = tf.tensor1d([0, 1, 1], 'int32');
    await expect(fitHead(model, x, y, createHead('softmax-ce'), { epochs: 1 })).rejects.toThrow(ShapeError);
    await expect(fitHead(model, x, y, createHead('softmax-ce'), { epochs: 1 })).rejects.toThrow(
      /fitHead: argument 'x' must have shape \[\?, 2\], got \[3, 3\]/,
    );
    tf.dispose([x, y]);
    model.dispose();
  });

  it('repeated calls with the default optimiser leave no tensors behind', async () => {
    const model = denseNetwork({ inputSize: 2, hidden: [3], outputs: 2, seed: 1 });
    const x = tf.tensor2d([0, 1, 1, 0, 1, 1], [3, 2]);
    const y = tf.tensor1d([0, 1, 1], 'int32');
    await fitHead(model, x, y, createHead('softmax-ce'), { epochs: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await fitHead(model, x, y, createHead('softmax-ce'), { epochs: 2 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
