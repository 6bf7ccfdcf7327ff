import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, ShapeError, initBackend, type Matrix } from '@beyond-backprop/core-linalg';
import { twoSpirals } from '@beyond-backprop/datasets';
import { fitBackprop, paperAdam } from '@beyond-backprop/training';
import { fitPlatonic, type PlatonicConfig } from '../src/index.js';
import { accuracy, blobs, relErr, sine, spirals } from './problems.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const toTensor = (m: Matrix) => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
const asMatrix = (t: tf.Tensor): Matrix => ({ rows: t.shape[0]!, cols: t.shape[1]!, data: Float64Array.from(t.dataSync()) });

describe('export to a standard tf.LayersModel', () => {
  // Ridge keeps the weights moderate, so the float32 export is faithful.
  const config: PlatonicConfig = { hiddenWidths: [24, 16], activation: 'tanh', alpha: 1, beta: 2, solver: { kind: 'ridge', lambda: 1e-3 } };

  it('predicts what the float64 forward pass predicts, for targets and for class scores', async () => {
    const { x, labels } = spirals(400, 3);
    const model = await fitPlatonic(x, labels, config, { seed: 2 });
    const xt = toTensor(x);
    const targets = model.toLayersModel();
    const out = targets.predict(xt) as tf.Tensor;
    expect(out.shape).toEqual([400, 1]);
    expect(relErr(asMatrix(out), model.predictMatrix(x))).toBeLessThan(1e-4);
    const scoresModel = model.toLayersModel({ output: 'classScores', name: 'scores' });
    const scores = scoresModel.predict(xt) as tf.Tensor;
    expect(scores.shape).toEqual([400, 2]);
    expect(relErr(asMatrix(scores), model.classScores(x))).toBeLessThan(1e-4);
    const predicted = tf.tidy(() => tf.argMax(scores, 1).dataSync() as Int32Array);
    expect(accuracy(predicted, model.predictClasses(x))).toBeGreaterThan(0.995);
    // predict() on a tensor is the host forward pass, returned as float32.
    const hostOut = model.predict(xt);
    expect(relErr(asMatrix(hostOut), model.predictMatrix(x))).toBeLessThan(1e-6);
    tf.dispose([xt, out, scores, hostOut]);
    targets.dispose();
    scoresModel.dispose();
  });

  it('round-trips through model.save() and tf.loadLayersModel', async () => {
    const { x, y } = sine(300);
    const model = await fitPlatonic(x, y, { hiddenWidths: [16, 16], activation: 'elu' }, { seed: 1 });
    const exported = model.toLayersModel();
    let artifacts: tf.io.ModelArtifacts | null = null;
    await exported.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(artifacts).not.toBeNull();
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const xt = toTensor(x);
    const a = exported.predict(xt) as tf.Tensor;
    const b = loaded.predict(xt) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Dense', 'Activation', 'Dense', 'Activation', 'Dense']);
    tf.dispose([xt, a, b]);
    exported.dispose();
    loaded.dispose();
  });

  it('can be fine-tuned by backprop from the closed-form start (the hybrid of §7.10.3), without leaking tensors', async () => {
    const { x, labels } = spirals(400, 6);
    const model = await fitPlatonic(x, labels, { ...config, hiddenWidths: [16, 16] }, { seed: 5 });
    const tfModel = model.toLayersModel({ output: 'classScores' });
    const xt = toTensor(x);
    const yt = tf.tensor1d(labels, 'int32');
    const before = tf.memory().numTensors;
    const history = await fitBackprop(tfModel, xt, yt, { epochs: 30, optimizer: paperAdam(1e-3), loss: 'softmaxCrossEntropy', seed: 1 });
    const loss = history.history.loss!;
    expect(loss.at(-1)!).toBeLessThan(loss[0]);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 2 * tfModel.trainableWeights.length + 2);
    tf.dispose([xt, yt]);
    tfModel.dispose();
  });
});

describe('fine-tuning an ill-conditioned closed-form fit', () => {
  it('fine-tuning only the readout keeps train and test accuracy of a small-λ ridge fit and lowers its loss; every layer at the same lr ruins it', async () => {
    // The guide's fine-tune setting (2-128-128-128-2 tanh, ridge λ = 1e-6, α = 0.1, β = 10, Adam 1e-4): the hidden weights
    // reach |W| ~ 1e3 and the outputs rest on their cancellations.
    const { train, test } = twoSpirals();
    const x = { rows: 194, cols: 2, data: Float64Array.from(train.x) };
    const model = await fitPlatonic(
      x,
      train.y,
      { hiddenWidths: [128, 128, 128], activation: 'tanh', alpha: 0.1, beta: 10, solver: { kind: 'ridge', lambda: 1e-6 } },
      { seed: 0 },
    );
    const xt = tf.tensor2d(train.x, [194, 2]);
    const yt = tf.tensor1d(train.y, 'int32');
    const xs = tf.tensor2d(test.x, [194, 2]);
    const classesOf = (m: tf.LayersModel, input: tf.Tensor) => tf.tidy(() => tf.argMax(m.predict(input) as tf.Tensor, 1).dataSync() as Int32Array);
    const tune = async (trainable: 'readout' | 'all') => {
      const tfModel = model.toLayersModel({ output: 'classScores', trainable });
      const before = { train: accuracy(classesOf(tfModel, xt), train.y), test: accuracy(classesOf(tfModel, xs), test.y) };
      const hidden = tfModel.layers.filter((l) => l.name.includes('hidden')).map((l) => Array.from(l.getWeights()[0].dataSync()));
      const history = await fitBackprop(tfModel, xt, yt, { epochs: 100, batchSize: 194, optimizer: paperAdam(1e-4), loss: 'softmaxCrossEntropy', seed: 1 });
      const after = { train: accuracy(classesOf(tfModel, xt), train.y), test: accuracy(classesOf(tfModel, xs), test.y) };
      const hiddenAfter = tfModel.layers.filter((l) => l.name.includes('hidden')).map((l) => Array.from(l.getWeights()[0].dataSync()));
      tfModel.dispose();
      return { before, after, loss: history.history.loss!, hiddenKept: JSON.stringify(hidden) === JSON.stringify(hiddenAfter) };
    };
    const readout = await tune('readout');
    expect(readout.before.train).toBe(1);
    expect(readout.after.train).toBeGreaterThanOrEqual(readout.before.train - 1 / 194);
    expect(readout.after.test).toBeGreaterThanOrEqual(readout.before.test);
    expect(readout.loss.at(-1)!).toBeLessThan(readout.loss[0]);
    expect(readout.hiddenKept).toBe(true);
    const all = await tune('all');
    expect(all.after.train).toBeLessThan(0.75);
    expect(() => model.toLayersModel({ trainable: 'hidden' as 'all' })).toThrow(InvalidArgumentError);
    tf.dispose([xt, yt, xs]);
  });
});

describe('inputs as tensors and other precisions', () => {
  it('accepts float32 tensors with int32 labels and float targets of shape [m] or [m, k]', async () => {
    const { train } = twoSpirals();
    const x = tf.tensor2d(train.x, [194, 2]);
    const y = tf.tensor1d(train.y, 'int32');
    const cfg: PlatonicConfig = { hiddenWidths: [96, 96, 96], activation: 'tanh', alpha: 0.1, beta: 10 };
    const fromTensors = await fitPlatonic(x, y, cfg, { seed: 0 });
    const xm = { rows: 194, cols: 2, data: Float64Array.from(train.x) };
    const fromArrays = await fitPlatonic(xm, train.y, cfg, { seed: 0 });
    expect(fromTensors.readout.data).toEqual(fromArrays.readout.data);
    expect(accuracy(fromTensors.predictClasses(x), train.y)).toBe(1);
    const targets = tf.tensor1d(Float32Array.from(train.y, (l) => 2 * l - 1));
    const regression = await fitPlatonic(x, targets, { hiddenWidths: [8] }, { seed: 0 });
    expect(regression.outputSize).toBe(1);
    expect(regression.classes).toBeNull();
    tf.dispose([x, y, targets]);
  });

  it('mixed precision (tfjs float32 products, float64 factorisations) agrees with float64 and leaks no tensors', async () => {
    const { x, labels } = blobs(100, 4, 10, 1, 2);
    const cfg: PlatonicConfig = { hiddenWidths: [32, 32], activation: 'relu', beta: 5, solver: { kind: 'ridge', lambda: 1 } };
    const before = tf.memory().numTensors;
    const mixed = await fitPlatonic(x, labels, { ...cfg, precision: 'mixed' }, { seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const exact = await fitPlatonic(x, labels, cfg, { seed: 3 });
    expect(relErr(mixed.weights[1], exact.weights[1])).toBeLessThan(1e-3);
    expect(relErr(mixed.predictMatrix(x), exact.predictMatrix(x))).toBeLessThan(1e-3);
    expect(mixed.diagnostics.warnings).toEqual([]);
    const noCutoff = await fitPlatonic(x, labels, { ...cfg, precision: 'mixed', solver: { kind: 'pinv' } }, { seed: 3 });
    expect(noCutoff.diagnostics.warnings.join()).toMatch(/use the ridge solver or a pinv atol/);
  });

  it('float32 mode computes in float32 and, like torch on CPU, fails on a nearly singular ridge system', async () => {
    const { x, labels } = spirals(500, 2);
    const model = await fitPlatonic(x, labels, { hiddenWidths: [32, 32], activation: 'tanh', precision: 'float32' }, { seed: 1 });
    for (const w of [...model.weights, model.readout]) expect(w.data.every((v) => Math.fround(v) === v)).toBe(true);
    await expect(
      fitPlatonic(
        x,
        labels,
        { hiddenWidths: [64, 64], activation: 'tanh', alpha: 0.1, beta: 10, precision: 'float32', solver: { kind: 'ridge', lambda: 1e-12 } },
        { seed: 1 },
      ),
    ).rejects.toBeInstanceOf(NotPositiveDefiniteError);
  });
});

describe('progress, abort and errors', () => {
  const { x, labels } = spirals(200, 1);

  it('reports each try and layer through the callbacks, in order', async () => {
    const events: string[] = [];
    await fitPlatonic(
      x,
      labels,
      { hiddenWidths: [5, 5], projection: { kind: 'gaussian', nTries: 2 } },
      {
        callbacks: {
          onTrainBegin: (info) => void events.push(`begin ${info.layers} ${info.examples}`),
          onTryEnd: (layer, t, logs) => void events.push(`try ${layer}.${t} ${Number.isFinite(logs.lsd)}`),
          onLayerEnd: (layer, logs) => void events.push(`layer ${layer} ${logs.width}`),
          onTrainEnd: (model) => void events.push(`end ${model.weights.length}`),
        },
      },
    );
    expect(events).toEqual(['begin 2 200', 'try 0.0 true', 'try 0.1 true', 'layer 0 5', 'try 1.0 true', 'try 1.1 true', 'layer 1 5', 'end 2']);
  });

  it('still calls the deprecated onFitBegin / onFitEnd, after onTrainBegin / onTrainEnd', async () => {
    const events: string[] = [];
    await fitPlatonic(
      x,
      labels,
      { hiddenWidths: [3] },
      {
        callbacks: {
          onTrainBegin: () => void events.push('train begin'),
          onFitBegin: (info) => void events.push(`fit begin ${info.layers}`),
          onTrainEnd: () => void events.push('train end'),
          onFitEnd: (model) => void events.push(`fit end ${model.weights.length}`),
        },
      },
    );
    expect(events).toEqual(['train begin', 'fit begin 1', 'train end', 'fit end 1']);
  });

  it('stops adding layers when aborted and fits the readout on the last completed layer', async () => {
    const controller = new AbortController();
    const model = await fitPlatonic(
      x,
      labels,
      { hiddenWidths: [10, 10, 10] },
      { signal: controller.signal, callbacks: { onLayerEnd: () => controller.abort() } },
    );
    expect(model.diagnostics.stopReason).toBe('aborted');
    expect(model.weights).toHaveLength(1);
    expect([model.readout.rows, model.readout.cols]).toEqual([11, 1]);
    expect(model.predictClasses(x)).toHaveLength(200);
  });

  it('rejects inconsistent shapes and widths with ShapeError naming the argument', async () => {
    const err = async (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (e: unknown) => e,
      );
    const rows = await err(fitPlatonic(x, labels.slice(0, 150), { hiddenWidths: [4] }));
    expect(rows).toBeInstanceOf(ShapeError);
    expect(String(rows)).toMatch(/fitPlatonic: argument 'y' must have shape \[200\], got \[150\]/);
    const targets = { rows: 199, cols: 1, data: new Float64Array(199) };
    expect(String(await err(fitPlatonic(x, targets, { hiddenWidths: [4] })))).toMatch(/argument 'y' must have shape \[200, 1\], got \[199, 1\]/);
    const acts = await err(fitPlatonic(x, labels, { hiddenWidths: [4, 4, 4], activation: ['tanh', 'relu'] }));
    expect(acts).toBeInstanceOf(ShapeError);
    expect(String(acts)).toMatch(/'config.activation' must have shape \[3\], got \[2\] \(one activation per hidden layer/);
    const pca = await err(fitPlatonic(x, labels, { hiddenWidths: [4, 9], projection: { kind: 'platonicPCA' } }));
    expect(pca).toBeInstanceOf(ShapeError);
    expect(String(pca)).toMatch(/'config.hiddenWidths\[1\]' must have shape \[≤ 6\], got \[9\]/);
    const model = await fitPlatonic(x, labels, { hiddenWidths: [4] });
    expect(() => model.predictMatrix({ rows: 3, cols: 3, data: new Float64Array(9) })).toThrow(
      /PlatonicModel.forward: argument 'x' must have shape \[n, 2\], got \[3, 3\]/,
    );
    const wrong = tf.zeros([3, 5]);
    expect(() => model.predict(wrong)).toThrow(ShapeError);
    wrong.dispose();
  });

  it('rejects bad hyperparameters with InvalidArgumentError naming the option', async () => {
    const cases: Array<[PlatonicConfig, RegExp]> = [
      [{ hiddenWidths: [4, 0] }, /'config.hiddenWidths\[1\]' must be an integer ≥ 1/],
      [{ hiddenWidths: [4], alpha: 0 }, /'config.alpha' must be a finite number > 0/],
      [{ hiddenWidths: [4], beta: Number.NaN }, /'config.beta'/],
      [{ hiddenWidths: [4], projection: { kind: 'gaussian', nTries: 0 } }, /'config.projection.nTries' must be an integer ≥ 1/],
      [{ hiddenWidths: [4], solver: { kind: 'ridge', lambda: 0 } }, /'config.solver.lambda' must be a finite number > 0/],
      [{ hiddenWidths: [4], solver: { kind: 'svd' } as never }, /'config.solver.kind' must be 'pinv', 'lstsq' or 'ridge'/],
      [{ hiddenWidths: [4], activation: 'swish' as never }, /'config.activation' must be one of/],
      [{ hiddenWidths: [4], projection: { kind: 'sortedPCA' } as never }, /set them as 'firstLayer'/],
      [{ hiddenWidths: [4], precision: 'float16' as never }, /'config.precision'/],
    ];
    for (const [config, message] of cases) {
      const e = await fitPlatonic(x, labels, config).then(
        () => null,
        (error: unknown) => error,
      );
      expect(e, String(message)).toBeInstanceOf(InvalidArgumentError);
      expect(String(e)).toMatch(message);
    }
    await expect(
      fitPlatonic(
        x,
        Int32Array.from(labels, (l) => l + 5),
        { hiddenWidths: [4], numClasses: 2 },
      ),
    ).rejects.toThrow(/labels\[0\]' must be an integer in \[0, 1\]/);
  });

  it('rejects non-finite data with NonFiniteError, and a diverging layer too', async () => {
    const bad = { ...x, data: x.data.slice() };
    bad.data[7] = Number.NaN;
    const e = await fitPlatonic(bad, labels, { hiddenWidths: [4] }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(String(e)).toMatch(/argument 'x' contains NaN at row 3, column 1/);
    const huge = await fitPlatonic(x, labels, { hiddenWidths: [4], activation: 'linear', alpha: 1e308, beta: 1e10 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(huge).toBeInstanceOf(NonFiniteError);
    expect(String(huge)).toMatch(/layer 0/);
  });
});
