import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { xor } from '@beyond-backprop/datasets';
import { builtinExperiments, builtinMethods, getExperiment, listExperiments, listMethods, registerBuiltins, runExperiment } from '../src/index.js';
import { fileExperiments, registerNodeBuiltins } from '../src/node.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

describe('the browser-safe runner', () => {
  it('registers the built-ins once, however often it is asked', () => {
    registerBuiltins();
    registerBuiltins();
    expect(listMethods().map((m) => m.name)).toEqual(builtinMethods.map((m) => m.name));
    expect(listExperiments().map((e) => e.name)).toEqual(builtinExperiments.map((e) => e.name));
    expect(() => getExperiment('mnist-mlp')).toThrow(/experiment' must be one of: two-spirals/);
  });

  it('trains target space on two-moons from the main entry, with the bbp run --json fields', async () => {
    const { result, run } = await runExperiment({ experiment: 'two-moons', method: 'target-space', epochs: 100, seed: 1, keepBackend: true });
    run.dispose();
    expect(result).toMatchObject({
      experiment: 'two-moons',
      method: 'target-space',
      seed: 1,
      epochs: 100,
      backend: 'wasm',
      task: 'classification',
      stopReason: 'completed',
    });
    expect(result.history).toHaveLength(100);
    expect(result.trainAccuracy).toBeGreaterThan(0.9);
    expect(result.finalLoss).toBeLessThan(result.history[0]!.loss);
    expect(Number.isFinite(result.msPerIteration)).toBe(true);
  });

  it('frees every tensor of a run once it is disposed', async () => {
    const before = tf.memory().numTensors;
    const { run } = await runExperiment({ experiment: 'xor', method: 'backprop', epochs: 3, seed: 0, keepBackend: true });
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs an unregistered variant of an experiment: its own data and architecture, the original name', async () => {
    const base = getExperiment('xor');
    const variant = {
      ...base,
      load: () => xor({ samplesPerCorner: 5, noise: 0.05, seed: 3 }),
      architecture: { kind: 'dense' as const, hidden: [4], activation: 'relu' as const, shortcuts: false },
    };
    const { result, run, data } = await runExperiment({ experiment: variant, method: 'rec-lra', epochs: 2, seed: 0, keepBackend: true });
    run.dispose();
    expect(data.train.xShape).toEqual([20, 2]);
    expect(result.experiment).toBe('xor');
    expect(result.architecture).toEqual(variant.architecture);
    expect(() => getExperiment('xor')).not.toThrow();
    expect(listExperiments().filter((e) => e.name === 'xor')).toHaveLength(1);
  });

  it('hands the run to onEpoch and waits for the promise it returns before the next epoch', async () => {
    const seen: Array<{ epoch: number; scores: number; at: number }> = [];
    let releasedAt = 0;
    const { run } = await runExperiment({
      experiment: 'xor',
      method: 'backprop',
      epochs: 3,
      seed: 0,
      keepBackend: true,
      onEpoch: async (epoch, _logs, current) => {
        seen.push({ epoch, scores: current.predict(new Float32Array([0, 0, 1, 1]), [2, 2]).length, at: releasedAt });
        if (epoch === 0) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          releasedAt = 1;
        }
      },
    });
    run.dispose();
    expect(seen).toEqual([
      { epoch: 0, scores: 4, at: 0 },
      { epoch: 1, scores: 4, at: 1 },
      { epoch: 2, scores: 4, at: 1 },
    ]);
  });

  it('the ./node entry adds the file-based experiments after the built-ins', () => {
    registerNodeBuiltins();
    registerNodeBuiltins();
    const names = listExperiments().map((e) => e.name);
    expect(names).toEqual([...builtinExperiments, ...fileExperiments].map((e) => e.name));
    expect(getExperiment('mnist-cnn').architecture.kind).toBe('conv');
    expect(listMethods().map((m) => m.name)).toContain('data-parallel');
  });

  it('runs data-parallel on two worker threads and adds its fields to the result', async () => {
    registerNodeBuiltins();
    const { result, run } = await runExperiment({
      experiment: 'blobs',
      method: 'data-parallel',
      epochs: 10,
      batchSize: 20,
      learningRate: 0.05,
      seed: 1,
      keepBackend: true,
      methodOptions: { workers: 2, syncEvery: 3 },
    });
    run.dispose();
    expect(result).toMatchObject({ method: 'data-parallel', workers: 2, transport: 'threads', stopReason: 'completed' });
    expect(result.history).toHaveLength(10);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    const { bytesSent, bytesSentFloat32, compressionRatio, samplesPerSecond } = result as Record<string, number>;
    expect(bytesSent).toBeGreaterThan(0);
    expect(compressionRatio).toBeCloseTo(bytesSentFloat32! / bytesSent!, 10);
    expect(samplesPerSecond).toBeGreaterThan(0);
    // --batch-size is each replica's batch (as DDP); the learning rate is scaled by K (linear scaling rule).
    expect(result).toMatchObject({ replicaBatchSize: 20, globalBatchSize: 40, replicaLearningRate: 0.1 });
  });

  it('rejects a data-parallel transport that is neither threads nor a Redis URL', async () => {
    registerNodeBuiltins();
    await expect(
      runExperiment({ experiment: 'blobs', method: 'data-parallel', epochs: 1, keepBackend: true, methodOptions: { transport: 'tcp://x' } }),
    ).rejects.toThrow(/--transport/);
  });
});
