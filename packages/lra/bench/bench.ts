/**
 * lra benchmarks. One JSON object per line:
 *
 * - `mlp-equal-epochs`: rec-LRA against backprop on the same MLP, from the same initial weights (backprop trains the
 *   rec-LRA network's own `toLayersModel()` export with `fitBackprop`), the same batches, optimiser (Adam) and epochs.
 *   Reports test accuracy after each epoch, ms per epoch, and the time ratio rec-LRA ÷ backprop. Problems: two moons
 *   (2-16-16-2 tanh, Adam 0.01, σ = 0.5), MNIST and Fashion-MNIST (784-256-256-256-10 tanh, Adam 2e-4, batch 32,
 *   σ = 0.05; first BENCH_TRAIN training images, all 10 000 test) and the 8 × 256 sigmoid / tanh networks of P2 Fig. 4.
 * - `step-memory`: peak tensor bytes (above what is alive before) of computing one batch's updates — rec-LRA's
 *   `computeUpdates` against backprop's `tf.variableGrads` — and of the whole step with Adam, on the same MLP and batch,
 *   and the ratios rec-LRA ÷ backprop.
 * - `rnn-step`: ms per iteration and peak step memory of the LRA RNN (K = 1 and 10, λ = 0.1) and its BPTT twin on
 *   temporal order at T = 10 and 30, batch 20, 100 hidden units.
 *
 * Run: `pnpm --filter @beyond-backprop/lra bench` (BENCH_TRAIN, default 10000; BENCH_EPOCHS, default 3; BENCH_ONLY
 * to run one kind).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { selectExamples, temporalOrder, toTensors, twoMoons, type Dataset } from '@beyond-backprop/datasets';
import { loadFashionMnist, loadMnist } from '@beyond-backprop/datasets/node';
import { accuracy, fitBackprop, paperAdam } from '@beyond-backprop/training';
import { BpttRnn, LraRnn, RecLraNetwork, disposeUpdates, measureStepMemory, type ActivationName, type ElmanRnn } from '../src/index.js';

const info = await initBackend({ log: false });
const TRAIN = Number(process.env.BENCH_TRAIN ?? 10_000);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 3);
const ONLY = process.env.BENCH_ONLY;
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ backend: info.name, ...o }));
const round = (v: number, d = 4) => Number(v.toFixed(d));

type Tensors = { x: tf.Tensor2D; y: tf.Tensor1D };
interface Problem {
  name: string;
  train: Tensors;
  test: Tensors;
  hidden: number[];
  activation: ActivationName;
  learningRate: number;
  sigmaW: number;
  batchSize: number;
  epochs: number;
}

function tensors(data: Dataset<Int32Array>, train: number): { train: Tensors; test: Tensors } {
  const n = Math.min(train, data.train.xShape[0]);
  const sub = selectExamples(
    data.train,
    Int32Array.from({ length: n }, (_, i) => i),
  );
  return { train: toTensors(sub) as Tensors, test: toTensors(data.test) as Tensors };
}

function images(set: 'mnist' | 'fashion'): Dataset<Int32Array> | null {
  const debian = '/usr/share/datasets/fashion-mnist';
  try {
    const resolveFrom = fileURLToPath(import.meta.url);
    if (set === 'mnist') return loadMnist({ flatten: true, resolveFrom });
    return loadFashionMnist({ flatten: true, resolveFrom, ...(existsSync(debian) && process.env.BBP_DATA_DIR === undefined ? { dir: debian } : {}) });
  } catch (error) {
    emit({ kind: 'skipped', set, reason: (error as Error).message });
    return null;
  }
}

async function equalEpochs(p: Problem): Promise<void> {
  const inputs = p.train.x.shape[1];
  const outputs = 10 - (p.name === 'two-moons' ? 8 : 0);
  const net = new RecLraNetwork({
    layerSizes: [inputs, ...p.hidden, outputs],
    hiddenActivation: p.activation,
    learningRate: p.learningRate,
    init: { sigmaW: p.sigmaW },
    seed: 1,
  });
  const model = net.toLayersModel(`bp_${p.name.replace(/\W/g, '_')}`);
  const testAcc = { lra: [] as number[], backprop: [] as number[] };
  const lra = await net.fit(p.train.x, p.train.y, {
    epochs: p.epochs,
    batchSize: p.batchSize,
    seed: 1,
    callbacks: { onEpochEnd: () => void testAcc.lra.push(round(tf.tidy(() => accuracy(net.predict(p.test.x), p.test.y)))) },
  });
  const optimizer = paperAdam(p.learningRate);
  const bp = await fitBackprop(model, p.train.x, p.train.y, {
    epochs: p.epochs,
    batchSize: p.batchSize,
    seed: 1,
    optimizer,
    // The export ends in a softmax; the loss wants logits, so score log-probabilities (same argmax, same CE).
    loss: (y, out) => tf.losses.softmaxCrossEntropy(tf.oneHot(y as tf.Tensor1D, outputs), tf.log(tf.maximum(out, 1e-30))) as tf.Scalar,
    callbacks: { onEpochEnd: () => void testAcc.backprop.push(round(tf.tidy(() => accuracy(model.predict(p.test.x) as tf.Tensor, p.test.y)))) },
  });
  const msEpochLra = (lra.msPerIteration * lra.iterations) / p.epochs;
  const msEpochBp = (bp.msPerIteration * bp.iterations) / p.epochs;
  emit({
    kind: 'mlp-equal-epochs',
    problem: p.name,
    layers: [inputs, ...p.hidden, outputs].join('-'),
    activation: p.activation,
    trainSize: p.train.x.shape[0],
    epochs: p.epochs,
    batchSize: p.batchSize,
    learningRate: p.learningRate,
    testAccuracy: { recLra: testAcc.lra, backprop: testAcc.backprop },
    msPerEpoch: { recLra: round(msEpochLra, 1), backprop: round(msEpochBp, 1) },
    timeRatio: round(msEpochLra / msEpochBp, 3),
  });
  net.dispose();
  model.dispose();
  optimizer.dispose();
}

async function stepMemory(name: string, sizes: number[], activation: ActivationName, batch: number, x: tf.Tensor2D, y: tf.Tensor1D): Promise<void> {
  const rows = Math.min(batch, x.shape[0]);
  const xb = x.slice(0, rows) as tf.Tensor2D;
  const yb = y.slice(0, rows) as tf.Tensor1D;
  const net = new RecLraNetwork({ layerSizes: sizes, hiddenActivation: activation, learningRate: 1e-4, seed: 1 });
  const model = net.toLayersModel(`mem_${name.replace(/\W/g, '_')}_${batch}`);
  const optimizer = paperAdam(1e-4);
  const bpGrads = () =>
    tf.variableGrads(
      () =>
        tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(yb, sizes.at(-1)!), tf.log(tf.maximum(model.apply(xb) as tf.Tensor, 1e-30))), 1)))) as tf.Scalar,
    );
  const bpStep = () => {
    const { value, grads } = bpGrads();
    optimizer.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
  };
  // Warm up once each so optimiser slots exist before measuring.
  net.trainStep(xb, yb);
  bpStep();
  // Updates only (the part the learning rule decides) and the whole step with Adam (whose per-variable temporaries
  // are the same for both methods and dominate at small batches).
  const lraUpdates = measureStepMemory(() => disposeUpdates(net.computeUpdates(xb, yb)));
  const bpUpdates = measureStepMemory(() => {
    const { value, grads } = bpGrads();
    tf.dispose([value, ...Object.values(grads)]);
  });
  const lraStep = measureStepMemory(() => net.trainStep(xb, yb));
  const bpWhole = measureStepMemory(bpStep);
  emit({
    kind: 'step-memory',
    problem: name,
    layers: sizes.join('-'),
    batch: rows,
    updatePeakBytes: { recLra: lraUpdates.stepPeakBytes, backprop: bpUpdates.stepPeakBytes },
    updateRatio: round(lraUpdates.stepPeakBytes / bpUpdates.stepPeakBytes, 3),
    stepPeakBytes: { recLra: lraStep.stepPeakBytes, backprop: bpWhole.stepPeakBytes },
    stepRatio: round(lraStep.stepPeakBytes / bpWhole.stepPeakBytes, 3),
    leakedTensors: { recLra: lraStep.leakedTensors + lraUpdates.leakedTensors, backprop: bpWhole.leakedTensors + bpUpdates.leakedTensors },
  });
  net.dispose();
  model.dispose();
  optimizer.dispose();
  tf.dispose([xb, yb]);
}

async function rnnStep(): Promise<void> {
  for (const length of [10, 30]) {
    const data = temporalOrder({ length, trainSize: 400, testSize: 1, seed: 1 });
    const { x, y } = toTensors(data.train) as { x: tf.Tensor3D; y: tf.Tensor1D };
    const xb = x.slice(0, 20) as tf.Tensor3D;
    const yb = y.slice(0, 20) as tf.Tensor1D;
    const makers: Array<[string, () => ElmanRnn]> = [
      ['lra-rnn K=1', () => new LraRnn({ inputSize: 6, outputs: 4, K: 1, lambdaReg: 0.1, seed: 1 })],
      ['lra-rnn K=10', () => new LraRnn({ inputSize: 6, outputs: 4, K: 10, lambdaReg: 0.1, seed: 1 })],
      ['bptt', () => new BpttRnn({ inputSize: 6, outputs: 4, seed: 1 })],
    ];
    const rows: Record<string, { msPerIteration: number; peakStepBytes: number }> = {};
    for (const [name, make] of makers) {
      const rnn = make();
      const history = await rnn.fit(x, y, { epochs: 1, batchSize: 20, seed: 1 });
      const memory = measureStepMemory(() => rnn.trainStep(xb, yb));
      rows[name] = { msPerIteration: round(history.msPerIteration, 2), peakStepBytes: memory.stepPeakBytes };
      rnn.dispose();
    }
    emit({
      kind: 'rnn-step',
      task: 'temporal-order',
      length,
      batch: 20,
      hidden: 100,
      ...rows,
      timeRatioK1: round(rows['lra-rnn K=1'].msPerIteration / rows.bptt!.msPerIteration, 2),
      memoryRatioK1: round(rows['lra-rnn K=1'].peakStepBytes / rows.bptt!.peakStepBytes, 3),
    });
    tf.dispose([x, y, xb, yb]);
  }
}

const run = (kind: string) => ONLY === undefined || ONLY === kind;

if (run('mlp-equal-epochs') || run('step-memory')) {
  const moons = tensors(twoMoons({ seed: 1 }), 1000);
  if (run('mlp-equal-epochs'))
    await equalEpochs({ name: 'two-moons', ...moons, hidden: [16, 16], activation: 'tanh', learningRate: 0.01, sigmaW: 0.5, batchSize: 32, epochs: 20 });
  tf.dispose([moons.train.x, moons.train.y, moons.test.x, moons.test.y]);
  for (const set of ['mnist', 'fashion'] as const) {
    const data = images(set);
    if (!data) continue;
    const { train, test } = tensors(data, TRAIN);
    if (run('mlp-equal-epochs')) {
      await equalEpochs({
        name: `${set} tanh MLP`,
        train,
        test,
        hidden: [256, 256, 256],
        activation: 'tanh',
        learningRate: 2e-4,
        sigmaW: 0.05,
        batchSize: 32,
        epochs: EPOCHS,
      });
      for (const activation of ['sigmoid', 'tanh'] as const) {
        await equalEpochs({
          name: `${set} 8x256 ${activation}`,
          train,
          test,
          hidden: Array.from({ length: 8 }, () => 256),
          activation,
          learningRate: 2e-4,
          sigmaW: 0.05,
          batchSize: 32,
          epochs: EPOCHS,
        });
      }
    }
    if (run('step-memory') && set === 'mnist') {
      for (const batch of [32, 256, 2048]) {
        await stepMemory('mnist tanh MLP', [784, 256, 256, 256, 10], 'tanh', batch, train.x, train.y);
        await stepMemory('mnist 8x256 sigmoid', [784, ...Array.from({ length: 8 }, () => 256), 10], 'sigmoid', batch, train.x, train.y);
      }
    }
    tf.dispose([train.x, train.y, test.x, test.y]);
  }
}
if (run('rnn-step')) await rnnStep();
