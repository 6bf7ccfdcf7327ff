import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { runExperiment } from '../src/index.js';
import { registerNodeBuiltins } from '../src/node.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

describe('layer-wise methods in the runner, and peakStepBytes for every method', () => {
  it('dll trains two-moons unit by unit, reports peakStepBytes below backprop on the same chain network, and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const dll = await runExperiment({ experiment: 'two-moons', method: 'dll', epochs: 4, seed: 1, keepBackend: true, hidden: [64, 64, 64, 64] });
    dll.run.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const bp = await runExperiment({ experiment: 'two-moons', method: 'backprop', epochs: 4, seed: 1, keepBackend: true, hidden: [64, 64, 64, 64] });
    bp.run.dispose();
    // Four hidden units: one history entry per unit epoch, the temporary model evaluated along the way.
    expect(dll.result.history).toHaveLength(16);
    expect(dll.result.testAccuracy).toBeGreaterThan(0.8);
    expect(bp.result.peakStepBytes).toBeGreaterThan(0);
    expect(dll.result.peakStepBytes!).toBeLessThan(bp.result.peakStepBytes!);
  });

  it('dsl and dpl run on the same network and reject a bad partition count naming the flag', async () => {
    const dsl = await runExperiment({ experiment: 'two-moons', method: 'dsl', epochs: 2, seed: 1, keepBackend: true, hidden: [16, 16, 16] });
    dsl.run.dispose();
    expect(dsl.result.history).toHaveLength(4); // windows [0,1], [1,2]
    const dpl = await runExperiment({
      experiment: 'two-moons',
      method: 'dpl',
      epochs: 2,
      seed: 1,
      keepBackend: true,
      hidden: [16, 16, 16],
      methodOptions: { partitions: 3, schedule: 'robin' },
    });
    dpl.run.dispose();
    expect(dpl.result.history).toHaveLength(6);
    await expect(
      runExperiment({ experiment: 'two-moons', method: 'dpl', epochs: 1, seed: 1, keepBackend: true, hidden: [16, 16], methodOptions: { partitions: 5 } }),
    ).rejects.toThrow(/--partitions/);
  });

  it('dpl --schedule pipeline trains every partition at once, in-process or on worker threads', async () => {
    const before = tf.memory().numTensors;
    const base = { experiment: 'two-moons', method: 'dpl', epochs: 6, seed: 1, keepBackend: true, hidden: [16, 16, 16] };
    const local = await runExperiment({ ...base, methodOptions: { partitions: 2, schedule: 'pipeline', transport: 'in-process' } });
    local.run.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(local.result.history).toHaveLength(1);
    expect(local.result.testAccuracy).toBeGreaterThan(0.8);
    registerNodeBuiltins();
    const threads = await runExperiment({ ...base, methodOptions: { partitions: 2, schedule: 'pipeline', transport: 'threads' } });
    threads.run.dispose();
    expect(threads.result.testAccuracy).toBeGreaterThan(0.8);
    await expect(runExperiment({ ...base, method: 'dll', methodOptions: { schedule: 'pipeline' } })).rejects.toThrow(/--schedule/);
    await expect(runExperiment({ ...base, methodOptions: { schedule: 'pipeline', transport: 'carrier-pigeon' } })).rejects.toThrow(/--transport/);
  }, 120_000);
});
