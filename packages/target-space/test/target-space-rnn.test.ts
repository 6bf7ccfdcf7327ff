import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tape, createRng, gradCheck, initBackend, ridgeSolveF64, type Matrix } from '@beyond-backprop/core-linalg';
import { decodeCheckpoint, encodeCheckpoint } from '@beyond-backprop/training';
import {
  Float64Ops,
  TargetSpaceRnn,
  WeightSpaceRnn,
  realiseRecurrent,
  recurrentForward,
  type RecurrentShape,
  type TargetSpaceRnnCheckpoint,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

function randn(rows: number, cols: number, seed: number, std = 1): Matrix {
  const rng = createRng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal(0, std)) };
}

/** Delayed bit memorisation (paper §5.3): y_t = b_{t−N}, the first N steps unscored (−1). */
function bitMemory(n: number, time: number, delay: number, seed: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const rng = createRng(seed);
  const x = new Float32Array(n * time);
  const y = new Int32Array(n * time);
  for (let i = 0; i < n * time; i++) x[i] = rng.int(2);
  for (let i = 0; i < n; i++) for (let t = 0; t < time; t++) y[i * time + t] = t < delay ? -1 : x[i * time + t - delay];
  return { x: tf.tensor3d(x, [n, time, 1]), y: tf.tensor2d(y, [n, time], 'int32') };
}

const shape: RecurrentShape = { inputSize: 1, hidden: 3, outputs: 2, activation: 'tanh' };

/** Runs a teacher RNN (Alg. 5) on X̄ and returns its true stacked sums for both layers. */
function teacherSums(xBar: Matrix[], w3: Matrix, w4: Matrix): { s3: Matrix; s4: Matrix } {
  const ops = new Float64Ops();
  const run = ops.recurrence(
    ops.concatRows(xBar.map((m) => ops.constant(m.data, m.rows, m.cols))),
    ops.constant(w3.data, w3.rows, w3.cols),
    xBar.length,
    'tanh',
  );
  const nb = xBar[0].rows;
  const s4 = ops.matmul(ops.concatCols([ops.ones(xBar.length * nb), run.states]), ops.constant(w4.data, w4.rows, w4.cols));
  return { s3: run.sums.value, s4: s4.value };
}

describe('recurrent realisation (Alg. 6, eqs. 16–17)', () => {
  const nb = 20;
  const nt = 6;
  const xBar = Array.from({ length: nt }, (_, t) => randn(nb, 1, 100 + t));

  it('hybrid: W₃ is solved on the OCU-estimated context (A₂^(1) = 0, A₂^(t) = g(T₃^(t−1))), W₄ on the true rerun states', () => {
    const t3 = randn(nt * nb, 3, 1);
    const t4 = randn(nt * nb, 2, 2);
    const ops = new Float64Ops();
    const r = realiseRecurrent(
      ops,
      shape,
      xBar.map((m) => ops.constant(m.data, m.rows, m.cols)),
      ops.constant(t3.data, t3.rows, t3.cols),
      ops.constant(t4.data, t4.rows, t4.cols),
      0.1,
      'hybrid',
    );
    // Independent construction of the W₃ system: rows [1 | x_t | g(T₃^(t−1))], zeros at t = 0.
    const a3 = { rows: nt * nb, cols: 5, data: new Float64Array(nt * nb * 5) };
    for (let t = 0; t < nt; t++) {
      for (let b = 0; b < nb; b++) {
        const row = t * nb + b;
        a3.data[row * 5] = 1;
        a3.data[row * 5 + 1] = xBar[t].data[b];
        for (let j = 0; j < 3; j++) a3.data[row * 5 + 2 + j] = t === 0 ? 0 : Math.tanh(t3.data[((t - 1) * nb + b) * 3 + j]);
      }
    }
    const w3 = ridgeSolveF64(a3, t3, 0.1).w;
    expect(Math.max(...w3.data.map((v, i) => Math.abs(v - r.w3.value.data[i])))).toBeLessThan(1e-12);
    // W₄ from the true states of Alg. 5 run on X̄ with that W₃.
    const states = ops.recurrence(ops.concatRows(xBar.map((m) => ops.constant(m.data, m.rows, m.cols))), ops.constant(w3.data, 5, 3), nt, 'tanh').states.value;
    const a4 = { rows: nt * nb, cols: 4, data: new Float64Array(nt * nb * 4) };
    for (let row = 0; row < nt * nb; row++) {
      a4.data[row * 4] = 1;
      for (let j = 0; j < 3; j++) a4.data[row * 4 + 1 + j] = states.data[row * 3 + j];
    }
    const w4 = ridgeSolveF64(a4, t4, 0.1).w;
    expect(Math.max(...w4.data.map((v, i) => Math.abs(v - r.w4.value.data[i])))).toBeLessThan(1e-12);
    // Fully OCU skips the rerun: W₄ comes from g(T₃).
    const ocu = realiseRecurrent(
      ops,
      shape,
      xBar.map((m) => ops.constant(m.data, m.rows, m.cols)),
      ops.constant(t3.data, t3.rows, t3.cols),
      ops.constant(t4.data, t4.rows, t4.cols),
      0.1,
      'ocu',
    );
    const a4o = { rows: nt * nb, cols: 4, data: new Float64Array(nt * nb * 4) };
    for (let row = 0; row < nt * nb; row++) {
      a4o.data[row * 4] = 1;
      for (let j = 0; j < 3; j++) a4o.data[row * 4 + 1 + j] = Math.tanh(t3.data[row * 3 + j]);
    }
    const w4o = ridgeSolveF64(a4o, t4, 0.1).w;
    expect(Math.max(...w4o.data.map((v, i) => Math.abs(v - ocu.w4.value.data[i])))).toBeLessThan(1e-12);
  });

  it('stacking order of the time blocks does not change the solve', () => {
    const a = randn(nt * nb, 4, 3);
    const t = randn(nt * nb, 2, 4);
    const perm = (m: Matrix) => {
      const out = { rows: m.rows, cols: m.cols, data: new Float64Array(m.data.length) };
      for (let s = 0; s < nt; s++) out.data.set(m.data.subarray(s * nb * m.cols, (s + 1) * nb * m.cols), (nt - 1 - s) * nb * m.cols);
      return out;
    };
    const w1 = ridgeSolveF64(a, t, 0.1).w;
    const w2 = ridgeSolveF64(perm(a), perm(t), 0.1).w;
    expect(Math.max(...w1.data.map((v, i) => Math.abs(v - w2.data[i])))).toBeLessThan(1e-12);
  });

  it.each(['hybrid', 'ocu'] as const)('recovers a teacher RNN from its own true sums (λ → 0, %s)', (cascade) => {
    const w3 = randn(5, 3, 5, 0.7);
    const w4 = randn(4, 2, 6);
    const { s3, s4 } = teacherSums(xBar, w3, w4);
    const ops = new Float64Ops();
    const r = realiseRecurrent(
      ops,
      shape,
      xBar.map((m) => ops.constant(m.data, m.rows, m.cols)),
      ops.constant(s3.data, s3.rows, s3.cols),
      ops.constant(s4.data, s4.rows, s4.cols),
      1e-10,
      cascade,
    );
    expect(Math.max(...r.w3.value.data.map((v, i) => Math.abs(v - w3.data[i])))).toBeLessThan(1e-5);
    expect(Math.max(...r.w4.value.data.map((v, i) => Math.abs(v - w4.data[i])))).toBeLessThan(1e-5);
  });

  it.each([
    { nbar: 4, ntrain: 6 },
    { nbar: 6, ntrain: 6 },
  ])('∂L/∂T matches finite differences for every target, including T₃ at the last realisation step (n̄_t=$nbar, n_t=$ntrain)', ({ nbar, ntrain }) => {
    const nbb = 5;
    const xb = Array.from({ length: nbar }, (_, t) => randn(nbb, 1, 200 + t));
    const x = Array.from({ length: ntrain }, (_, t) => randn(4, 1, 300 + t));
    const labels = Int32Array.from({ length: ntrain * 4 }, (_, i) => ((i * 7) % 3 === 0 ? -1 : i % 2));
    const loss = (t3: Matrix, t4: Matrix, tape = new Tape()) => {
      const ops = new Float64Ops(tape);
      const [p3, p4] = [ops.variable(t3), ops.variable(t4)];
      const r = realiseRecurrent(
        ops,
        shape,
        xb.map((m) => ops.constant(m.data, m.rows, m.cols)),
        p3,
        p4,
        0.1,
        'hybrid',
      );
      const out = recurrentForward(
        ops,
        shape,
        x.map((m) => ops.constant(m.data, m.rows, m.cols)),
        r.w3,
        r.w4,
        'every-step',
      );
      return { ops, p3, p4, loss: ops.softmaxCrossEntropy(out, labels) };
    };
    const t3 = randn(nbar * nbb, 3, 7);
    const t4 = randn(nbar * nbb, 2, 8);
    const result = gradCheck((a, b) => loss(a, b).loss.scalar(), [t3, t4], {
      gradient: (a, b) => {
        const l = loss(a, b);
        return l.ops.tape.gradients(l.loss, [l.p3, l.p4]);
      },
      order: 4,
      h: 1e-4,
      tolerance: 1e-6,
    });
    expect(result.passed, String(result.maxRelativeError)).toBe(true);
    // The last realisation step's recurrent targets only act as regression targets of W₃, yet carry gradient.
    const last = result.inputs[0].analytic.slice((nbar - 1) * nbb * 3);
    expect(Math.max(...Array.from(last, Math.abs))).toBeGreaterThan(0);
  });
});

describe('TargetSpaceRnn', () => {
  it('learns delayed bit memorisation (delay 2, hidden 5, λ = 0.1, Adam 0.001) to ≥ 99% test accuracy', async () => {
    const train = bitMemory(1000, 52, 2, 1);
    const test = bitMemory(100, 52, 2, 2);
    const xBar = tf.slice(train.x, [0, 0, 0], [100, 52, 1]) as tf.Tensor3D;
    const net = new TargetSpaceRnn({ inputSize: 1, hidden: 5, outputs: 2 }, { realisationInputs: xBar, seed: 1 });
    expect(net.engine).toBe('float64');
    let best = 0;
    // The paper's success criterion: ≥ 99% at any evaluation; stop as soon as it is met.
    const stop = new AbortController();
    const onEpochEnd = (_: number, l: Record<string, number>) => {
      best = Math.max(best, l.valAccuracy!);
      if (best >= 0.99) stop.abort();
    };
    await net.fit(train.x, train.y, { epochs: 25, batchSize: 100, validationData: [test.x, test.y], signal: stop.signal, callbacks: { onEpochEnd } });
    expect(best).toBeGreaterThanOrEqual(0.99);
    tf.dispose([train.x, train.y, test.x, test.y, xBar]);
  });

  it('toLayersModel() (simpleRNN + time-distributed dense) predicts exactly like the network', async () => {
    const data = bitMemory(8, 10, 1, 3);
    const xBar = tf.slice(data.x, [0, 0, 0], [8, 10, 1]) as tf.Tensor3D;
    const net = new TargetSpaceRnn({ inputSize: 1, hidden: 4, outputs: 2 }, { realisationInputs: xBar, seed: 2 });
    await net.fit(data.x, data.y, { epochs: 3 });
    const model = net.toLayersModel();
    const ours = net.predict(data.x);
    const theirs = model.predict(data.x) as tf.Tensor;
    expect(theirs.shape).toEqual([8, 10, 2]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0])).toBeLessThan(1e-4);
    tf.dispose([ours, theirs, data.x, data.y, xBar]);
    model.dispose();
  });

  it('trains a token model with a weight-space embedding (last-step readout), and exports it', async () => {
    // Label: does token 3 occur in the sequence? Realisation inputs are fixed U[−1, 1] sequences (paper §5.4).
    const rng = createRng(4);
    const n = 200;
    const time = 8;
    const tokens = new Int32Array(n * time);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < time; t++) tokens[i * time + t] = rng.int(6);
      labels[i] = Array.from(tokens.subarray(i * time, (i + 1) * time)).includes(3) ? 1 : 0;
    }
    const x = tf.tensor2d(tokens, [n, time], 'int32');
    const y = tf.tensor1d(labels, 'int32');
    const xBar = rng.uniformTensor([40, 5, 4], { low: -1, high: 1 }) as tf.Tensor3D;
    const net = new TargetSpaceRnn(
      { inputSize: 4, hidden: 8, outputs: 2, readout: 'last-step', embedding: { vocabulary: 6 } },
      { realisationInputs: xBar, lambda: 1e-3, seed: 5, optimizer: { kind: 'adam', learningRate: 0.01 } },
    );
    const before = net.getEmbedding()!;
    const h = await net.fit(x, y, { epochs: 30, batchSize: 40, trackAccuracy: true });
    expect(h.history.accuracy!.at(-1)!).toBeGreaterThan(0.9);
    expect(net.getEmbedding()!.data).not.toEqual(before.data);
    const model = net.toLayersModel();
    const ours = net.predict(x);
    const theirs = model.predict(x) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0])).toBeLessThan(1e-4);
    tf.dispose([x, y, xBar, ours, theirs]);
    model.dispose();
  });

  it('the tfjs engine computes the same gradients as the float64 engine', () => {
    const data = bitMemory(10, 7, 1, 6);
    const xBar = tf.slice(data.x, [0, 0, 0], [10, 5, 1]) as tf.Tensor3D;
    const a = new TargetSpaceRnn({ inputSize: 1, hidden: 3, outputs: 2 }, { realisationInputs: xBar, seed: 7, engine: 'float64' });
    const b = new TargetSpaceRnn({ inputSize: 1, hidden: 3, outputs: 2 }, { realisationInputs: xBar, seed: 7, engine: 'tfjs', precision: 'float64' });
    const ga = a.lossAndGradients(data.x, data.y);
    const gb = b.lossAndGradients(data.x, data.y);
    expect(Math.abs(ga.loss - gb.loss)).toBeLessThan(1e-5);
    const scale = Math.max(...ga.gradients.flatMap((g) => Array.from(g.data, Math.abs)));
    const diff = Math.max(...ga.gradients.flatMap((g, j) => Array.from(g.data, (v, i) => Math.abs(v - gb.gradients[j].data[i]))));
    expect(diff / scale).toBeLessThan(1e-3);
    b.dispose();
    tf.dispose([data.x, data.y, xBar]);
  });

  it('resumes exactly from a checkpoint and keeps tensors flat across epochs (tfjs engine)', async () => {
    const data = bitMemory(40, 6, 1, 8);
    const xBar = tf.slice(data.x, [0, 0, 0], [20, 6, 1]) as tf.Tensor3D;
    const opts = { realisationInputs: xBar, seed: 9 };
    for (const engine of ['float64', 'tfjs'] as const) {
      const straight = new TargetSpaceRnn({ inputSize: 1, hidden: 3, outputs: 2 }, { ...opts, engine });
      await straight.fit(data.x, data.y, { epochs: 4, batchSize: 10, seed: 2 });
      const first = new TargetSpaceRnn({ inputSize: 1, hidden: 3, outputs: 2 }, { ...opts, engine });
      await first.fit(data.x, data.y, { epochs: 2, batchSize: 10, seed: 2 });
      const ckpt = decodeCheckpoint(encodeCheckpoint(await first.checkpoint())) as TargetSpaceRnnCheckpoint;
      first.dispose();
      const start = tf.memory().numTensors;
      for (let round = 0; round < 5; round++) (await TargetSpaceRnn.fromCheckpoint(ckpt)).dispose();
      await expect(TargetSpaceRnn.fromCheckpoint({ ...ckpt, realisationInputs: { ...ckpt.realisationInputs, shape: [20, 6, 2] } })).rejects.toThrow(
        /'realisationInputs\.data' must have 240 entries/,
      );
      expect(tf.memory().numTensors, engine).toBe(start);
      const resumed = await TargetSpaceRnn.fromCheckpoint(ckpt);
      await resumed.fit(data.x, data.y, { epochs: 4, initialEpoch: 2, batchSize: 10, seed: 2 });
      const d = Math.max(...resumed.getTargets().flatMap((t, j) => Array.from(t.data, (v, i) => Math.abs(v - straight.getTargets()[j].data[i]))));
      expect(d, engine).toBe(0);
      straight.dispose();
      resumed.dispose();
    }
    const tfNet = new TargetSpaceRnn({ inputSize: 1, hidden: 3, outputs: 2 }, { ...opts, engine: 'tfjs' });
    const counts: number[] = [];
    await tfNet.fit(data.x, data.y, {
      epochs: 5,
      batchSize: 20,
      trackAccuracy: true,
      callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
    });
    expect(new Set(counts.slice(1)).size).toBe(1);
    tfNet.dispose();
    tf.dispose([data.x, data.y, xBar]);
  });

  it('rejects inconsistent shapes and labels by name', async () => {
    const data = bitMemory(10, 6, 1, 10);
    const xBar = tf.slice(data.x, [0, 0, 0], [5, 6, 1]) as tf.Tensor3D;
    expect(() => new TargetSpaceRnn({ inputSize: 2, hidden: 3, outputs: 2 }, { realisationInputs: xBar })).toThrow(
      /argument 'options.realisationInputs' must have shape \[\?, \?, 2\]/,
    );
    expect(() => new TargetSpaceRnn({ inputSize: 1, hidden: 0, outputs: 2 }, { realisationInputs: xBar })).toThrow(/architecture.hidden/);
    expect(() => new TargetSpaceRnn({ inputSize: 1, hidden: 3, outputs: 2 }, { realisationInputs: xBar, cascade: 'scu' as 'hybrid' })).toThrow(
      /options.cascade/,
    );
    const net = new TargetSpaceRnn({ inputSize: 1, hidden: 3, outputs: 2 }, { realisationInputs: xBar });
    await expect(net.fit(data.x, tf.zeros([10, 5], 'int32'), { epochs: 1 })).rejects.toThrow(/argument 'y' must have shape \[n = 10, time = 6\]/);
    await expect(net.fit(data.x, tf.fill([10, 6], 2, 'int32'), { epochs: 1 })).rejects.toThrow(/must be a class index in \[0, 1\] \(or −1 to skip\)/);
    await expect(net.fit(data.x, tf.fill([10, 6], -5, 'int32'), { epochs: 1 })).rejects.toThrow(/y \(entry 0\)' must be a class index in \[0, 1\]/);
    await expect(net.fit(tf.zeros([10, 6, 2]), data.y, { epochs: 1 })).rejects.toThrow(/argument 'x'/);
    tf.dispose([data.x, data.y, xBar]);
  });
});

describe('WeightSpaceRnn (the BPTT twin)', () => {
  it('learns delay-1 memorisation, agrees across engines and keeps tensors flat', async () => {
    const train = bitMemory(400, 20, 1, 20);
    const test = bitMemory(100, 20, 1, 21);
    const twin = new WeightSpaceRnn({ inputSize: 1, hidden: 4, outputs: 2 }, { seed: 1, optimizer: { kind: 'adam', learningRate: 0.01 } });
    const h = await twin.fit(train.x, train.y, { epochs: 20, batchSize: 50, validationData: [test.x, test.y] });
    expect(h.history.valAccuracy!.at(-1)!).toBeGreaterThanOrEqual(0.99);
    const a = new WeightSpaceRnn({ inputSize: 1, hidden: 4, outputs: 2 }, { seed: 2, engine: 'float64' });
    const b = new WeightSpaceRnn({ inputSize: 1, hidden: 4, outputs: 2 }, { seed: 2, engine: 'tfjs' });
    const counts: number[] = [];
    const ha = await a.fit(train.x, train.y, { epochs: 3, batchSize: 100 });
    const hb = await b.fit(train.x, train.y, { epochs: 3, batchSize: 100, callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) } });
    ha.history.loss!.forEach((l, i) => expect(Math.abs(l - hb.history.loss![i])).toBeLessThan(1e-4));
    expect(new Set(counts.slice(1)).size).toBe(1);
    const pa = a.predict(test.x);
    expect(pa.shape).toEqual([100, 20, 2]);
    b.dispose();
    tf.dispose([train.x, train.y, test.x, test.y, pa]);
  });
});
