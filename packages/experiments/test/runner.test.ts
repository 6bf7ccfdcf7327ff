import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { xor } from '@beyond-backprop/datasets';
import {
  BACKPROP_FLOAT64_WORK_LIMIT,
  builtinExperiments,
  builtinMethods,
  denseBackpropEngine,
  denseBackpropStepWork,
  getExperiment,
  listExperiments,
  listMethods,
  registerBuiltins,
  runExperiment,
} from '../src/index.js';
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
    expect(result.finalLoss).toBeLessThan(result.history[0].loss);
    expect(Number.isFinite(result.msPerIteration)).toBe(true);
  });

  it("backprop trains small dense nets on the float64 twin by default, along the tfjs engine's loss curve; --engine overrides", async () => {
    const run = async (engine?: string) => {
      const { result, run: trained } = await runExperiment({
        experiment: 'two-spirals',
        method: 'backprop',
        epochs: 40,
        seed: 2,
        keepBackend: true,
        methodOptions: engine === undefined ? {} : { engine },
      });
      trained.dispose();
      return result;
    };
    const auto = await run();
    const tfjs = await run('tfjs');
    expect(auto.engine).toBe('float64');
    expect(await run('float64')).toMatchObject({ engine: 'float64', finalLoss: auto.finalLoss });
    expect(tfjs.engine).toBe('tfjs');
    // Tensor bytes measure the tfjs engine's step; the float64 twin holds no tensors, so it reports none.
    expect(tfjs.peakStepBytes).toBeGreaterThan(0);
    expect(auto.peakStepBytes).toBeNull();
    // Same initial weights, loss, optimiser and batch order: the curves differ by float32 rounding only.
    expect(auto.history).toHaveLength(40);
    auto.history.forEach((h, i) => expect(Math.abs(h.loss - tfjs.history[i].loss), `epoch ${i}`).toBeLessThan(1e-4 * tfjs.history[i].loss + 1e-6));
    expect(auto.trainAccuracy).toBeCloseTo(tfjs.trainAccuracy!, 2);
    await expect(runExperiment({ experiment: 'xor', method: 'backprop', epochs: 1, keepBackend: true, methodOptions: { engine: 'gpu' } })).rejects.toThrow(
      /--engine.*'auto', 'float64' or 'tfjs'/,
    );
  });

  it('the engine choice: float64 for the small 2-D problems, tfjs for MNIST-size layers and batch normalisation', () => {
    expect(denseBackpropStepWork([2, 5, 5, 5, 2], true, 194)).toBe(3 * 194 * (3 * 5 + 8 * 5 + 13 * 5 + 18 * 2));
    expect(denseBackpropEngine('auto', [2, 5, 5, 5, 2], true, 194, false)).toBe('float64');
    expect(denseBackpropEngine('auto', [2, 64, 64, 2], false, 64, false)).toBe('float64');
    expect(denseBackpropEngine('auto', [784, 392, 10], false, 100, false)).toBe('tfjs');
    expect(denseBackpropStepWork([784, 392, 10], false, 100)).toBeGreaterThan(BACKPROP_FLOAT64_WORK_LIMIT);
    expect(denseBackpropEngine('float64', [784, 392, 10], false, 100, false)).toBe('float64');
    expect(denseBackpropEngine('tfjs', [2, 3, 2], false, 4, false)).toBe('tfjs');
    expect(denseBackpropEngine('auto', [2, 3, 2], false, 4, true)).toBe('tfjs');
    expect(() => denseBackpropEngine('float64', [2, 3, 2], false, 4, true)).toThrow(/--engine/);
  });

  it('every result names its engine', async () => {
    for (const [method, engine] of [
      ['backprop-bn', 'tfjs'],
      ['target-space', 'float64'],
      ['platonic', 'float64'],
      ['dll', 'tfjs'],
    ] as const) {
      const { result, run } = await runExperiment({ experiment: 'xor', method, epochs: 2, seed: 0, keepBackend: true });
      run.dispose();
      expect(result.engine, method).toBe(engine);
      expect(result.oneShot, method).toBe(method === 'platonic');
    }
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
