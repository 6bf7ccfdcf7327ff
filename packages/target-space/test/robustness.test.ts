import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, initBackend } from '@beyond-backprop/core-linalg';
import { TrainingDivergedError } from '@beyond-backprop/training';
import { TargetSpaceMlp } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const xRows = { rows: 4, cols: 2, data: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]) };

describe('TargetSpaceMlp robustness', () => {
  it('rejects labels below -1 and at or above the class count, naming the entry', async () => {
    const net = new TargetSpaceMlp({ layers: [2, 3, 2] }, { realisationInputs: xRows, seed: 1, engine: 'float64' });
    const x = tf.tensor2d(Float32Array.from(xRows.data), [4, 2]);
    for (const bad of [-5, 2]) {
      const y = tf.tensor1d([0, 1, bad, 0], 'int32');
      await expect(net.fit(x, y, { epochs: 1 })).rejects.toThrow(InvalidArgumentError);
      await expect(net.fit(x, y, { epochs: 1 })).rejects.toThrow(/argument 'y\[2\]' must be a class index in \[0, 1\] \(or −1 to skip\)/);
      y.dispose();
    }
    x.dispose();
    net.dispose();
  });

  it('the float64 engine stops with TrainingDivergedError before its weights overflow float32, and predict() stays finite', async () => {
    // Float targets of 1e30 with plain SGD at a huge step push the targets (and the realised weights) past float32's
    // range while float64 still represents them; predict() runs in float32.
    const net = new TargetSpaceMlp(
      { layers: [2, 3, 1] },
      { realisationInputs: xRows, seed: 2, engine: 'float64', optimizer: { kind: 'sgd', learningRate: 1e20 } },
    );
    const x = tf.tensor2d(Float32Array.from(xRows.data), [4, 2]);
    const y = tf.tensor2d([1e30, -1e30, 1e30, -1e30], [4, 1]);
    const error = await net.fit(x, y, { epochs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    // The loss (≈ 1e60 here) is finite in float64 but past float32's range: reported as ∞, not as NaN.
    expect((error as TrainingDivergedError).loss).toBe(Number.POSITIVE_INFINITY);
    expect((error as Error).message).toMatch(/loss is Infinity/);
    const out = net.predict(x);
    expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, out]);
    net.dispose();
  });
});
