/**
 * Pipelined vs sequential deep partition-wise learning (thesis §6.8.1 vs §6.8.3–6.8.4): the same network, the same
 * partitions, the same samples per partition (every partition sees `epochs × n` examples), trained
 *   - sequentially (trainLayerwise with `boundaries`: partition 1 starts once partition 0 is done, through the feednet),
 *   - pipelined on 2 worker threads (every partition at the same time, features through a bounded channel),
 *   - pipelined across 2 processes over Redis streams (a throw-away local redis-server).
 * Network: 784-256-256-256-256-10 ReLU MLP, AdamW 1e-3, batch 100; partitions `[L0] [L1 L2 L3]` (nearly equal
 * multiply-adds: 200 k vs 197 k per example). Data: synthetic MNIST-shaped (10 noisy binary prototypes), no download.
 *
 *   pnpm --filter @beyond-backprop/layerwise bench:pipeline             6 000 examples, 3 epochs
 *   BENCH_FULL=1 pnpm --filter @beyond-backprop/layerwise bench:pipeline   12 000 examples, 5 epochs
 *   BENCH_N=…, BENCH_EPOCHS=…                                          override the size
 *   BENCH_REDIS=0 …                                                     skip the Redis run
 *   pnpm --filter @beyond-backprop/layerwise bench:pipeline:built       the built packages (dist/), as users run
 *                                                                       them: workers load compiled JS, not tsx
 *
 * Prints one JSON object per line; wall times include starting the workers.
 */
import { loadavg, cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@beyond-backprop/core-linalg';
import { startRedisServer } from '@beyond-backprop/test-services';
import { trainLayerwise } from '@beyond-backprop/layerwise';
import { trainPipelined, type NodePipelineTransport } from '@beyond-backprop/layerwise/node';

const full = process.env.BENCH_FULL === '1';
const n = Number(process.env.BENCH_N ?? (full ? 12_000 : 6000));
const nTest = 2000;
const epochs = Number(process.env.BENCH_EPOCHS ?? (full ? 5 : 3));
const batchSize = 100;
const boundaries = [0, 1];

await initBackend({ preference: 'wasm', log: false });

function mnistShaped(rows: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const protoRng = createRng(1234);
  const prototypes = Array.from({ length: 10 }, () => Float32Array.from({ length: 784 }, () => (protoRng.uniform() < 0.2 ? 1 : 0)));
  const rng = createRng(seed);
  const xs = new Float32Array(rows * 784);
  const ys = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = rng.int(10);
    ys[i] = c;
    for (let j = 0; j < 784; j++) xs[i * 784 + j] = prototypes[c][j] + 4 * rng.normal();
  }
  return { x: tf.tensor2d(xs, [rows, 784]), y: tf.tensor1d(ys, 'int32') };
}

function mlp(): tf.Sequential {
  let s = 7;
  const layers: tf.layers.Layer[] = [];
  for (let i = 0; i < 4; i++) {
    layers.push(
      tf.layers.dense({
        ...(i === 0 ? { inputShape: [784] } : {}),
        units: 256,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: s++ }),
      }),
    );
  }
  layers.push(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }) }));
  return tf.sequential({ layers });
}

const accuracy = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): number =>
  tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), y), 'float32')).dataSync()[0]);

const train = mnistShaped(n, 1);
const test = mnistShaped(nTest, 2);
const common = { epochs, batchSize, seed: 0, learningRate: 1e-3, measureMemory: false };
console.log(
  JSON.stringify({ bench: 'dpl-pipeline', n, nTest, epochs, batchSize, boundaries, cpus: cpus().length, loadavg: loadavg().map((l) => +l.toFixed(2)) }),
);

const results: Record<string, { wallMs: number; testAccuracy: number }> = {};
{
  const net = mlp();
  const t0 = performance.now();
  const res = await trainLayerwise(net, train.x, train.y, { ...common, boundaries });
  const wallMs = performance.now() - t0;
  results.sequential = { wallMs, testAccuracy: accuracy(res.model, test.x, test.y) };
  console.log(JSON.stringify({ mode: 'sequential', ...results.sequential, samplesPerPartition: epochs * n }));
  res.model.dispose();
  net.dispose();
}

const pipelined = async (mode: string, transport: NodePipelineTransport): Promise<void> => {
  const net = mlp();
  const t0 = performance.now();
  const res = await trainPipelined(net, train.x, train.y, { ...common, boundaries, transport });
  const wallMs = performance.now() - t0;
  results[mode] = { wallMs, testAccuracy: accuracy(res.model, test.x, test.y) };
  console.log(
    JSON.stringify({
      mode,
      ...results[mode],
      pipelineWallMs: res.wallMs,
      launchMs: res.launchMs,
      samplesPerPartition: res.partitions.map((p) => p.samples),
      trainMs: res.partitions.map((p) => Math.round(p.trainMs)),
      waitMs: res.partitions.map((p) => Math.round(p.waitMs)),
      speedupVsSequential: results.sequential!.wallMs / wallMs,
      accuracyDeltaPoints: 100 * (results[mode].testAccuracy - results.sequential!.testAccuracy),
    }),
  );
  res.model.dispose();
  net.dispose();
};

await pipelined('threads', 'threads');
if (process.env.BENCH_REDIS !== '0') {
  const redis = await startRedisServer();
  try {
    await pipelined('redis', { redis: redis.url, namespace: 'bench-pipeline' });
  } finally {
    await redis.stop();
  }
}
console.log(JSON.stringify({ loadavgAfter: loadavg().map((l) => +l.toFixed(2)) }));
