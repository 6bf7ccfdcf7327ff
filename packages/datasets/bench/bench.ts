/**
 * datasets benchmarks: generation time of each synthetic set, and parse throughput of an MNIST-sized IDX file and a
 * CIFAR-10 batch generated in memory. One JSON object per line.
 * Run: `pnpm --filter @beyond-backprop/datasets bench`.
 */
import { gzipSync } from 'node:zlib';
import {
  addingProblem,
  checkerboard,
  decodeIdx,
  delayedAddition,
  delayedMemorisation,
  encodeIdx,
  mnistFromIdx,
  gaussianBlobs,
  mixedFrequency,
  parseCifarBatch,
  parseIdx,
  randomPermutation,
  sampledTwoSpirals,
  sineFit,
  sinusoidBoundary,
  temporalOrder,
  temporalOrder3Bit,
  twoMoons,
  twoSpirals,
  xor,
  type Dataset,
} from '../src/index.js';

function time(fn: () => unknown, reps: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

async function timeAsync(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  return (performance.now() - t0) / reps;
}

const generators: Array<[string, () => Dataset<Int32Array | Float32Array>, number]> = [
  ['two-spirals', () => twoSpirals(), 50],
  ['two-spirals-noisy-10k', () => twoSpirals({ pointsPerClass: 5000, noise: 0.1, seed: 1 }), 20],
  ['sampled-two-spirals', () => sampledTwoSpirals(), 20],
  ['checkerboard', () => checkerboard(), 20],
  ['sinusoid-boundary', () => sinusoidBoundary(), 20],
  ['mixed-frequency', () => mixedFrequency(), 20],
  ['sine-fit', () => sineFit(), 20],
  ['xor', () => xor(), 50],
  ['two-moons', () => twoMoons(), 20],
  ['blobs', () => gaussianBlobs(), 20],
  ['delayed-memorisation-N10', () => delayedMemorisation({ delay: 10 }), 5],
  ['delayed-addition-N10', () => delayedAddition({ delay: 10 }), 5],
  ['temporal-order-T20', () => temporalOrder({ length: 20 }), 3],
  ['temporal-order-3bit-T20', () => temporalOrder3Bit({ length: 20 }), 3],
  ['random-permutation-T20', () => randomPermutation({ length: 20 }), 2],
  ['adding-T20', () => addingProblem({ length: 20 }), 3],
];

for (const [name, make, reps] of generators) {
  const ds = make();
  const ms = time(make, reps);
  console.log(JSON.stringify({ bench: 'generate', dataset: name, trainShape: ds.train.xShape, testShape: ds.test.xShape, ms: Number(ms.toFixed(3)) }));
}

// IDX: an MNIST-sized image file (60000×28×28 ubyte, 47 MB) built in memory.
const pixels = new Uint8Array(60000 * 28 * 28);
for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
const idx = encodeIdx('ubyte', [60000, 28, 28], pixels);
const parseMs = time(() => parseIdx(idx, { file: 'train-images-idx3-ubyte' }), 20);
// ubyte data are a zero-copy view, so this measures header validation only.
console.log(
  JSON.stringify({
    bench: 'parseIdx',
    shape: [60000, 28, 28],
    megabytes: Number((idx.length / 1e6).toFixed(1)),
    ms: Number(parseMs.toFixed(3)),
    zeroCopy: true,
  }),
);
const labels = encodeIdx(
  'ubyte',
  [60000],
  Array.from({ length: 60000 }, (_, i) => i % 10),
);
const testIdx = encodeIdx('ubyte', [10000, 28, 28], pixels.subarray(0, 10000 * 784));
const testLabels = encodeIdx(
  'ubyte',
  [10000],
  Array.from({ length: 10000 }, (_, i) => i % 10),
);
const mnistMs = await timeAsync(() => mnistFromIdx({ trainImages: idx, trainLabels: labels, testImages: testIdx, testLabels }), 3);
const mnistBytes = idx.length + labels.length + testIdx.length + testLabels.length;
console.log(
  JSON.stringify({
    bench: 'mnistFromIdx',
    examples: [60000, 10000],
    megabytes: Number((mnistBytes / 1e6).toFixed(1)),
    ms: Number(mnistMs.toFixed(1)),
    mbPerSecond: Number((mnistBytes / 1e6 / (mnistMs / 1000)).toFixed(0)),
  }),
);
const gz = new Uint8Array(gzipSync(idx, { level: 6 }));
const gzMs = await timeAsync(() => decodeIdx(gz, { file: 'train-images-idx3-ubyte.gz' }), 3);
console.log(
  JSON.stringify({
    bench: 'decodeIdx-gzip',
    shape: [60000, 28, 28],
    compressedMegabytes: Number((gz.length / 1e6).toFixed(1)),
    ms: Number(gzMs.toFixed(1)),
    mbPerSecond: Number((idx.length / 1e6 / (gzMs / 1000)).toFixed(0)),
  }),
);

// CIFAR-10: one 10000-record binary batch (30.7 MB) built in memory.
const batch = new Uint8Array(10000 * 3073);
for (let r = 0; r < 10000; r++) batch[r * 3073] = r % 10;
const cifarMs = time(() => parseCifarBatch(batch, { file: 'data_batch_1.bin' }), 5);
console.log(
  JSON.stringify({
    bench: 'parseCifarBatch',
    records: 10000,
    megabytes: Number((batch.length / 1e6).toFixed(1)),
    ms: Number(cifarMs.toFixed(2)),
    mbPerSecond: Number((batch.length / 1e6 / (cifarMs / 1000)).toFixed(0)),
  }),
);
