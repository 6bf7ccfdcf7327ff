import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { runExperiment, type UnitProgress } from '../src/index.js';
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
    // The tfjs engine: its step's tensors are what peakStepBytes measures (the float64 twin holds none).
    const bp = await runExperiment({
      experiment: 'two-moons',
      method: 'backprop',
      epochs: 4,
      seed: 1,
      keepBackend: true,
      hidden: [64, 64, 64, 64],
      methodOptions: { engine: 'tfjs' },
    });
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
    const before = tf.memory().numTensors;
    for (const headBudget of [0, 2, 'x'])
      await expect(
        runExperiment({ experiment: 'two-moons', method: 'dll', epochs: 1, seed: 1, keepBackend: true, hidden: [16, 16], methodOptions: { headBudget } }),
      ).rejects.toThrow(/--head-budget/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dpl --schedule pipeline trains every partition at once, in-process or on worker threads', async () => {
    const before = tf.memory().numTensors;
    const base = { experiment: 'two-moons', method: 'dpl', epochs: 6, seed: 1, keepBackend: true, hidden: [16, 16, 16] };
    const local = await runExperiment({ ...base, methodOptions: { partitions: 2, schedule: 'pipeline', transport: 'in-process' } });
    local.run.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Every partition trains at once: no unit to follow, and the one epoch reported is the last of `epochs`.
    expect(local.run.unitProgress?.(5)).toBeUndefined();
    expect(local.run.epochLabel?.(5)).toBe('epoch 6/6');
    expect(local.result.history).toHaveLength(1);
    expect(local.result.testAccuracy).toBeGreaterThan(0.8);
    registerNodeBuiltins();
    const threads = await runExperiment({ ...base, methodOptions: { partitions: 2, schedule: 'pipeline', transport: 'threads' } });
    threads.run.dispose();
    expect(threads.result.testAccuracy).toBeGreaterThan(0.8);
    await expect(runExperiment({ ...base, method: 'dll', methodOptions: { schedule: 'pipeline' } })).rejects.toThrow(/--schedule/);
    await expect(runExperiment({ ...base, methodOptions: { schedule: 'pipeline', transport: 'carrier-pigeon' } })).rejects.toThrow(/--transport/);
  }, 120_000);

  it('count epochs across units: history runs 0 … units × epochs − 1, and the progress label names the unit and its epoch', async () => {
    const run = async (method: string, methodOptions: Record<string, string | number> = {}, hidden = [16, 16, 16]) => {
      const seen: Array<[number, string | undefined, number]> = [];
      const progress: Array<UnitProgress | undefined> = [];
      const trainAccuracies: Array<number | undefined> = [];
      let total = 0;
      const { result, run: trained } = await runExperiment({
        experiment: 'two-moons',
        method,
        epochs: 2,
        seed: 1,
        keepBackend: true,
        hidden,
        methodOptions,
        onStart: (info) => {
          total = info.totalEpochs;
        },
        onEpoch: (epoch, logs, r) => {
          seen.push([epoch, r.epochLabel?.(epoch), logs.epoch]);
          progress.push(r.unitProgress?.(epoch));
          trainAccuracies.push(logs.trainAccuracy);
        },
      });
      trained.dispose();
      return { result, seen, total, progress, trainAccuracies };
    };
    const dll = await run('dll');
    expect(dll.total).toBe(6); // 3 units × 2 epochs
    expect(dll.result.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(dll.seen.map(([e]) => e)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(dll.seen.map(([, label]) => label)).toEqual([
      'unit 1/3 · epoch 1/2',
      'unit 1/3 · epoch 2/2',
      'unit 2/3 · epoch 1/2',
      'unit 2/3 · epoch 2/2',
      'unit 3/3 · epoch 1/2',
      'unit 3/3 · epoch 2/2',
    ]);
    // The structured progress the label is made from, and the accuracy the runner measures while the last unit
    // trains is the output model's: the network up to that unit with its head.
    expect(dll.progress).toEqual([0, 1, 2, 3, 4, 5].map((e) => ({ noun: 'unit', unit: Math.floor(e / 2), units: 3, epochInUnit: e % 2, epochsInUnit: 2 })));
    expect(dll.trainAccuracies.at(-1)).toBe(dll.result.trainAccuracy);
    // Round robin: turns of one epoch alternate between partitions; the run-wide index still counts 0, 1, 2, …
    const robin = await run('dpl', { partitions: 3, schedule: 'robin' });
    expect(robin.total).toBe(6);
    expect(robin.result.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    const labels = robin.seen.map(([, label]) => label!);
    expect(labels.every((l) => /^partition [1-3]\/3 · epoch [12]\/2$/.test(l))).toBe(true);
    expect(robin.progress.map((p) => `partition ${p!.unit + 1}/${p!.units} · epoch ${p!.epochInUnit + 1}/${p!.epochsInUnit}`)).toEqual(labels);
    for (const p of [1, 2, 3])
      expect(labels.filter((l) => l.startsWith(`partition ${p}/3`))).toEqual([`partition ${p}/3 · epoch 1/2`, `partition ${p}/3 · epoch 2/2`]);
    // dsl --window 2 --stride 2 over four units: two segments.
    const dsl = await run('dsl', { window: 2, stride: 2 }, [16, 16, 16, 16]);
    expect(dsl.total).toBe(4);
    expect(dsl.seen.map(([, label]) => label)).toEqual([
      'segment 1/2 · epoch 1/2',
      'segment 1/2 · epoch 2/2',
      'segment 2/2 · epoch 1/2',
      'segment 2/2 · epoch 2/2',
    ]);
  });
});
