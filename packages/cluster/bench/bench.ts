/**
 * Data-parallel bench: speed-up from 1 to K worker threads (and over Redis) on the MNIST MLP shape (784-392-10, ReLU,
 * batch 100, Adam 0.001), and the bytes each codec exchanges. Synthetic MNIST-shaped data (10 noisy class
 * prototypes), so the bench needs no download; accuracy is the CLI's job (`bbp run mnist-mlp --method data-parallel`).
 * Runs for K = 1 and K = 2 alternate in the same process, so the ratio is measured in one time window.
 *
 *   pnpm --filter @beyond-backprop/cluster bench            quick: 4 000 examples, 1 epoch, 2 repetitions
 *   BENCH_FULL=1 pnpm --filter @beyond-backprop/cluster bench   10 000 examples, 2 epochs, 3 repetitions
 *
 * Prints one JSON object per line.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@beyond-backprop/core-linalg';
import { startRedisServer } from '@beyond-backprop/test-services';
import { DataParallelTrainer, type ReplicaLauncher, type WeightCodecSpec } from '../src/index.js';
import { redisReplicas, threadReplicas } from '../src/node/index.js';

const full = process.env.BENCH_FULL === '1';
const n = full ? 10_000 : 4000;
const epochs = full ? 2 : 1;
const repetitions = full ? 3 : 2;
const workersMax = Number(process.env.BENCH_WORKERS ?? 2);
const COMPRESSION = new URL('../../compression/src/index.ts', import.meta.url).href;

await initBackend({ preference: 'wasm', log: false });

function mnistShaped(seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const prototypes = Array.from({ length: 10 }, () => Float32Array.from({ length: 784 }, () => (rng.uniform() < 0.2 ? 1 : 0)));
  const xs = new Float32Array(n * 784);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    ys[i] = c;
    for (let j = 0; j < 784; j++) xs[i * 784 + j] = Math.min(1, Math.max(0, prototypes[c][j] + 0.3 * rng.normal()));
  }
  return { x: tf.tensor2d(xs, [n, 784]), y: tf.tensor1d(ys, 'int32') };
}

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 392, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

const { x, y } = mnistShaped(0);

async function measure(workers: number, launcher: ReplicaLauncher, codec: WeightCodecSpec = { name: 'none' }, syncEvery = 10) {
  const model = mlp();
  const trainer = new DataParallelTrainer(model, { workers, launcher, codec, syncEvery, optimizer: { kind: 'adam', learningRate: 0.001 } });
  await trainer.fit(x, y, { epochs, batchSize: 100, seed: 0 });
  const accuracy = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(1).equal(y).mean().dataSync()[0]);
  model.dispose();
  return { ...trainer.stats!, accuracy, checksums: undefined };
}

// Speed-up 1 → K worker threads, alternating.
const speeds: Record<number, number[]> = {};
for (let rep = 0; rep < repetitions; rep++) {
  for (const workers of [1, workersMax]) {
    const s = await measure(workers, threadReplicas());
    (speeds[workers] ??= []).push(s.samplesPerSecond);
    console.log(
      JSON.stringify({
        bench: 'threads',
        rep,
        workers,
        samplesPerSecond: Math.round(s.samplesPerSecond),
        trainSeconds: +s.trainSeconds.toFixed(2),
        setupSeconds: +s.setupSeconds.toFixed(2),
        rounds: s.rounds,
        trainAccuracy: +s.accuracy.toFixed(4),
      }),
    );
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(
  JSON.stringify({
    bench: 'threads-speedup',
    workers: workersMax,
    speedup: +(median(speeds[workersMax]) / median(speeds[1])).toFixed(3),
    perRepetition: speeds[workersMax].map((s, i) => +(s / speeds[1][i]).toFixed(3)),
  }),
);

// Bytes per codec (2 threads).
for (const name of ['none', 'fixed8', 'huffman']) {
  const s = await measure(workersMax, threadReplicas(), { name, module: COMPRESSION });
  console.log(
    JSON.stringify({
      bench: 'codec-bytes',
      codec: name,
      workers: workersMax,
      rounds: s.rounds,
      bytesSent: s.bytesSent,
      bytesSentFloat32: s.bytesSentFloat32,
      compressionRatio: +s.compressionRatio.toFixed(3),
      bitsPerParameter: +s.bitsPerParameter.toFixed(3),
      samplesPerSecond: Math.round(s.samplesPerSecond),
      trainAccuracy: +s.accuracy.toFixed(4),
    }),
  );
}

// The same over a local Redis: K replica processes join through the server.
const redis = await startRedisServer();
try {
  for (const workers of [1, workersMax]) {
    const s = await measure(workers, redisReplicas({ url: redis.url, namespace: `bench-${workers}`, localProcesses: workers }));
    console.log(
      JSON.stringify({
        bench: 'redis',
        workers,
        samplesPerSecond: Math.round(s.samplesPerSecond),
        bytesSent: s.bytesSent,
        rounds: s.rounds,
        trainAccuracy: +s.accuracy.toFixed(4),
      }),
    );
  }
} finally {
  await redis.stop();
}
tf.dispose([x, y]);
