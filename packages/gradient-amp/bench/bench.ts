/**
 * gradient-amp benchmarks. One JSON object per line:
 *
 * - `head-equal-budget`: one line per (problem, optimiser, head). The same network, initial weights, batches and
 *   optimiser for every head at a given seed; only the output head and its loss change. Reports the epochs to reach
 *   `target` training accuracy (over the seeds that reached it; `reached` counts them, `diverged` counts runs stopped
 *   by a non-finite loss) and the final train/test accuracy, as mean/min/max over the seeds. `backprop` is
 *   `fitBackprop` with training's softmax cross-entropy — the repository-wide baseline, identical to the `softmax-ce`
 *   head by construction.
 *   Problems: `two-spirals` (2-5-5-5-2 tanh net with all shortcuts, full batch, Adam 0.01: the CLI experiment) and
 *   `blobs` (inline: 5 overlapping Gaussian classes in 10-D, 500/500 points, 10-32-32-5 ReLU net, batch 32) with Adam
 *   0.01 and with SGD + momentum 0.9 at learning rates 0.003 and 0.01 (the thesis trains with SGD; Adam divides the
 *   amplification out).
 * - `loss-and-grad`: microseconds per loss + gradient evaluation of each head on `[1024, 10]` logits.
 *
 * Run: `pnpm --filter @beyond-backprop/gradient-amp bench` (BBP_BACKEND picks a backend; BENCH_SEEDS, default 3).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend, readValues } from '@beyond-backprop/core-linalg';
import { toTensors, twoSpirals } from '@beyond-backprop/datasets';
import { TrainingDivergedError, denseNetwork, fitBackprop, paperAdam, type DenseNetworkSpec, type History } from '@beyond-backprop/training';
import { createHead, fitHead, type HeadName, type HeadOptions } from '../src/index.js';

const info = await initBackend({ log: false });
const seeds = Array.from({ length: Number(process.env.BENCH_SEEDS ?? 3) }, (_, i) => i + 1);

interface Data {
  train: { x: tf.Tensor; y: tf.Tensor };
  test: { x: tf.Tensor; y: tf.Tensor };
}

interface Setting {
  problem: string;
  data: Data;
  net: Omit<DenseNetworkSpec, 'seed'>;
  epochs: number;
  batchSize: number;
  optimizer: { name: 'adam' | 'sgd-momentum'; learningRate: number };
  /** Training accuracy whose first epoch is reported. */
  target: number;
  /** Head labels to run. */
  heads: string[];
  /** Add the `fitBackprop` line. */
  backprop: boolean;
}

/** Five Gaussian classes in 10-D with overlapping means, split 500/500. */
function blobs(seed: number): Data {
  const rng = createRng(seed);
  const k = 5;
  const d = 10;
  const means = Array.from({ length: k }, () => Array.from({ length: d }, () => 1.1 * rng.normal()));
  const split = (n: number) => {
    const x = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = rng.int(k);
      y[i] = c;
      for (let j = 0; j < d; j++) x[i * d + j] = means[c][j] + rng.normal();
    }
    return { x: tf.tensor2d(x, [n, d]), y: tf.tensor1d(y, 'int32') };
  };
  return { train: split(500), test: split(500) };
}

/** The heads compared: package defaults, plus the thesis' larger targets for the GA heads (§4.5, §4.10). */
const HEADS: Record<string, { name: HeadName; options: HeadOptions }> = {
  'softmax-ce': { name: 'softmax-ce', options: {} },
  'exp-ga': { name: 'exp-ga', options: {} },
  'exp-ga {0,6}': { name: 'exp-ga', options: { targets: { neg: 0, pos: 6 } } },
  'pow3-ga': { name: 'pow3-ga', options: {} },
  'pow3-ga β=0.4 {−2,10}': { name: 'pow3-ga', options: { beta: 0.4, targets: { neg: -2, pos: 10 } } },
  'linear-mse': { name: 'linear-mse', options: {} },
  sigmoid: { name: 'sigmoid', options: {} },
  tanh: { name: 'tanh', options: {} },
};
const ALL = Object.keys(HEADS);

const spirals = twoSpirals();
const blobData = blobs(2024);
const blobNet = { inputSize: 10, hidden: [32, 32], outputs: 5, activation: 'relu' as const };
const settings: Setting[] = [
  {
    problem: 'two-spirals',
    data: { train: toTensors(spirals.train), test: toTensors(spirals.test) },
    net: { inputSize: 2, hidden: [5, 5, 5], outputs: 2, activation: 'tanh', shortcuts: true },
    epochs: 1000,
    batchSize: 194,
    optimizer: { name: 'adam', learningRate: 0.01 },
    target: 0.95,
    // ~6 ms per full-batch epoch on wasm: four heads keep the whole bench near three minutes.
    heads: ['softmax-ce', 'exp-ga', 'pow3-ga', 'linear-mse'],
    backprop: false,
  },
  {
    problem: 'blobs',
    data: blobData,
    net: blobNet,
    epochs: 30,
    batchSize: 32,
    optimizer: { name: 'adam', learningRate: 0.01 },
    target: 0.9,
    heads: ALL,
    backprop: true,
  },
  {
    problem: 'blobs',
    data: blobData,
    net: blobNet,
    epochs: 30,
    batchSize: 32,
    optimizer: { name: 'sgd-momentum', learningRate: 0.003 },
    target: 0.9,
    heads: ALL,
    backprop: true,
  },
  {
    problem: 'blobs',
    data: blobData,
    net: blobNet,
    epochs: 30,
    batchSize: 32,
    optimizer: { name: 'sgd-momentum', learningRate: 0.01 },
    target: 0.9,
    heads: ALL,
    backprop: false,
  },
];

const stats = (xs: number[]) =>
  xs.length === 0
    ? null
    : {
        mean: Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(4)),
        min: Number(Math.min(...xs).toFixed(4)),
        max: Number(Math.max(...xs).toFixed(4)),
      };

interface Run {
  history: History;
  testAccuracy: number;
}

function testAccuracy(model: tf.LayersModel, data: Data): number {
  return tf.tidy(() => {
    const predicted = tf.argMax(model.predict(data.test.x) as tf.Tensor, -1).dataSync();
    const labels = data.test.y.dataSync();
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
    return correct / labels.length;
  });
}

async function runSeeds(setting: Setting, fit: (model: tf.LayersModel, seed: number) => Promise<History>): Promise<{ runs: Run[]; diverged: number }> {
  const runs: Run[] = [];
  let diverged = 0;
  for (const seed of seeds) {
    const model = denseNetwork({ ...setting.net, seed });
    try {
      const history = await fit(model, seed);
      runs.push({ history, testAccuracy: testAccuracy(model, setting.data) });
    } catch (error) {
      if (!(error instanceof TrainingDivergedError)) throw error;
      diverged++;
    }
    model.dispose();
  }
  return { runs, diverged };
}

function summarise(setting: Setting, head: string, config: unknown, { runs, diverged }: { runs: Run[]; diverged: number }, seconds: number): void {
  const reached: number[] = [];
  for (const r of runs) {
    const e = r.history.history.accuracy!.findIndex((a) => a >= setting.target);
    if (e >= 0) reached.push(e + 1);
  }
  console.log(
    JSON.stringify({
      bench: 'head-equal-budget',
      backend: info.choice,
      problem: setting.problem,
      optimizer: setting.optimizer,
      head,
      settings: config,
      seeds: seeds.length,
      epochs: setting.epochs,
      target: setting.target,
      reached: reached.length,
      diverged,
      epochsToTarget: stats(reached),
      trainAccuracy: stats(runs.map((r) => r.history.history.accuracy!.at(-1)!)),
      testAccuracy: stats(runs.map((r) => r.testAccuracy)),
      msPerIteration: runs.length ? Number((runs.reduce((a, r) => a + r.history.msPerIteration, 0) / runs.length).toFixed(3)) : null,
      seconds: Number(seconds.toFixed(1)),
    }),
  );
}

for (const setting of settings) {
  const optimizer = () =>
    setting.optimizer.name === 'adam' ? paperAdam(setting.optimizer.learningRate) : tf.train.momentum(setting.optimizer.learningRate, 0.9);
  const options = (seed: number) => ({ epochs: setting.epochs, batchSize: setting.batchSize, seed, optimizer: optimizer(), trackAccuracy: true });
  if (setting.backprop) {
    const t0 = performance.now();
    const result = await runSeeds(setting, (model, seed) => fitBackprop(model, setting.data.train.x, setting.data.train.y, options(seed)));
    summarise(setting, 'backprop', { loss: 'softmaxCrossEntropy' }, result, (performance.now() - t0) / 1000);
  }
  for (const label of setting.heads) {
    const t0 = performance.now();
    const head = createHead(HEADS[label].name, HEADS[label].options);
    const result = await runSeeds(setting, (model, seed) => fitHead(model, setting.data.train.x, setting.data.train.y, head, options(seed)));
    const { alpha, beta, targets } = head.params;
    summarise(setting, label, { alpha, beta, targets }, result, (performance.now() - t0) / 1000);
  }
}

{
  const z = createRng(1).normalTensor([1024, 10], { std: 2 });
  const labels = tf.tensor1d(
    Array.from({ length: 1024 }, (_, i) => i % 10),
    'int32',
  );
  for (const name of ['softmax-ce', 'exp-ga', 'pow3-ga', 'linear-mse', 'sigmoid', 'tanh'] as HeadName[]) {
    for (const path of ['autodiff', 'manual'] as const) {
      const loss = createHead(name).lossFn({ path });
      const step = () => readValues(() => tf.valueAndGrad((zz: tf.Tensor) => loss(labels, zz))(z).grad);
      for (let i = 0; i < 10; i++) step();
      const reps = 50;
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) step();
      console.log(
        JSON.stringify({
          bench: 'loss-and-grad',
          backend: info.choice,
          head: name,
          path,
          shape: [1024, 10],
          usPerCall: Number((((performance.now() - t0) * 1000) / reps).toFixed(1)),
        }),
      );
    }
  }
}
