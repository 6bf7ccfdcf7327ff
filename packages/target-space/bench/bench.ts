/**
 * target-space benchmarks, one JSON object per line.
 *
 * - `step-cost`: milliseconds per training iteration on two-spirals (2-5-5-5-2, all shortcuts, full batch) for target
 *   space and its weight-space twin on the same engine, and their ratio (the paper reports 3.5 on a CPU, §5.1). The
 *   float64 engine is measured fused (loss on the realisation pass, valid when X = X̄) and unfused (Alg. 1–4 as in
 *   the paper), the tfjs engine on the active backend.
 * - `float64-vs-numpy`: CPU ms per iteration of the float64 backprop twin (`WeightSpaceMlp`, Adam, full batch) on
 *   two-spirals against the same step in numpy (`training/bench/peers/numpy_step.py --only spirals`, one BLAS thread),
 *   run back to back in this process's conditions; skipped with a note when Python has no numpy.
 * - `two-spirals`: for each seed and method, the first epoch with 100% training accuracy and the final test accuracy
 *   after 1,500 epochs of Adam 0.01 (target space SCU and OCU vs backprop, equal budget).
 * - `rnn-step-cost`: ms per iteration of the delayed-memorisation RNN (1-(N+3)-2, n_t = N + 50, batch 100, X̄ = 100
 *   streams) in target space (hybrid SCU/OCU) and by BPTT, for a few delays (the paper: ≈ 1.5 on IMDB's GPU run).
 * - `cnn-step-cost`: ms per iteration of a small MNIST-sized CNN (batch 100, X̄ = 100 images) in target space, with
 *   all patch rows and with a fixed subset, against backprop on the same network (the paper: 5.4–7 on a GPU).
 *
 * Run: `pnpm --filter @beyond-backprop/target-space bench` (`--quick` for a smoke run).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readValues } from '@beyond-backprop/core-linalg';
import { twoSpirals } from '@beyond-backprop/datasets';
import { denseNetwork, fitBackprop, paperAdam } from '@beyond-backprop/training';
import { delayedMemorisation } from '@beyond-backprop/datasets';
import { TargetSpaceCnn, TargetSpaceMlp, TargetSpaceRnn, WeightSpaceMlp, WeightSpaceRnn, weightSpaceCnn, type CascadeUntangling } from '../src/index.js';

const quick = process.argv.includes('--quick');
const info = await initBackend({ log: false });
const ds = twoSpirals();
const x = tf.tensor2d(ds.train.x, [194, 2]);
const y = tf.tensor1d(ds.train.y, 'int32');
const xTest = tf.tensor2d(ds.test.x, [194, 2]);
const arch = { layers: [2, 5, 5, 5, 2], shortcuts: true };

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function msPerIteration(make: () => { fit: (epochs: number) => Promise<number>; dispose: () => void }, epochs: number, repeats: number): Promise<number> {
  const runs: number[] = [];
  for (let r = 0; r < repeats + 1; r++) {
    const m = make();
    const ms = await m.fit(epochs);
    m.dispose();
    if (r > 0) runs.push(ms); // the first run warms up the JIT
  }
  return median(runs);
}

// --- cost per iteration -------------------------------------------------------------------------------------------
const epochs = quick ? 100 : 400;
const repeats = quick ? 1 : 3;
// A row-permuted copy of the training set: the same data, but X ≠ X̄ row for row, which forces the unfused path.
const order = Array.from({ length: 194 }, (_, i) => (i * 97 + 5) % 194);
const xPerm = tf.gather(x, tf.tensor1d(order, 'int32')) as tf.Tensor2D;
const yPerm = tf.gather(y, tf.tensor1d(order, 'int32'));

const tsFused = await msPerIteration(
  () => {
    const net = new TargetSpaceMlp(arch, { realisationInputs: x, engine: 'float64', seed: 1 });
    return { fit: async (e) => (await net.fit(x, y, { epochs: e })).msPerIteration, dispose: () => net.dispose() };
  },
  epochs,
  repeats,
);
const tsUnfused = await msPerIteration(
  () => {
    const net = new TargetSpaceMlp(arch, { realisationInputs: x, engine: 'float64', seed: 1 });
    return { fit: async (e) => (await net.fit(xPerm, yPerm, { epochs: e })).msPerIteration, dispose: () => net.dispose() };
  },
  epochs,
  repeats,
);
const bpF64 = await msPerIteration(
  () => {
    const twin = new WeightSpaceMlp(arch, { engine: 'float64', seed: 1 });
    return { fit: async (e) => (await twin.fit(x, y, { epochs: e })).msPerIteration, dispose: () => twin.dispose() };
  },
  epochs,
  repeats,
);
emit({
  bench: 'step-cost',
  problem: 'two-spirals 2-5-5-5-2 shortcuts, batch 194',
  engine: 'float64',
  targetSpaceMs: round(tsFused),
  targetSpaceUnfusedMs: round(tsUnfused),
  backpropMs: round(bpF64),
  ratio: round(tsFused / bpF64),
  ratioUnfused: round(tsUnfused / bpF64),
});

// --- float64 twin against numpy, CPU time, alternating so both see the same load ---------------------------------
{
  const peer = fileURLToPath(new URL('../../training/bench/peers/numpy_step.py', import.meta.url));
  const hasNumpy = spawnSync('python3', ['-c', 'import numpy']).status === 0;
  const ours: number[] = [];
  const theirs: number[] = [];
  const twinEpochs = quick ? 300 : 1000;
  for (let r = 0; r < (quick ? 2 : 4); r++) {
    const twin = new WeightSpaceMlp(arch, { engine: 'float64', seed: 1, optimizer: { kind: 'adam', learningRate: 0.01 } });
    const c0 = process.cpuUsage();
    await twin.fit(x, y, { epochs: twinEpochs });
    const c = process.cpuUsage(c0);
    twin.dispose();
    if (r > 0) ours.push((c.user + c.system) / 1000 / twinEpochs);
    if (!hasNumpy) continue;
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const run = spawnSync('python3', [peer, '--only', 'spirals', ...(quick ? ['--quick'] : [])], { env, encoding: 'utf8' });
    const line = run.stdout.split('\n').find((l) => l.includes('cpuMsPerIteration'));
    if (line && r > 0) theirs.push((JSON.parse(line) as { cpuMsPerIteration: number }).cpuMsPerIteration);
  }
  emit({
    bench: 'float64-vs-numpy',
    problem: 'two-spirals 2-5-5-5-2 shortcuts tanh, batch 194, Adam',
    float64CpuMs: round(median(ours)),
    numpyFloat32CpuMs: theirs.length > 0 ? round(median(theirs)) : null,
    ratio: theirs.length > 0 ? round(median(ours) / median(theirs)) : null,
    note: hasNumpy ? undefined : 'python3 has no numpy: only our side measured',
  });
}

const tfEpochs = quick ? 30 : 100;
const tsTf = await msPerIteration(
  () => {
    const net = new TargetSpaceMlp(arch, { realisationInputs: x, engine: 'tfjs', seed: 1 });
    return { fit: async (e) => (await net.fit(x, y, { epochs: e })).msPerIteration, dispose: () => net.dispose() };
  },
  tfEpochs,
  repeats,
);
const bpTf = await msPerIteration(
  () => {
    const model = denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2, shortcuts: true, seed: 1 });
    const optimizer = paperAdam(0.01);
    return {
      fit: async (e) => (await fitBackprop(model, x, y, { epochs: e, optimizer })).msPerIteration,
      dispose: () => {
        model.dispose();
        optimizer.dispose();
      },
    };
  },
  tfEpochs,
  repeats,
);
emit({
  bench: 'step-cost',
  problem: 'two-spirals 2-5-5-5-2 shortcuts, batch 194',
  engine: `tfjs-${info.choice}`,
  targetSpaceMs: round(tsTf),
  backpropMs: round(bpTf),
  ratio: round(tsTf / bpTf),
});

// --- equal-budget comparison on two-spirals --------------------------------------------------------------------------
const seeds = quick ? [1] : [1, 2, 3, 4, 5];
const budget = quick ? 200 : 1500;
function testAccuracy(logits: tf.Tensor): number {
  const p = readValues(() => tf.argMax(logits, 1));
  let c = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === ds.test.y[i]) c++;
  return c / p.length;
}
for (const method of ['target-space', 'target-space-ocu', 'backprop'] as const) {
  const rows: Array<{ seed: number; firstFit: number | null; test: number }> = [];
  for (const seed of seeds) {
    let firstFit: number | null = null;
    const onEpochEnd = (epoch: number, logs: Record<string, number | undefined>) => {
      if (firstFit === null && logs.accuracy === 1) firstFit = epoch + 1;
    };
    let logits: tf.Tensor;
    if (method === 'backprop') {
      const twin = new WeightSpaceMlp(arch, { engine: 'float64', seed, init: 'glorot-truncated' });
      await twin.fit(x, y, {
        epochs: budget,
        callbacks: {
          onEpochEnd: (e) => {
            if (firstFit === null && (e + 1) % 10 === 0) {
              const p = twin.predict(x);
              const acc = trainAccuracy(p);
              p.dispose();
              onEpochEnd(e, { accuracy: acc });
            }
          },
        },
      });
      logits = twin.predict(xTest);
    } else {
      const cascade: CascadeUntangling = method === 'target-space' ? 'scu' : 'ocu';
      const net = new TargetSpaceMlp(arch, { realisationInputs: x, cascade, seed });
      await net.fit(x, y, { epochs: budget, trackAccuracy: true, callbacks: { onEpochEnd } });
      logits = net.predict(xTest);
    }
    rows.push({ seed, firstFit, test: round(testAccuracy(logits)) });
    logits.dispose();
  }
  emit({
    bench: 'two-spirals',
    method,
    epochs: budget,
    optimizer: 'adam 0.01',
    seedsFitting: rows.filter((r) => r.firstFit !== null).length,
    seedsTest95: rows.filter((r) => r.test >= 0.95).length,
    runs: rows,
  });
}

// --- recurrent step cost ----------------------------------------------------------------------------------------------
for (const delay of quick ? [2] : [2, 8, 16]) {
  const data = delayedMemorisation({ delay, trainSize: 1000, testSize: 10, seed: 1 });
  const xs = tf.tensor3d(data.train.x, data.train.xShape as [number, number, number]);
  const ys = tf.tensor2d(data.train.y, data.train.yShape as [number, number], 'int32');
  const spec = { inputSize: 1, hidden: delay + 3, outputs: 2 };
  const its = quick ? 3 : 10; // epochs of 10 iterations
  const tsMs = await msPerIteration(
    () => {
      const xBar = tf.slice(xs, [0, 0, 0], [100, -1, -1]) as tf.Tensor3D;
      const net = new TargetSpaceRnn(spec, { realisationInputs: xBar, lambda: 0.1, optimizer: { kind: 'adam', learningRate: 0.001 }, seed: 1 });
      xBar.dispose();
      return { fit: async (e) => (await net.fit(xs, ys, { epochs: e, batchSize: 100 })).msPerIteration, dispose: () => net.dispose() };
    },
    its,
    repeats,
  );
  const bpMs = await msPerIteration(
    () => {
      const twin = new WeightSpaceRnn(spec, { seed: 1, optimizer: { kind: 'adam', learningRate: 0.001 } });
      return { fit: async (e) => (await twin.fit(xs, ys, { epochs: e, batchSize: 100 })).msPerIteration, dispose: () => twin.dispose() };
    },
    its,
    repeats,
  );
  emit({
    bench: 'rnn-step-cost',
    problem: `bit-memory delay ${delay}, 1-${delay + 3}-2, n_t ${delay + 50}, batch 100`,
    engine: 'float64',
    targetSpaceMs: round(tsMs),
    backpropMs: round(bpMs),
    ratio: round(tsMs / bpMs),
  });
  tf.dispose([xs, ys]);
}

// --- convolutional step cost ------------------------------------------------------------------------------------------
{
  const n = 300;
  const images = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  );
  const conv = [
    { kernel: 3, channels: 16, pool: 2 },
    { kernel: 3, channels: 32, pool: 2 },
  ];
  const cnnEpochs = quick ? 1 : 2;
  const tsCost = (patchRows?: number) =>
    msPerIteration(
      () => {
        const xBar = tf.slice(images, [0, 0, 0, 0], [100, -1, -1, -1]) as tf.Tensor4D;
        const net = new TargetSpaceCnn(
          { input: [28, 28, 1], conv, dense: [64], outputs: 10 },
          { realisationInputs: xBar, ...(patchRows ? { patchRows } : {}), seed: 1 },
        );
        xBar.dispose();
        return { fit: async (e) => (await net.fit(images, labels, { epochs: e, batchSize: 100 })).msPerIteration, dispose: () => net.dispose() };
      },
      cnnEpochs,
      repeats,
    );
  const allRows = await tsCost();
  const subset = await tsCost(4000);
  const bpCnn = await msPerIteration(
    () => {
      const model = weightSpaceCnn({ input: [28, 28, 1], conv, dense: [64], outputs: 10 }, { seed: 1 });
      const optimizer = paperAdam(0.001);
      return {
        fit: async (e) => (await fitBackprop(model, images, labels, { epochs: e, batchSize: 100, optimizer })).msPerIteration,
        dispose: () => {
          model.dispose();
          optimizer.dispose();
        },
      };
    },
    cnnEpochs,
    repeats,
  );
  emit({
    bench: 'cnn-step-cost',
    problem: '28×28×1, conv (3,16,2),(3,32,2), dense 64, LReLU, batch 100, X̄ 100 images',
    engine: `tfjs-${info.choice}`,
    targetSpaceMs: round(allRows),
    targetSpacePatchRows4000Ms: round(subset),
    backpropMs: round(bpCnn),
    ratio: round(allRows / bpCnn),
    ratioPatchRows4000: round(subset / bpCnn),
  });
  tf.dispose([images, labels]);
}

function trainAccuracy(logits: tf.Tensor): number {
  const p = readValues(() => tf.argMax(logits, 1));
  let c = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === ds.train.y[i]) c++;
  return c / p.length;
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
