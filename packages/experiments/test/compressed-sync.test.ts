import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@beyond-backprop/core-linalg';
import { runExperiment } from '../src/index.js';
import { registerNodeBuiltins } from '../src/node.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  registerNodeBuiltins();
});

const small = { trainSize: 256, testSize: 128 };

describe('compressed-sync on mnist-compression (thesis C0)', () => {
  it('adds bits per parameter, ratio and bytes to the run result; the huffman codec sends fewer bytes than float32', async () => {
    const { result, run } = await runExperiment({
      experiment: 'mnist-compression',
      epochs: 2,
      seed: 1,
      keepBackend: true,
      methodOptions: { ...small, codec: 'huffman', c: 5 },
    });
    run.dispose();
    expect(result).toMatchObject({ experiment: 'mnist-compression', method: 'compressed-sync', codec: 'huffman', syncs: 2 });
    expect(result.hyperparameters).toMatchObject({ loss: 'mse', outputActivation: 'tanh', optimizer: 'sgd', batchSize: 64 });
    const bits = result.bitsPerParameter as number;
    expect(bits).toBeGreaterThan(0);
    expect(bits).toBeLessThan(5 + 4);
    expect(result.compressionRatio).toBeCloseTo(32 / bits, 12);
    const params = 784 * 392 + 392 * 50 + 50 * 10 + 392 + 50 + 10;
    expect(result.bytesSentFloat32).toBe(2 * 4 * params);
    expect(result.bytesSent as number).toBeLessThan((result.bytesSentFloat32 as number) / 3);
    expect((result.layerBitsByEpoch as number[][]).every((l) => l.length === 3 && l.every((n) => n >= 5 && n <= 9))).toBe(true);
  });

  it('codec none is the float32 baseline: 32 bits per parameter, same batches, and it never overrides standard fields', async () => {
    const { result, run } = await runExperiment({
      experiment: 'mnist-compression',
      epochs: 1,
      seed: 1,
      keepBackend: true,
      methodOptions: { ...small, codec: 'none' },
    });
    run.dispose();
    expect(result.bitsPerParameter).toBe(32);
    expect(result.compressionRatio).toBe(1);
    expect(result.method).toBe('compressed-sync');
    await expect(runExperiment({ experiment: 'mnist-compression', epochs: 1, keepBackend: true, methodOptions: { ...small, codec: 'zip' } })).rejects.toThrow(
      /--codec/,
    );
  });
});
