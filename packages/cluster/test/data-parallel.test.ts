import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, initBackend } from '@beyond-backprop/core-linalg';
import { freeLoopbackPort, startRedisServer, type LocalRedis } from '@beyond-backprop/test-services';
import {
  RedisTransportError,
  averageLayers,
  DataParallelTrainer,
  float32Codec,
  inProcessReplicas,
  SyncSide,
  weightsChecksum,
  WorkerFailedError,
  type DataParallelStats,
} from '../src/index.js';
import { redisReplicas, serveRedisReplica, threadReplicas } from '../src/node/index.js';

const TOY_CODEC = new URL('./fixtures/toy-codec.ts', import.meta.url).href;
// The compression package's codecs (Øland §3.6), loaded by URL as the CLI does: cluster itself does not depend on it.
const COMPRESSION = new URL('../../compression/src/index.ts', import.meta.url).href;

/** Three Gaussian blobs in 2-D, 300 points, int32 labels. */
function blobs(seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const centres = [
    [-2, 0],
    [2, 0],
    [0, 2.5],
  ];
  const xs = new Float32Array(600);
  const ys = new Int32Array(300);
  for (let i = 0; i < 300; i++) {
    const c = i % 3;
    xs[2 * i] = centres[c][0] + 0.5 * rng.normal();
    xs[2 * i + 1] = centres[c][1] + 0.5 * rng.normal();
    ys[i] = c;
  }
  return { x: tf.tensor2d(xs, [300, 2]), y: tf.tensor1d(ys, 'int32') };
}

function mlp(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 16, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  return model;
}

function accuracyOf(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(1).equal(y).mean().dataSync()[0]);
}

function modelChecksum(model: tf.LayersModel): number {
  return weightsChecksum(model.getWeights().map((w) => w.dataSync() as Float32Array));
}

describe('DataParallelTrainer', () => {
  let data: { x: tf.Tensor2D; y: tf.Tensor1D };
  let redis: LocalRedis;
  beforeAll(async () => {
    await initBackend({ preference: 'wasm', log: false });
    data = blobs(3);
    redis = await startRedisServer();
  });
  afterAll(async () => {
    tf.dispose([data.x, data.y]);
    await redis?.stop();
  });

  it('averages uploads exactly: the server mean equals the mean of the decoded packages', () => {
    const codec = float32Codec();
    const a = [new Float32Array([1, 2]), new Float32Array([3])];
    const b = [new Float32Array([3, 6]), new Float32Array([-3])];
    const side = new SyncSide('weights', codec, a);
    const mean = side.averageUploads([codec.encode(a), codec.encode(b)]);
    expect(mean.map((l) => Array.from(l))).toEqual([[2, 4], [0]]);
    expect(averageLayers([a, b, b]).map((l) => Array.from(l))).toEqual([[7 / 3, 14 / 3].map((v) => Math.fround(v)), [-1]]);
  });

  it('keeps three in-process replicas bit-identical after every sync and solves the blobs', async () => {
    const model = mlp();
    const before = tf.memory().numTensors;
    const trainer = new DataParallelTrainer(model, {
      workers: 3,
      launcher: inProcessReplicas(),
      syncEvery: 2,
      optimizer: { kind: 'adam', learningRate: 0.05 },
    });
    const history = await trainer.fit(data.x, data.y, { epochs: 8, batchSize: 20, seed: 4 });
    const stats = trainer.stats as DataParallelStats;
    // 100 examples per replica → 5 steps per epoch → syncs after steps 2, 4 and 5.
    expect(stats.rounds).toBe(8 * 3);
    expect(stats.checksums).toHaveLength(24);
    expect(modelChecksum(model)).toBe(stats.checksums.at(-1));
    expect(history.history.loss!.at(-1)!).toBeLessThan(history.history.loss![0]);
    expect(accuracyOf(model, data.x, data.y)).toBeGreaterThan(0.9);
    expect(stats.bytesSent).toBe(stats.rounds * 6 * (8 + 4 * 4 + 4 * model.countParams()));
    expect(stats.compressionRatio).toBeLessThan(1);
    // A second fit leaves no tensors behind (the replicas share this thread's tfjs).
    await trainer.fit(data.x, data.y, { epochs: 1, batchSize: 20, seed: 5 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('gives the same weights for the same seed, and delta mode with error feedback stays bit-identical under a lossy codec', async () => {
    const run = async (mode: 'weights' | 'delta', codec?: { name: string; module: string }): Promise<[number, number, DataParallelStats]> => {
      const model = mlp();
      const trainer = new DataParallelTrainer(model, { workers: 2, mode, codec, syncEvery: 3, optimizer: { kind: 'adam', learningRate: 0.05 } });
      await trainer.fit(data.x, data.y, { epochs: 6, batchSize: 25, seed: 9 });
      const result: [number, number, DataParallelStats] = [modelChecksum(model), accuracyOf(model, data.x, data.y), trainer.stats!];
      model.dispose();
      return result;
    };
    const [c1] = await run('weights');
    const [c2] = await run('weights');
    expect(c1).toBe(c2);
    const [, accDelta, stats] = await run('delta', { name: 'toy8', module: TOY_CODEC });
    expect(accDelta).toBeGreaterThan(0.9);
    // Each package: 4 bytes + 12 per layer (4 layers) + 1 byte per parameter (99) = 151 bytes.
    expect(stats.bytesSent).toBe(stats.rounds * 4 * 151);
    expect(stats.bitsPerParameter).toBeCloseTo((151 * 8) / 99, 10);
    expect(stats.compressionRatio).toBeCloseTo((99 * 4) / 151, 10);
  });

  it('exchanges Huffman-coded weights (the compression codec) and keeps replicas bit-identical', async () => {
    const model = mlp();
    const trainer = new DataParallelTrainer(model, {
      workers: 2,
      codec: { name: 'huffman', module: COMPRESSION },
      syncEvery: 5,
      optimizer: { kind: 'adam', learningRate: 0.05 },
    });
    await trainer.fit(data.x, data.y, { epochs: 6, batchSize: 15, seed: 2 });
    const stats = trainer.stats!;
    expect(modelChecksum(model)).toBe(stats.checksums.at(-1));
    expect(stats.bitsPerParameter).toBeLessThan(32);
    expect(accuracyOf(model, data.x, data.y)).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('fails with the URL when Redis is unreachable, leaving the model untouched', async () => {
    const model = mlp();
    const before = modelChecksum(model);
    const url = `redis://127.0.0.1:${await freeLoopbackPort()}`;
    const trainer = new DataParallelTrainer(model, { workers: 2, launcher: redisReplicas({ url, connectTimeoutMs: 2000 }) });
    const error = await trainer.fit(data.x, data.y, { epochs: 1, batchSize: 15 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisTransportError);
    expect((error as RedisTransportError).url).toBe(url);
    expect(modelChecksum(model)).toBe(before);
    model.dispose();
  });

  it('ends with a RedisTransportError naming the URL when the server dies mid-run; the model keeps the last synced weights', async () => {
    const own = await startRedisServer();
    const model = mlp();
    const served: Promise<unknown>[] = [];
    const synced: number[] = [];
    const trainer = new DataParallelTrainer(model, {
      workers: 2,
      syncEvery: 2,
      launcher: redisReplicas({
        url: own.url,
        onWaiting: () => served.push(...[0, 1].map(() => serveRedisReplica({ url: own.url }).catch((e: unknown) => e))),
      }),
    });
    const error = await trainer
      .fit(data.x, data.y, {
        epochs: 20,
        batchSize: 15,
        callbacks: {
          onEpochEnd: (epoch) => {
            synced.push(modelChecksum(model));
            if (epoch === 1) own.process.kill('SIGKILL');
          },
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisTransportError);
    expect((error as RedisTransportError).url).toBe(own.url);
    expect(synced).toHaveLength(2);
    expect(modelChecksum(model)).toBe(synced[1]);
    for (const outcome of await Promise.all(served)) expect(outcome).toBeInstanceOf(RedisTransportError);
    await own.stop();
    model.dispose();
  });

  it('trains two worker threads whose replicas match the broadcast after every sync', async () => {
    const model = mlp();
    const trainer = new DataParallelTrainer(model, { workers: 2, launcher: threadReplicas(), syncEvery: 5, optimizer: { kind: 'adam', learningRate: 0.05 } });
    await trainer.fit(data.x, data.y, { epochs: 6, batchSize: 15, seed: 2 });
    expect(trainer.stats!.transport).toBe('threads');
    expect(trainer.stats!.rounds).toBe(6 * 2);
    expect(modelChecksum(model)).toBe(trainer.stats!.checksums.at(-1));
    expect(accuracyOf(model, data.x, data.y)).toBeGreaterThan(0.9);
    // Each replica reports where its time went: steps and synchronisation, both measured and positive.
    for (const key of ['replicaStepSeconds', 'replicaSyncSeconds'] as const) {
      expect(trainer.stats![key]).toHaveLength(2);
      for (const s of trainer.stats![key]) expect(s).toBeGreaterThan(0);
    }
    expect(trainer.stats!.trainCpuSeconds).toBeGreaterThan(0);
    model.dispose();
  });

  it('ends the run with a WorkerFailedError naming the replica when its thread is killed mid-run', async () => {
    const model = mlp();
    const launcher = threadReplicas();
    const trainer = new DataParallelTrainer(model, { workers: 2, launcher, syncEvery: 1 });
    const error = await trainer
      .fit(data.x, data.y, {
        epochs: 50,
        batchSize: 10,
        callbacks: { onEpochEnd: (epoch) => (epoch === 1 ? void launcher.threads[1].worker.terminate() : undefined) },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerFailedError);
    expect((error as WorkerFailedError).worker).toBe('replica-1');
    expect(launcher.threads).toHaveLength(0); // stopped
    model.dispose();
  });

  it('runs over a real Redis with joined replicas and reports the bytes exchanged', async () => {
    const model = mlp();
    const url = redis.url;
    const served: Promise<number>[] = [];
    const trainer = new DataParallelTrainer(model, {
      workers: 2,
      syncEvery: 5,
      optimizer: { kind: 'adam', learningRate: 0.05 },
      launcher: redisReplicas({
        url,
        namespace: 'dp-test',
        onWaiting: () => served.push(serveRedisReplica({ url, namespace: 'dp-test' }), serveRedisReplica({ url, namespace: 'dp-test' })),
      }),
    });
    await trainer.fit(data.x, data.y, { epochs: 4, batchSize: 15, seed: 2 });
    expect((await Promise.all(served)).sort()).toEqual([0, 1]);
    const stats = trainer.stats!;
    expect(stats.transport).toBe(url);
    expect(stats.bytesSent).toBeGreaterThan(stats.rounds * 4 * 4 * model.countParams());
    expect(modelChecksum(model)).toBe(stats.checksums.at(-1));
    expect(accuracyOf(model, data.x, data.y)).toBeGreaterThan(0.9);
    model.dispose();
  });
});
