/**
 * Cost of one training step on the CPU, all in one process so that ratios survive a shared, noisy machine. One JSON
 * object per line:
 *
 * - `step-speed`: ms per iteration of one problem under one trainer:
 *   `bbp-backprop` (`fitBackprop` with `paperAdam`, evaluation outside the timed loop), `tfjs-fit-unpatched` (plain
 *   `model.fit` on the stock wasm backend, `tf.train.adam`), `tfjs-fit-patched` (the same after `initBackend()`'s
 *   kernels), `tfjs-fit-patched-fused-adam` (the same compiled with `fusedAdam`), and `products` (only the matrix
 *   products — and for the CNN the convolutions — of one step, timed alone on the same backend).
 * - `step-profile`: where one `bbp-backprop` step's time goes (`tf.profile` kernel times, ms): matrix products
 *   (`BatchMatMul`/`_FusedMatMul`/convolutions, including the transposes the patched kernels do), `optimizer`,
 *   `transpose`, data movement (gather/reshape/concat/…), `elementwise` (everything else), `dispatch` (step wall time
 *   not inside any kernel: tfjs' op and tape bookkeeping), and `evaluation` (one end-of-epoch pass over the
 *   validation set, which `fitBackprop` runs outside the timed loop).
 * - `step-ratio`: the targets as same-process ratios of CPU time: backprop step / its products, patched
 *   `model.fit` / backprop step. (`msPerIteration` is wall time, `cpuMsPerIteration` this process's CPU time, which
 *   a machine shared with other jobs inflates far less.)
 *
 * Problems: MNIST-shaped MLP 784-392-10 ReLU (batch 100, Adam), the `small` MNIST CNN of `bbp run mnist-cnn`
 * (two 3×3 conv layers 16/32 with LReLU 0.2 and 2×2 max-pooling, dense 64, batch 100, Adam), and the two-spirals
 * 2-5-5-5-2 all-shortcut tanh net (full batch 194, Adam). Data are seeded random values of the real shapes (speed
 * does not depend on the pixels). Each figure is the median of `rounds` timed runs.
 *
 * Run: `pnpm --filter @beyond-backprop/training exec node --conditions=@beyond-backprop/source --import tsx
 * bench/step-speed.ts [--quick]`. The external references `bench/peers/numpy_step.py` and `torch_step.py` (same problems)
 * run afterwards when `python3` has numpy (and torch), single-threaded BLAS like the wasm backend; their lines carry
 * `trainer: 'numpy-float32'` / `'torch-float32'`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend, installWasmKernels } from '@beyond-backprop/core-linalg';
import { toTensors, twoSpirals } from '@beyond-backprop/datasets';
import { backpropBatch, denseNetwork, fitBackprop, fusedAdam, paperAdam, resolveLoss } from '../src/index.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 5;

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round3 = (x: number): number => Number(x.toFixed(3));

interface Problem {
  name: string;
  batch: number;
  n: number;
  x: tf.Tensor;
  y: tf.Tensor1D;
  /** A fresh bbp model (logits out). */
  bbpModel: () => tf.LayersModel;
  /** The same network as a user would write it for `model.fit` (softmax inside). */
  userModel: () => tf.LayersModel;
  /** The step's matrix products (and convolutions) alone, with inputs of the step's shapes; returns the outputs. */
  products: () => tf.Tensor[];
  iterations: number;
}

function uniform(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.uniform()),
    shape,
  );
}

function labels(n: number, classes: number, seed: number): tf.Tensor1D {
  const rng = createRng(seed);
  return tf.tensor1d(
    Int32Array.from({ length: n }, () => rng.int(classes)),
    'int32',
  );
}

function mlpProblem(): Problem {
  const n = 1000;
  const b = 100;
  const mats = {
    x: uniform([b, 784], 1),
    w1: uniform([784, 392], 2),
    h: uniform([b, 392], 3),
    w2: uniform([392, 10], 4),
    g2: uniform([b, 10], 5),
    g1: uniform([b, 392], 6),
    // Untransposed operands: the products at the speed the backend reaches without any transpose.
    w2t: uniform([10, 392], 7),
    xt: uniform([784, b], 8),
    ht: uniform([392, b], 9),
  };
  return {
    name: 'mnist-mlp 784-392-10 relu',
    batch: b,
    n,
    x: uniform([n, 784], 10),
    y: labels(n, 10, 11),
    bbpModel: () => denseNetwork({ inputSize: 784, hidden: [392], outputs: 10, activation: 'relu', seed: 1 }),
    userModel: () =>
      tf.sequential({
        layers: [tf.layers.dense({ units: 392, activation: 'relu', inputShape: [784] }), tf.layers.dense({ units: 10, activation: 'softmax' })],
      }),
    // Forward x·W1, h·W2; backward dH = dZ2·W2ᵀ, dW2 = hᵀ·dZ2, dW1 = xᵀ·dZ1 (the input gradient is not needed).
    products: () => [
      tf.matMul(mats.x, mats.w1),
      tf.matMul(mats.h, mats.w2),
      tf.matMul(mats.g2, mats.w2t),
      tf.matMul(mats.ht, mats.g2),
      tf.matMul(mats.xt, mats.g1),
    ],
    iterations: quick ? 60 : 150,
  };
}

function cnnLayers(softmax: boolean): tf.layers.Layer[] {
  const lrelu = () => tf.layers.leakyReLU({ alpha: 0.2 });
  return [
    tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', inputShape: [28, 28, 1] }),
    lrelu(),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }),
    lrelu(),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 64 }),
    lrelu(),
    tf.layers.dense({ units: 10, ...(softmax ? { activation: 'softmax' as const } : {}) }),
  ];
}

function cnnProblem(): Problem {
  const n = 500;
  const b = 100;
  const t = {
    x: uniform([b, 28, 28, 1], 20),
    k1: uniform([3, 3, 1, 16], 21),
    h1: uniform([b, 14, 14, 16], 22),
    k2: uniform([3, 3, 16, 32], 23),
    dy1: uniform([b, 28, 28, 16], 24),
    dy2: uniform([b, 14, 14, 32], 25),
    f: uniform([b, 1568], 26),
    w3: uniform([1568, 64], 27),
    ft: uniform([1568, b], 28),
    g3: uniform([b, 64], 29),
    w3t: uniform([64, 1568], 30),
  };
  const run = (kernel: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
    tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined };
  return {
    name: 'mnist-cnn small (conv16-conv32-64)',
    batch: b,
    n,
    x: uniform([n, 28, 28, 1], 31),
    y: labels(n, 10, 32),
    bbpModel: () => tf.sequential({ layers: cnnLayers(false) }),
    userModel: () => tf.sequential({ layers: cnnLayers(true) }),
    // Forward: both convolutions and the 1568→64 product; backward: both filter gradients, the second conv's input
    // gradient, dW3 and the flatten's input gradient (the 64→10 products are negligible).
    products: () => [
      tf.conv2d(t.x as tf.Tensor4D, t.k1 as tf.Tensor4D, 1, 'same'),
      tf.conv2d(t.h1 as tf.Tensor4D, t.k2 as tf.Tensor4D, 1, 'same'),
      tf.matMul(t.f, t.w3),
      run('Conv2DBackpropFilter', { x: t.x, dy: t.dy1 }, { ...conv, filterShape: [3, 3, 1, 16] }),
      run('Conv2DBackpropFilter', { x: t.h1, dy: t.dy2 }, { ...conv, filterShape: [3, 3, 16, 32] }),
      run('Conv2DBackpropInput', { dy: t.dy2, filter: t.k2 }, { ...conv, inputShape: [b, 14, 14, 16] }),
      tf.matMul(t.ft, t.g3),
      tf.matMul(t.g3, t.w3t),
    ],
    iterations: quick ? 10 : 25,
  };
}

function spiralsProblem(): Problem {
  const { x, y } = toTensors(twoSpirals().train);
  const n = x.shape[0];
  return {
    name: 'two-spirals 2-5-5-5-2 shortcuts tanh',
    batch: n,
    n,
    x,
    y: y as tf.Tensor1D,
    bbpModel: () => denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2, shortcuts: true, seed: 1 }),
    userModel: () => {
      const input = tf.input({ shape: [2] });
      const sources: tf.SymbolicTensor[] = [input];
      for (let i = 0; i < 3; i++) {
        const into = sources.length > 1 ? (tf.layers.concatenate().apply([...sources]) as tf.SymbolicTensor) : input;
        sources.push(tf.layers.dense({ units: 5, activation: 'tanh' }).apply(into) as tf.SymbolicTensor);
      }
      const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(tf.layers.concatenate().apply(sources) as tf.SymbolicTensor) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    },
    products: () => [],
    iterations: quick ? 150 : 400,
  };
}

/** Wall and CPU ms of one iteration. CPU time (`process.cpuUsage`) is what the ratios use: on a shared machine the wall
 * clock mostly measures the wait for a core. */
interface Timing {
  wall: number;
  cpu: number;
}

/** Runs `body`, which performs `iterations` steps; returns per-iteration wall and CPU ms. */
async function timed(iterations: number, body: () => Promise<void> | void): Promise<Timing> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await body();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / iterations, cpu: (c.user + c.system) / 1000 / iterations };
}

/** Per-iteration time of `fitBackprop` (no evaluation configured, so the loop adds only its shuffle and callbacks). */
async function timeBbp(p: Problem): Promise<Timing> {
  const model = p.bbpModel();
  const epochs = Math.max(1, Math.round((p.iterations * p.batch) / p.n));
  await fitBackprop(model, p.x, p.y, { epochs: 1, batchSize: p.batch, optimizer: paperAdam(0.001) });
  const optimizer = paperAdam(0.001);
  const iterations = epochs * Math.ceil(p.n / p.batch);
  const t = await timed(iterations, async () => void (await fitBackprop(model, p.x, p.y, { epochs, batchSize: p.batch, optimizer })));
  optimizer.dispose();
  model.dispose();
  return t;
}

/** Per-batch time of a user's `model.fit` (`yieldEvery: 'never'`, no validation). */
async function timeFit(p: Problem, optimizer: () => tf.Optimizer): Promise<Timing> {
  const model = p.userModel();
  const opt = optimizer();
  model.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy' });
  const yf = tf.cast(p.y, 'float32');
  await model.fit(p.x, yf, { epochs: 1, batchSize: p.batch, shuffle: true, verbose: 0, yieldEvery: 'never' });
  const epochs = Math.max(1, Math.round((p.iterations * p.batch) / p.n));
  const iterations = epochs * Math.ceil(p.n / p.batch);
  const t = await timed(
    iterations,
    async () => void (await model.fit(p.x, yf, { epochs, batchSize: p.batch, shuffle: true, verbose: 0, yieldEvery: 'never' })),
  );
  yf.dispose();
  model.dispose();
  opt.dispose();
  return t;
}

function timeProducts(p: Problem): Promise<Timing> {
  tf.dispose(p.products());
  const reps = quick ? 10 : 30;
  return timed(reps, () => {
    for (let i = 0; i < reps; i++) {
      const outs = p.products();
      for (const o of outs) o.dataSync();
      tf.dispose(outs);
    }
  });
}

const MATMUL = /MatMul|Conv2D|Conv2d/;
const MOVEMENT = /^(GatherV2|Reshape|Identity|Concat|Slice|Cast|Pack|Unpack|Tile|Pad|MirrorPad|OneHot|ZerosLike|OnesLike|Fill)$/;

/** Kernel-time breakdown of one `backpropBatch` (gradients and optimiser profiled separately) and the evaluation. */
async function profileStep(p: Problem): Promise<Record<string, number>> {
  const model = p.bbpModel();
  const optimizer = paperAdam(0.001);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = resolveLoss('softmaxCrossEntropy');
  const forward = (xb: tf.Tensor) => model.apply(xb, { training: true }) as tf.Tensor;
  const rows = Int32Array.from({ length: p.batch }, (_, i) => i);
  for (let i = 0; i < 3; i++) backpropBatch(p.x, p.y, rows, loss, forward, variables, optimizer);
  const parts: Record<string, number[]> = {
    products: [],
    optimizer: [],
    transpose: [],
    dataMovement: [],
    elementwise: [],
    dispatch: [],
    wall: [],
    evaluation: [],
  };
  for (let r = 0; r < rounds; r++) {
    const sums = { products: 0, optimizer: 0, transpose: 0, dataMovement: 0, elementwise: 0 };
    let wall = 0;
    const gradInfo = await tf.profile(() => {
      const t0 = performance.now();
      const { value, grads } = tf.tidy(() => {
        const idx = tf.tensor1d(rows, 'int32');
        const xb = tf.gather(p.x, idx);
        const yb = tf.gather(p.y, idx);
        return tf.variableGrads(() => loss(yb, forward(xb)), variables);
      });
      value.dataSync();
      const t1 = performance.now();
      optimizer.applyGradients(grads);
      wall = t1 - t0 + (performance.now() - t1);
      tf.dispose([value, ...Object.values(grads)]);
    });
    for (const k of gradInfo.kernels) {
      const ms = k.kernelTimeMs as number;
      if (k.name.endsWith('__op')) continue; // composite ops: their kernels are listed too
      if (MATMUL.test(k.name)) sums.products += ms;
      else if (k.name === 'BbpFusedAdam') sums.optimizer += ms;
      else if (k.name === 'Transpose') sums.transpose += ms;
      else if (MOVEMENT.test(k.name)) sums.dataMovement += ms;
      else sums.elementwise += ms;
    }
    const inKernels = Object.values(sums).reduce((a, b) => a + b, 0);
    for (const [k, v] of Object.entries(sums)) parts[k].push(v);
    parts.dispatch!.push(Math.max(0, wall - inKernels));
    parts.wall!.push(wall);
    const t0 = performance.now();
    tf.tidy(() => void (model.apply(p.x, { training: false }) as tf.Tensor).dataSync());
    parts.evaluation!.push(performance.now() - t0);
  }
  optimizer.dispose();
  model.dispose();
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round3(median(v))]));
}

// Stock wasm first: installWasmKernels() cannot be undone within a process.
const info = await initBackend({ preference: 'wasm', log: false, patchWasm: false });
const problems = [mlpProblem(), cnnProblem(), spiralsProblem()];
const results = new Map<string, Record<string, Timing[]>>();
const record = (p: Problem, trainer: string, t: Timing) => {
  const r = results.get(p.name) ?? {};
  (r[trainer] ??= []).push(t);
  results.set(p.name, r);
};

for (const p of problems) {
  // The stock kernels cannot differentiate a conv net on wasm (Conv2DBackpropFilter is missing).
  if (p.name.startsWith('mnist-cnn')) continue;
  for (let r = 0; r < (quick ? 1 : 2); r++) record(p, 'tfjs-fit-unpatched', await timeFit(p, () => tf.train.adam(0.001)));
}
const patched = installWasmKernels();
for (let r = 0; r < rounds; r++) {
  for (const p of problems) {
    record(p, 'bbp-backprop', await timeBbp(p));
    record(p, 'tfjs-fit-patched', await timeFit(p, () => tf.train.adam(0.001)));
    record(p, 'tfjs-fit-patched-fused-adam', await timeFit(p, () => fusedAdam(0.001)));
    if (p.name !== 'two-spirals 2-5-5-5-2 shortcuts tanh') record(p, 'products', await timeProducts(p));
  }
}
for (const p of problems) {
  const r = results.get(p.name)!;
  const ms: Record<string, number> = {};
  for (const [trainer, values] of Object.entries(r)) {
    ms[trainer] = round3(median(values.map((v) => v.cpu)));
    emit({
      bench: 'step-speed',
      backend: info.choice,
      problem: p.name,
      batch: p.batch,
      trainer,
      msPerIteration: round3(median(values.map((v) => v.wall))),
      cpuMsPerIteration: ms[trainer],
      runs: values.length,
    });
  }
  emit({ bench: 'step-profile', backend: info.choice, problem: p.name, batch: p.batch, ms: await profileStep(p) });
  emit({
    bench: 'step-ratio',
    problem: p.name,
    backpropOverProducts: ms.products ? round3(ms['bbp-backprop'] / ms.products) : null,
    fitPatchedOverBackprop: round3(ms['tfjs-fit-patched'] / ms['bbp-backprop']),
    fitFusedAdamOverBackprop: round3(ms['tfjs-fit-patched-fused-adam'] / ms['bbp-backprop']),
    patchedKernels: patched.length,
  });
}
for (const p of problems) tf.dispose([p.x, p.y]);

// External references, when Python has them: one BLAS thread, as the wasm backend uses one core.
for (const [peer, module] of [
  ['numpy_step.py', 'numpy'],
  ['torch_step.py', 'torch'],
] as const) {
  if (spawnSync('python3', ['-c', `import ${module}`]).status !== 0) continue;
  const script = fileURLToPath(new URL(`./peers/${peer}`, import.meta.url));
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const run = spawnSync('python3', [script, ...(quick ? ['--quick'] : [])], { env, encoding: 'utf8' });
  for (const line of run.stdout.split('\n')) if (line.trim() !== '') console.log(line);
}
