import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, initBackend } from '@beyond-backprop/core-linalg';
import { toTensors, twoMoons } from '@beyond-backprop/datasets';
import { TransportClosedError, WorkerFailedError } from '@beyond-backprop/cluster';
import { startRedisServer, type LocalRedis } from '@beyond-backprop/test-services';
import { filterRows, lossFilterKeep, resolveDataFilter, trainLayerwise, trainPipelined, type PipelineWorkerHandle } from '../src/index.js';
import { redisPartitions, trainPipelined as trainPipelinedOnNode } from '../src/node.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

/** A 2-16-16-16-2 ReLU MLP with seeded initialisers: three units below the output layer. */
function mlp(seed: number, widths = [16, 16, 16]): tf.Sequential {
  let s = seed;
  const layers: tf.layers.Layer[] = widths.map((w, i) =>
    tf.layers.dense({ ...(i === 0 ? { inputShape: [2] } : {}), units: w, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: s++ }) }),
  );
  layers.push(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }) }));
  return tf.sequential({ layers });
}

const moons = (trainSize = 256) => {
  const d = twoMoons({ seed: 3, trainSize, testSize: 400 });
  return { train: toTensors(d.train) as { x: tf.Tensor2D; y: tf.Tensor1D }, test: toTensors(d.test) as { x: tf.Tensor2D; y: tf.Tensor1D } };
};
const acc = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), y), 'float32')).dataSync()[0]);
const values = (model: tf.LayersModel, layer: number) => model.layers[layer].getWeights().map((w) => Array.from(w.dataSync()));

describe('online data filtering (thesis §6.8.2 k-filter, §6.8.4 loss filter)', () => {
  it('the loss filter drops the ⌊q·B⌋ lowest-loss rows of a minibatch, ties to the lower index', () => {
    expect(lossFilterKeep([0.5, 0.1, 0.9, 0.1], 0.5)).toEqual([true, false, true, false]);
    expect(lossFilterKeep([3, 1, 2, 0, 5], 0.25)).toEqual([true, true, true, false, true]); // ⌊1.25⌋ = 1
    expect(lossFilterKeep([1, 1, 1], 0.7)).toEqual([false, false, true]); // ⌊2.1⌋ = 2, lower indices first
    expect(lossFilterKeep([2, 1], 0.25)).toEqual([true, true]); // ⌊0.5⌋ = 0
  });

  it('the k-filter keeps the boundary pair of the hand fixture, and its cap binds per block', () => {
    const knn = resolveDataFilter('t', 'f', { kind: 'knn', k: 2, maxRemoveFraction: 1 }, 2)!;
    const line = [0, 1, 2, 3, 4, 5, 6, 7];
    const labels = [0, 0, 0, 0, 1, 1, 1, 1];
    expect(filterRows(knn, line, 1, labels)).toEqual([false, false, false, true, true, false, false, false]);
    // Cap 0.5 of 8 rows: 4 of the 6 redundant rows go, the most interior (distance to the other class) first: 0, 7, 1, 6.
    const capped = resolveDataFilter('t', 'f', { kind: 'knn', k: 2, maxRemoveFraction: 0.5 }, 2)!;
    expect(filterRows(capped, line, 1, labels)).toEqual([false, false, true, true, true, true, false, false]);
  });

  it('defaults follow the thesis and bad filters get typed errors naming the option', () => {
    expect(resolveDataFilter('f', 'o', { kind: 'knn' }, 4)).toEqual({
      kind: 'knn',
      k: 10,
      batchSize: 6144,
      startEpoch: 30,
      maxRemoveFraction: 0.6,
      partitions: [1, 2, 3],
    });
    expect(resolveDataFilter('f', 'o', { kind: 'loss' }, 2)).toEqual({ kind: 'loss', fraction: 0.25, startEpoch: 30, partitions: [1] });
    expect(resolveDataFilter('f', 'o', undefined, 2)).toBeUndefined();
    const err = (spec: unknown) => {
      try {
        resolveDataFilter('f', 'options.dataFilter', spec as never, 3);
      } catch (e) {
        return e as InvalidArgumentError;
      }
      throw new Error('no error');
    };
    expect(err({ kind: 'loss', partitions: [0] }).argument).toBe('options.dataFilter.partitions[0]');
    expect(err({ kind: 'loss', fraction: 1 }).argument).toBe('options.dataFilter.fraction');
    expect(err({ kind: 'knn', k: 0 }).argument).toBe('options.dataFilter.k');
    expect(err({ kind: 'nope' }).argument).toBe('options.dataFilter');
  });

  it('round-robin DPL with the loss filter trains partition 1 on exactly half of each minibatch', async () => {
    const { train } = moons(64);
    const res = await trainLayerwise(mlp(1, [8, 8]), train.x, train.y, {
      epochs: 4,
      batchSize: 8,
      seed: 0,
      schedule: { kind: 'robin', random: false, epochsPerRound: 2 },
      dataFilter: { kind: 'loss', fraction: 0.5, startEpoch: 0 },
    });
    const byWindow = [...res.reports].sort((a, b) => a.window - b.window);
    expect(byWindow[0].keptFraction).toBeUndefined();
    expect(byWindow[1].keptFraction).toBe(0.5);
    res.model.dispose();
  });

  it('round-robin DPL with the k-filter thins partition 1 only from startEpoch on', async () => {
    const { train } = moons(128);
    const run = (startEpoch: number) =>
      trainLayerwise(mlp(1, [8, 8]), train.x, train.y, {
        epochs: 4,
        batchSize: 32,
        seed: 0,
        learningRate: 1e-2,
        schedule: { kind: 'robin', random: false, epochsPerRound: 2 },
        dataFilter: { kind: 'knn', k: 3, batchSize: 64, startEpoch },
      });
    const never = await run(10);
    expect(never.reports.every((r) => r.keptFraction === undefined)).toBe(true);
    const late = await run(2);
    const kept = late.reports.find((r) => r.window === 1)!.keptFraction!;
    // Redundancy of two-moons features is high; the 60 % default cap bounds what each block loses.
    expect(kept).toBeGreaterThanOrEqual(0.4);
    expect(kept).toBeLessThan(1);
    never.model.dispose();
    late.model.dispose();
  });

  it('needs the robin schedule and one unit per window', async () => {
    const { train } = moons(32);
    const e = await trainLayerwise(mlp(1), train.x, train.y, { epochs: 1, dataFilter: { kind: 'loss' } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as InvalidArgumentError).argument).toBe('options.dataFilter');
  });
});

describe('pipelined DPL (thesis §6.8.3–6.8.4), in-process channels', () => {
  it('with one partition equals sequential DPL bit for bit; with two, partition 0 still does', async () => {
    const { train, test } = moons(128);
    const opts = { epochs: 3, batchSize: 32, seed: 5, learningRate: 1e-2 };
    const seq1 = await trainLayerwise(mlp(7), train.x, train.y, { ...opts, boundaries: [0] });
    const pip1 = await trainPipelined(mlp(7), train.x, train.y, { ...opts, partitions: 1 });
    expect(pip1.reports[0].loss).toBe(seq1.reports[0].loss);
    const a = tf.tidy(() => Array.from((seq1.model.predict(test.x) as tf.Tensor).dataSync()));
    const b = tf.tidy(() => Array.from((pip1.model.predict(test.x) as tf.Tensor).dataSync()));
    expect(b).toEqual(a);

    // Two partitions: layers [0, 1] and [2]. Partition 1 learns from a moving partition 0 in the pipeline and from
    // the final one in sequential DPL, so only partition 0 (and its loss) must agree exactly.
    const seq2 = await trainLayerwise(mlp(7), train.x, train.y, { ...opts, boundaries: [0, 2] });
    const pip2 = await trainPipelined(mlp(7), train.x, train.y, { ...opts, boundaries: [0, 2] });
    expect(pip2.reports.map((r) => r.window)).toEqual([0, 1]);
    expect(pip2.reports[0].loss).toBe(seq2.reports[0].loss);
    for (const layer of [0, 1]) expect(values(pip2.model, layer + 1)).toEqual(values(seq2.model, layer + 1));
    expect(values(pip2.model, 3)).not.toEqual(values(seq2.model, 3));
    expect(pip2.partitions.map((p) => p.samples)).toEqual([3 * 128, 3 * 128]);
    expect(pip2.partitions.map((p) => p.batches)).toEqual([12, 12]);
    expect(pip2.reports[1].epochs).toBe(3);
    expect(acc(pip2.model, test.x, test.y)).toBeGreaterThan(0.8);
    for (const r of [seq1, pip1, seq2, pip2]) r.model.dispose();
  });

  it('keeps tf.memory() flat across runs', async () => {
    const { train } = moons(64);
    const run = async () => {
      const net = mlp(2);
      (await trainPipelined(net, train.x, train.y, { partitions: 3, epochs: 2, batchSize: 16, validationData: [train.x, train.y] })).model.dispose();
      net.dispose();
    };
    await run();
    const before = tf.memory().numTensors;
    await run();
    await run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the loss filter thins the stream into partition 1 by ⌊q·B⌋ rows per minibatch from startEpoch on', async () => {
    const { train } = moons(64);
    const res = await trainPipelined(mlp(3), train.x, train.y, {
      partitions: 2,
      epochs: 4,
      batchSize: 16,
      dataFilter: { kind: 'loss', fraction: 0.25, startEpoch: 2 },
    });
    // Epochs 0–1: 64 rows each; epochs 2–3: 16 − 4 = 12 of each minibatch of 16.
    expect(res.partitions[1].offered).toBe(4 * 64);
    expect(res.partitions[1].samples).toBe(2 * 64 + 2 * 48);
    expect(res.reports[1].keptFraction).toBe((2 * 64 + 2 * 48) / (4 * 64));
    res.model.dispose();
  });

  it('the k-filter thins each outgoing minibatch by at most its cap', async () => {
    const { train } = moons(128);
    const res = await trainPipelined(mlp(3), train.x, train.y, {
      partitions: 2,
      epochs: 3,
      batchSize: 32,
      learningRate: 1e-2,
      dataFilter: { kind: 'knn', k: 2, startEpoch: 1, maxRemoveFraction: 0.5 },
    });
    const [p0, p1] = res.partitions;
    expect(p0!.samples).toBe(3 * 128);
    expect(p1!.offered).toBe(3 * 128);
    // Epoch 0 unfiltered; epochs 1–2 lose at most ⌊0.5·32⌋ = 16 rows per minibatch, and two-moons features are redundant.
    expect(p1!.samples).toBeGreaterThanOrEqual(128 + 2 * 64);
    expect(p1!.samples).toBeLessThan(3 * 128);
    expect(res.reports[1].keptFraction).toBe(p1!.samples / (3 * 128));
    res.model.dispose();
  });

  it('bad configurations get typed errors naming the option', async () => {
    const { train } = moons(32);
    const argOf = async (options: object) => {
      const e = await trainPipelined(mlp(1), train.x, train.y, { epochs: 1, ...options }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      return (e as InvalidArgumentError).argument;
    };
    expect(await argOf({ partitions: 0 })).toBe('options.partitions');
    expect(await argOf({ partitions: 4 })).toBe('options.partitions'); // three units below the output layer
    expect(await argOf({ boundaries: [0, 7] })).toBe('boundaries[1]'); // past the model
    expect(await argOf({ boundaries: [] })).toBe('boundaries');
    expect(await argOf({ transport: 'pigeons' })).toBe('options.transport');
    expect(await argOf({ channelCapacity: 0 })).toBe('options.channelCapacity');
  });

  it('a channel that closes ends the run with TransportClosedError naming the partition', async () => {
    const { train } = moons(256);
    const t0 = Date.now();
    const e = await trainPipelined(mlp(1), train.x, train.y, {
      partitions: 2,
      epochs: 100,
      batchSize: 8,
      onLaunch: (workers: readonly PipelineWorkerHandle[]) => void setTimeout(() => void workers[1].link.close(), 50),
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportClosedError);
    expect((e as TransportClosedError).peer).toBe('partition-1');
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});

describe('pipelined DPL on worker_threads and Redis', () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('trains two-moons to ≥ 85 % with two partitions in two threads', async () => {
    const { train, test } = moons(512);
    const before = tf.memory().numTensors;
    const net = mlp(4);
    const res = await trainPipelinedOnNode(net, train.x, train.y, {
      partitions: 2,
      epochs: 20,
      batchSize: 32,
      learningRate: 1e-2,
      transport: 'threads',
      seed: 1,
    });
    expect(res.transport).toBe('threads');
    expect(res.partitions.map((p) => p.samples)).toEqual([20 * 512, 20 * 512]);
    expect(acc(res.model, test.x, test.y)).toBeGreaterThanOrEqual(0.85);
    res.model.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before); // the coordinator keeps nothing of the run
  }, 120_000);

  it('a worker thread that dies ends the run with WorkerFailedError naming it, without hanging', async () => {
    const { train } = moons(256);
    const t0 = Date.now();
    const e = await trainPipelinedOnNode(mlp(1), train.x, train.y, {
      partitions: 2,
      epochs: 500,
      batchSize: 8,
      transport: 'threads',
      onLaunch: (workers) => void setTimeout(() => void workers[1].worker!.terminate(), 1500),
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WorkerFailedError);
    expect((e as WorkerFailedError).worker).toBe('partition-1');
    expect(Date.now() - t0).toBeLessThan(60_000);
  }, 120_000);

  it('completes across two processes over Redis streams with the same model as in-process', async () => {
    const { train, test } = moons(256);
    const opts = { partitions: 2, epochs: 10, batchSize: 32, learningRate: 1e-2, seed: 2 };
    const local = await trainPipelined(mlp(5), train.x, train.y, opts);
    const res = await trainPipelinedOnNode(mlp(5), train.x, train.y, { ...opts, transport: { redis: redis.url, namespace: 'pipe-test' } });
    expect(res.transport).toContain('127.0.0.1');
    expect(res.partitions.map((p) => p.samples)).toEqual([10 * 256, 10 * 256]);
    expect(acc(res.model, test.x, test.y)).toBeGreaterThan(0.8);
    // Partition 1 consumes partition 0's features in batch order whatever the timing, so the result does not depend
    // on the transport: the same model as in-process, bit for bit.
    const out = (m: tf.LayersModel) => tf.tidy(() => Array.from((m.predict(test.x) as tf.Tensor).dataSync()));
    expect(out(res.model)).toEqual(out(local.model));
    res.model.dispose();
    local.model.dispose();
  }, 180_000);

  it('a partition process that dies ends the Redis run with WorkerFailedError naming it, without hanging', async () => {
    const { train } = moons(256);
    const launcher = redisPartitions({ url: redis.url, namespace: 'pipe-death' });
    const t0 = Date.now();
    const e = await trainPipelined(mlp(1), train.x, train.y, {
      partitions: 2,
      epochs: 500,
      batchSize: 8,
      transport: launcher,
      onLaunch: () => void setTimeout(() => launcher.processes[1].kill('SIGKILL'), 500),
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WorkerFailedError);
    expect((e as WorkerFailedError).worker).toMatch(/^partition process 1 \(pid \d+\)$/);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(launcher.processes).toHaveLength(0); // stopped
  }, 120_000);
});
