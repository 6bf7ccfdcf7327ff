import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, initBackend } from '@beyond-backprop/core-linalg';
import { TrainingDivergedError, denseNetwork, paperAdam } from '@beyond-backprop/training';
import {
  HEAD_NAMES,
  OutputHeadLayer,
  canonicalHead,
  createHead,
  expGA,
  fitHead,
  gradientRmsByLayer,
  outputDeltas,
  outputHead,
  pow3GA,
  predictClasses,
  softmaxCrossEntropy,
  softmaxNormalizer,
  withOutputHead,
  type HeadName,
  type OutputHead,
} from '../src/index.js';
import { blobs } from './blobs.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());

function accuracyOf(scores: tf.Tensor, labels: Int32Array): number {
  const predicted = predictClasses(scores).dataSync();
  let correct = 0;
  labels.forEach((l, i) => (correct += predicted[i] === l ? 1 : 0));
  return correct / labels.length;
}

const mlp = (seed: number, outputs = 3) => denseNetwork({ inputSize: 2, hidden: [16, 16], outputs, activation: 'relu', seed });

/** Settings per head for the blob problems: the thesis' heads with their target values. */
const HEADS: Array<{ name: HeadName; head: () => OutputHead }> = [
  { name: 'softmax-ce', head: () => softmaxCrossEntropy() },
  { name: 'exp-ga', head: () => expGA({ alpha: 0.1, targets: { neg: 0, pos: 6 } }) },
  { name: 'pow3-ga', head: () => pow3GA({ alpha: 0.001, beta: 0.4, targets: { neg: -2, pos: 10 } }) },
  { name: 'linear-mse', head: () => createHead('linear-mse') },
  { name: 'sigmoid', head: () => createHead('sigmoid') },
  { name: 'tanh', head: () => createHead('tanh') },
];

describe('drop-in use with model.compile', () => {
  it.each(HEADS)('$name: compile({ loss: head.lossFn() }) + fit for 20 epochs reaches ≥ 95% on 3-class blobs', async ({ head }) => {
    const { x, y, labels } = blobs(1);
    const model = mlp(1);
    const h = head();
    model.compile({ optimizer: paperAdam(0.02), loss: h.lossFn(), metrics: ['accuracy'] });
    const oneHot = tf.oneHot(y, 3).toFloat();
    const history = await model.fit(x, oneHot, { epochs: 20, batchSize: 16, shuffle: false, verbose: 0 });
    expect(history.history.loss.every((l) => Number.isFinite(l as number))).toBe(true);
    expect(accuracyOf(model.predict(x) as tf.Tensor, labels)).toBeGreaterThanOrEqual(0.95);
    model.dispose();
  });

  it('GA heads also train as layers: OutputHeadLayer + lossFn({ input: "outputs" })', async () => {
    const { x, y, labels } = blobs(2);
    for (const make of [HEADS[1].head, HEADS[2].head]) {
      const logits = mlp(2);
      const head = make();
      const model = withOutputHead(logits, head);
      model.compile({ optimizer: paperAdam(0.02), loss: head.lossFn({ input: 'outputs' }) });
      await model.fit(x, tf.oneHot(y, 3).toFloat(), { epochs: 20, batchSize: 16, shuffle: false, verbose: 0 });
      expect(accuracyOf(model.predict(x) as tf.Tensor, labels), head.name).toBeGreaterThanOrEqual(0.95);
      model.dispose();
    }
  });
});

describe('OutputHeadLayer', () => {
  it.each(HEAD_NAMES)('%s: save → load round-trips the head with identical predictions', async (name) => {
    const input = tf.input({ shape: [2] });
    const z = tf.layers
      .dense({ units: 4, kernelInitializer: tf.initializers.constant({ value: 0.3 }), biasInitializer: 'ones' })
      .apply(input) as tf.SymbolicTensor;
    const options = name === 'exp-ga' ? { alpha: 0.5, maxLogit: Infinity } : name === 'pow3-ga' ? { alpha: 0.002, beta: 0.4 } : {};
    const out = new OutputHeadLayer({ head: name, ...options, name: 'head' }).apply(z) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    expect(JSON.stringify(artifacts!.modelTopology)).toContain('BeyondBackpropOutputHead');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const layer = loaded.getLayer('head') as OutputHeadLayer;
    expect(layer).toBeInstanceOf(OutputHeadLayer);
    expect(layer.head.name).toBe(name);
    if (name === 'exp-ga') expect(layer.head.params).toMatchObject({ alpha: 0.5, maxLogit: Infinity });
    if (name === 'pow3-ga') expect(layer.head.params).toMatchObject({ alpha: 0.002, beta: 0.4 });
    const x = tf.tensor2d([
      [0.1, -0.3],
      [2, 1],
      [-3, 0.5],
    ]);
    const expected = values(createHead(name, options).output(tf.add(tf.matMul(x, tf.fill([2, 4], 0.3)), 1)));
    const p1 = values(model.predict(x) as tf.Tensor);
    expect(values(loaded.predict(x) as tf.Tensor)).toEqual(p1);
    p1.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    model.dispose();
    loaded.dispose();
  });

  it.each(HEAD_NAMES)('%s: the canonical (straight-through) backward with the outputs loss gives the logits’ closed-form gradient', (name) => {
    const head = createHead(name, name === 'exp-ga' ? { targets: { neg: 0, pos: 6 } } : {});
    const layer = outputHead(head);
    const z = tf.tensor2d([
      [0.3, -1.2, 2.1],
      [1.5, 0.2, -0.7],
    ]);
    const y = tf.tensor2d([
      [0, 1, 0],
      [0, 0, 1],
    ]);
    const viaLayer = tf.valueAndGrad((zz: tf.Tensor) => head.lossFn({ input: 'outputs' })(y, layer.apply(zz) as tf.Tensor))(z);
    const closed = values(head.grad(y, z));
    values(viaLayer.grad).forEach((g, i) => expect(g).toBeCloseTo(closed[i], 5));
    // Loss values computed from the outputs agree with those from the logits away from saturation.
    expect(viaLayer.value.dataSync()[0]).toBeCloseTo(head.loss(y, z).dataSync()[0], 4);
  });

  it('takes the usual layer arguments: as the first layer of a sequential model, it saves and loads too', async () => {
    const model = tf.sequential({ layers: [new OutputHeadLayer({ head: 'pow3-ga', beta: 0.4, inputShape: [3], name: 'cubic' })] });
    const x = tf.tensor2d([[1, -2, 10]]);
    expect(values(model.predict(x) as tf.Tensor)).toEqual(values(pow3GA({ beta: 0.4 }).output(x)));
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(loaded.getLayer('cubic')).toBeInstanceOf(OutputHeadLayer);
    expect(values(loaded.predict(x) as tf.Tensor)).toEqual(values(model.predict(x) as tf.Tensor));
  });

  it('with backward "exact" is an ordinary activation: softmax head + categorical cross-entropy', () => {
    const layer = outputHead('softmax-ce', { backward: 'exact' });
    const z = tf.tensor2d([[0.3, -1.2, 2.1]]);
    const y = tf.tensor2d([[0, 1, 0]]);
    const gExact = tf.grad((zz: tf.Tensor) => tf.sum(tf.mul(y, tf.neg(tf.log(layer.apply(zz) as tf.Tensor)))))(z);
    values(gExact).forEach((v, i) => expect(v).toBeCloseTo(values(softmaxCrossEntropy().grad(y, z, { reduction: 'sum' }))[i], 5));
  });

  it('withOutputHead shares the weights of the logits model; custom heads and bad names are refused', () => {
    const logits = mlp(3);
    const served = withOutputHead(logits, expGA({ alpha: 0.2 }));
    const x = tf.tensor2d([
      [0.5, 1],
      [-1, 2],
    ]);
    expect(values(served.predict(x) as tf.Tensor)).toEqual(values(expGA({ alpha: 0.2 }).output(logits.predict(x) as tf.Tensor)));
    expect(served.trainableWeights.length).toBe(logits.trainableWeights.length);
    expect(() => outputHead(canonicalHead((v) => v))).toThrow(InvalidArgumentError);
    expect(() => new OutputHeadLayer({ head: 'cubic' as HeadName })).toThrow(/argument 'args.head' must be one of/);
    logits.dispose();
  });
});

describe('fitHead', () => {
  it.each(HEADS.slice(0, 3))('$name solves 3-class blobs through the shared fit loop', async ({ head }) => {
    const { x, y } = blobs(3);
    const model = mlp(3);
    const history = await fitHead(model, x, y, head(), { epochs: 30, batchSize: 16, seed: 1, optimizer: paperAdam(0.02), trackAccuracy: true });
    expect(history.history.accuracy!.at(-1)).toBeGreaterThanOrEqual(0.95);
    expect(history.history.loss!.at(-1)).toBeLessThan(history.history.loss![0]);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat across epochs, for both routes and with validation', async () => {
    const { x, y } = blobs(4);
    for (const path of ['autodiff', 'manual'] as const) {
      const model = mlp(4);
      const counts: number[] = [];
      await fitHead(model, x, y, expGA(), {
        epochs: 6,
        batchSize: 32,
        loss: { path },
        trackAccuracy: true,
        validationData: [x, y],
        callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
      });
      expect(new Set(counts.slice(1)).size, `${path}: ${counts.join(', ')}`).toBe(1);
      model.dispose();
    }
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const { x, y } = blobs(5);
    const run = async (seed: number) => {
      const model = mlp(7);
      const history = await fitHead(model, x, y, pow3GA(), { epochs: 3, batchSize: 20, seed, optimizer: paperAdam(0.01) });
      const w = values(model.getWeights()[0]);
      model.dispose();
      return { losses: history.history.loss, w };
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect((await run(2)).losses).not.toEqual(a.losses);
  });

  it('leaves rows labelled -1 out: the same updates as training without them', async () => {
    const { x, labels } = blobs(6, 10);
    const masked = Int32Array.from(labels, (l, i) => (i % 4 === 0 ? -1 : l));
    const keep = Array.from(labels.keys()).filter((i) => i % 4 !== 0);
    const train = async (xs: tf.Tensor, ys: Int32Array) => {
      const model = mlp(8);
      await fitHead(model, xs, tf.tensor1d(ys, 'int32'), expGA(), { epochs: 4, optimizer: tf.train.sgd(0.1) });
      const w = model.getWeights().map(values);
      model.dispose();
      return w;
    };
    const withMask = await train(x, masked);
    const without = await train(
      tf.gather(x, keep),
      Int32Array.from(keep, (i) => labels[i]),
    );
    withMask.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(without[i][j], 5)));
  });

  it('raises TrainingDivergedError on an overflowing loss without applying the update', async () => {
    const x = tf.tensor2d([[100, 100]]);
    const model = denseNetwork({ inputSize: 2, hidden: [], outputs: 2, seed: 1 });
    model.setWeights([tf.fill([2, 2], 1), tf.zeros([2])]);
    const before = model.getWeights().map(values);
    await expect(fitHead(model, x, tf.tensor1d([0], 'int32'), expGA({ maxLogit: Infinity }), { epochs: 2 })).rejects.toThrow(TrainingDivergedError);
    expect(model.getWeights().map(values)).toEqual(before);
  });

  it('checks its inputs by name', async () => {
    const { x, y } = blobs(7, 4);
    const model = mlp(9);
    await expect(fitHead(model, x, tf.tensor1d([0, 1], 'int32'), expGA(), { epochs: 1 })).rejects.toThrow(ShapeError);
    await expect(fitHead(model, x, tf.fill([12], 5, 'int32'), expGA(), { epochs: 1 })).rejects.toThrow(/fitHead: argument 'y\[0\]' must lie in \[0, 2\]/);
    await expect(fitHead(model, x, y, 'exp-ga' as never, { epochs: 1 })).rejects.toThrow(/argument 'head'/);
    await expect(fitHead(model, x, y, expGA(), { epochs: 0 })).rejects.toThrow(/argument 'options.epochs'/);
    model.dispose();
  });
});

describe('instrumentation', () => {
  it('output deltas: softmax in [−1, 1]; exp-GA with {0, 6} near −6 at the labelled class at initialisation', () => {
    const { x, y } = blobs(8);
    const model = mlp(10);
    const z = model.predict(x) as tf.Tensor;
    const soft = values(outputDeltas(softmaxCrossEntropy(), y, z));
    expect(Math.min(...soft)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...soft)).toBeLessThanOrEqual(1);
    const exp = outputDeltas(expGA({ targets: { neg: 0, pos: 6 } }), y, z);
    const positive = values(tf.sum(tf.mul(exp, tf.oneHot(y, 3)), 1));
    for (const d of positive) expect(Math.abs(d + 6)).toBeLessThan(0.5);
    model.dispose();
  });

  it('gradient RMS per weight tensor is finite, and amplified by exp-GA relative to softmax (Fig. 4.3)', () => {
    const { x, y } = blobs(9);
    const model = mlp(11);
    const soft = gradientRmsByLayer(model, softmaxCrossEntropy().lossFn(), x, y);
    const exp = gradientRmsByLayer(model, expGA({ targets: { neg: 0, pos: 6 } }).lossFn(), x, y);
    expect(soft.map((r) => r.name)).toEqual(model.trainableWeights.map((w) => w.originalName));
    expect(soft.every((r) => Number.isFinite(r.rms) && r.rms > 0)).toBe(true);
    exp.forEach((r, i) => expect(r.rms).toBeGreaterThan(soft[i].rms));
    const w = tf.variable(tf.tensor1d([1, -2]));
    const [only, ...rest] = gradientRmsByLayer([w], () => tf.sum(tf.square(w)));
    expect(rest).toEqual([]);
    expect(only!.name).toBe(w.name);
    expect(only!.rms).toBeCloseTo(Math.sqrt((4 + 16) / 2), 5);
    model.dispose();
  });

  it('the softmax normaliser is exp(logsumexp(Z)) per row', () => {
    const z = tf.tensor2d([
      [0, 1, 2],
      [5, -3, 0.5],
    ]);
    const expected = [
      [0, 1, 2],
      [5, -3, 0.5],
    ].map((r) => r.reduce((s, v) => s + Math.exp(v), 0));
    values(softmaxNormalizer(z)).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
    expect(() => softmaxNormalizer(tf.tensor1d([1]))).toThrow(ShapeError);
  });
});
