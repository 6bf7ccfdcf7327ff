/**
 * target-space benchmarks, one JSON object per line.
 *
 * - `step-cost`: milliseconds per training iteration on two-spirals (2-5-5-5-2, all shortcuts, full batch) for target
 *   space and its weight-space twin on the same engine, and their ratio (the paper reports 3.5 on a CPU, §5.1). The
 *   float64 engine is measured fused (loss on the realisation pass, valid when X = X̄) and unfused (Alg. 1–4 as in
 *   the paper), the tfjs engine on the active backend.
 * - `two-spirals`: for each seed and method, the first epoch with 100% training accuracy and the final test accuracy
 *   after 1,500 epochs of Adam 0.01 (target space SCU and OCU vs backprop, equal budget).
 *
 * Run: `pnpm --filter @beyond-backprop/target-space bench` (`--quick` for a smoke run).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, readValues } from '@beyond-backprop/core-linalg';
import { twoSpirals } from '@beyond-backprop/datasets';
import { denseNetwork, fitBackprop, paperAdam } from '@beyond-backprop/training';
import { TargetSpaceMlp, WeightSpaceMlp, type CascadeUntangling } from '../src/index.js';

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
  return s[Math.floor(s.length / 2)]!;
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

const tsFused = await msPerIteration(() => {
  const net = new TargetSpaceMlp(arch, { realisationInputs: x, engine: 'float64', seed: 1 });
  return { fit: async (e) => (await net.fit(x, y, { epochs: e })).msPerIteration, dispose: () => net.dispose() };
}, epochs, repeats);
const tsUnfused = await msPerIteration(() => {
  const net = new TargetSpaceMlp(arch, { realisationInputs: x, engine: 'float64', seed: 1 });
  return { fit: async (e) => (await net.fit(xPerm, yPerm, { epochs: e })).msPerIteration, dispose: () => net.dispose() };
}, epochs, repeats);
const bpF64 = await msPerIteration(() => {
  const twin = new WeightSpaceMlp(arch, { engine: 'float64', seed: 1 });
  return { fit: async (e) => (await twin.fit(x, y, { epochs: e })).msPerIteration, dispose: () => twin.dispose() };
}, epochs, repeats);
emit({ bench: 'step-cost', problem: 'two-spirals 2-5-5-5-2 shortcuts, batch 194', engine: 'float64', targetSpaceMs: round(tsFused), targetSpaceUnfusedMs: round(tsUnfused), backpropMs: round(bpF64), ratio: round(tsFused / bpF64), ratioUnfused: round(tsUnfused / bpF64) });

const tfEpochs = quick ? 30 : 100;
const tsTf = await msPerIteration(() => {
  const net = new TargetSpaceMlp(arch, { realisationInputs: x, engine: 'tfjs', seed: 1 });
  return { fit: async (e) => (await net.fit(x, y, { epochs: e })).msPerIteration, dispose: () => net.dispose() };
}, tfEpochs, repeats);
const bpTf = await msPerIteration(() => {
  const model = denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2, shortcuts: true, seed: 1 });
  const optimizer = paperAdam(0.01);
  return {
    fit: async (e) => (await fitBackprop(model, x, y, { epochs: e, optimizer })).msPerIteration,
    dispose: () => {
      model.dispose();
      optimizer.dispose();
    },
  };
}, tfEpochs, repeats);
emit({ bench: 'step-cost', problem: 'two-spirals 2-5-5-5-2 shortcuts, batch 194', engine: `tfjs-${info.choice}`, targetSpaceMs: round(tsTf), backpropMs: round(bpTf), ratio: round(tsTf / bpTf) });

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

function trainAccuracy(logits: tf.Tensor): number {
  const p = readValues(() => tf.argMax(logits, 1));
  let c = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === ds.train.y[i]) c++;
  return c / p.length;
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
