import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, createRng, initBackend } from '@beyond-backprop/core-linalg';
import { toTensors, twoMoons } from '@beyond-backprop/datasets';
import { measureStepMemory } from '@beyond-backprop/training';
import {
  AdamW,
  backpropStepBytes,
  gradientDropout,
  inputDropoutRate,
  learningRateAt,
  slidingWindows,
  splitIntoUnits,
  trainLayerwise,
  unitEpochs,
  unitRate,
  type UnitReport,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

/** A 2-16-16-16-2 ReLU MLP with seeded initialisers (4 units below the output layer? no: 3 hidden units). */
function mlp(seed: number, widths = [16, 16, 16], inputs = 2, classes = 2): tf.Sequential {
  const layers: tf.layers.Layer[] = [];
  let s = seed;
  for (const [i, w] of widths.entries()) {
    layers.push(
      tf.layers.dense({
        ...(i === 0 ? { inputShape: [inputs] } : {}),
        units: w,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: s++ }),
      }),
    );
  }
  layers.push(tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }) }));
  return tf.sequential({ layers });
}

const moons = (seed: number) => {
  const d = twoMoons({ seed });
  return { train: toTensors(d.train) as { x: tf.Tensor2D; y: tf.Tensor1D }, test: toTensors(d.test) as { x: tf.Tensor2D; y: tf.Tensor1D } };
};
const acc = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), y), 'float32')).dataSync()[0]);
const values = (vars: Array<{ read(): tf.Tensor }>) => vars.map((v) => Array.from(v.read().dataSync()));

describe('schedules (thesis Tables 6.3 and 6.5, §6.6.3)', () => {
  it('gives the learning rate, weight decay, epochs and input-dropout rate of the thesis formulas', () => {
    expect(unitRate({ base: 3e-3, unitFactor: 0.8 }, 4)).toBeCloseTo(1.2288e-3, 12);
    expect(unitRate({ base: 1e-6, unitFactor: 1.15 }, 4)).toBeCloseTo(1.74900625e-6, 15);
    expect(unitEpochs({ base: 15, growth: 1.2 }, 0)).toBe(15);
    expect(unitEpochs({ base: 15, growth: 1.2 }, 9)).toBe(77);
    expect(unitEpochs([30, 40, 50, 60], 7)).toBe(60);
    const lr = { base: 1, milestones: [0.5, 0.75] };
    expect([149, 150, 224, 225].map((e) => learningRateAt(lr, 0, e, 300))).toEqual([1, 0.1, 0.1, 0.1 * 0.1]);
    expect(inputDropoutRate({ p0: 0.8 }, 10)).toBeCloseTo(0.47899, 5);
  });

  it('lists the sliding windows of DSL and reduces to one unit per window for size 1', () => {
    expect(slidingWindows(5, 2, 1)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(slidingWindows(5, 3, 3)).toEqual([
      [0, 2],
      [3, 4],
    ]);
    expect(slidingWindows(3, 1, 1)).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });
});

describe('AdamW (decoupled weight decay)', () => {
  it('shrinks by lr·wd before the Adam step, matching a hand computation', () => {
    const w = tf.variable(tf.scalar(1));
    const zero = new AdamW(0.1, 0.01);
    zero.applyGradients({ [w.name]: tf.scalar(0) });
    expect(w.dataSync()[0]).toBeCloseTo(0.999, 7);
    w.assign(tf.scalar(1));
    const opt = new AdamW(0.1, 0.01);
    // Step 1: m̂ = g, v̂ = g² → θ = 1·(1 − 0.001) − 0.1·0.5/(0.5 + 1e-8) = 0.899.
    opt.applyGradients({ [w.name]: tf.scalar(0.5) });
    // float32 bias corrections (1 − 0.999 in float32) limit the agreement to ~1e-6.
    expect(Math.abs(w.dataSync()[0] - 0.899)).toBeLessThan(2e-6);
    // Step 2, same gradient: m̂ = 0.5, v̂ = 0.25 → θ = 0.899·0.999 − 0.1 = 0.798101.
    opt.applyGradients({ [w.name]: tf.scalar(0.5) });
    expect(Math.abs(w.dataSync()[0] - 0.798101)).toBeLessThan(4e-6);
    const before = w.dataSync()[0];
    opt.setLearningRate(0);
    opt.applyGradients({ [w.name]: tf.scalar(0.5) });
    expect(w.dataSync()[0]).toBe(before);
    opt.dispose();
    zero.dispose();
    w.dispose();
  });
});

describe('gradient dropout (backward dropout, §6.6.3)', () => {
  it('is the identity forward and drops and rescales the gradient backward', () => {
    const z = createRng(1).normalTensor([100, 100]);
    const out = gradientDropout(z, 0.5, 7);
    expect(Array.from(out.dataSync())).toEqual(Array.from(z.dataSync()));
    const g = tf.grad((t: tf.Tensor) => tf.sum(gradientDropout(t, 0.5, 7)))(z);
    const gv = g.dataSync();
    let zeros = 0;
    for (const v of gv) {
      if (v === 0) zeros++;
      else expect(v).toBe(2);
    }
    expect(zeros / gv.length).toBeGreaterThan(0.47);
    expect(zeros / gv.length).toBeLessThan(0.53);
    tf.dispose([z, out, g]);
  });

  it('changes the unit gradients but not the head gradients', () => {
    const unit = tf.variable(createRng(2).normalTensor([4, 6]));
    const head = tf.variable(createRng(3).normalTensor([6, 2]));
    const x = createRng(4).normalTensor([8, 4]);
    const grads = (p: number) =>
      tf.variableGrads(() => tf.sum(tf.square(tf.matMul(gradientDropout(tf.relu(tf.matMul(x, unit)), p, 11), head))), [unit, head]).grads;
    const plain = grads(0);
    const dropped = grads(0.5);
    expect(Array.from(dropped[head.name].dataSync())).toEqual(Array.from(plain[head.name].dataSync()));
    expect(Array.from(dropped[unit.name].dataSync())).not.toEqual(Array.from(plain[unit.name].dataSync()));
    tf.dispose([unit, head, x, plain, dropped]);
  });
});

describe('DLL (Algorithm 3)', () => {
  it('learns two moons one unit at a time, close to the whole-network accuracy', async () => {
    const { train, test } = moons(1);
    const net = mlp(1, [32, 32, 32]);
    const { model, reports } = await trainLayerwise(net, train.x, train.y, {
      epochs: 30,
      batchSize: 32,
      learningRate: { base: 1e-2, unitFactor: 0.8 },
      seed: 0,
    });
    expect(reports.map((r) => r.window)).toEqual([0, 1, 2]);
    expect(acc(model, test.x, test.y)).toBeGreaterThan(0.95);
    tf.dispose([train.x, train.y, test.x, test.y]);
  });

  it('updates only the current unit and head; frozen units stay bit-identical; the last head is the output', async () => {
    const { train } = moons(2);
    const net = mlp(2);
    const units = splitIntoUnits(net);
    const initial = units.map((u) => values(u.model.weights));
    const atEnd: number[][][] = [];
    const seenVars: string[][] = [];
    const original = AdamW.prototype.applyGradients;
    AdamW.prototype.applyGradients = function (this: AdamW, g) {
      const names = Object.keys(g as object).sort();
      const last = seenVars[seenVars.length - 1];
      if (!last || last.join() !== names.join()) seenVars.push(names);
      original.call(this, g);
    };
    let result: Awaited<ReturnType<typeof trainLayerwise>>;
    try {
      result = await trainLayerwise(net, train.x, train.y, {
        epochs: 2,
        batchSize: 64,
        seed: 3,
        onUnitEnd: (r: UnitReport) => {
          // Units above the window are still at their initial values.
          for (let v = r.window + 1; v < units.length; v++) expect(values(units[v].model.weights)).toEqual(initial[v]);
          atEnd.push(values(units[r.window].model.weights));
        },
      });
    } finally {
      AdamW.prototype.applyGradients = original;
    }
    units.forEach((u, v) => {
      expect(values(u.model.weights)).toEqual(atEnd[v]);
      expect(atEnd[v]).not.toEqual(initial[v]);
    });
    // Each phase optimised exactly its unit's kernel and bias plus its head's.
    expect(seenVars).toHaveLength(3);
    seenVars.forEach((names, v) => {
      const unitNames = units[v].model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
      expect(names).toHaveLength(unitNames.length + 2);
      for (const name of unitNames) expect(names).toContain(name);
    });
    // The output model: units 0..2 followed by the last head.
    const { model } = result;
    expect(model.layers.filter((l) => l.getClassName() === 'Dense')).toHaveLength(4);
    const direct = tf.tidy(() => {
      let h: tf.Tensor = train.x;
      for (const u of units) h = u.model.predict(h) as tf.Tensor;
      const head = model.layers[model.layers.length - 1];
      return head.apply(h) as tf.Tensor;
    });
    const predicted = model.predict(train.x) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(direct, predicted))).dataSync()[0])).toBeLessThan(1e-6);
    tf.dispose([direct, predicted, train.x, train.y]);
  });

  it('leaves no tensors behind: flat across units, epochs and repeated runs', async () => {
    const { train } = moons(3);
    const net = mlp(3);
    const perEpoch: number[] = [];
    const perUnit: number[] = [];
    const before = tf.memory().numTensors;
    const run = async () => {
      perEpoch.length = 0;
      perUnit.length = 0;
      const { model } = await trainLayerwise(net, train.x, train.y, {
        epochs: 3,
        batchSize: 50,
        seed: 1,
        gradDropout: 0.5,
        inputDropout: { p0: 0.5 },
        validationData: [train.x, train.y],
        callbacks: { onEpochEnd: () => void perEpoch.push(tf.memory().numTensors) },
        onUnitEnd: () => void perUnit.push(tf.memory().numTensors),
      });
      return model;
    };
    await run();
    const headTensors = 2; // the kept head's kernel and bias: everything else (slots, discarded heads, feednet outputs) is freed
    expect(tf.memory().numTensors).toBe(before + headTensors);
    await run();
    expect(tf.memory().numTensors).toBe(before + 2 * headTensors);
    // Within a unit the count is flat; a phase's end frees its optimiser slots and head.
    for (let u = 0; u < 3; u++) {
      const epochs = perEpoch.slice(u * 3, u * 3 + 3);
      expect(new Set(epochs).size).toBe(1);
    }
    expect(new Set(perUnit.slice(0, 2)).size).toBe(1);
    tf.dispose([train.x, train.y]);
  });

  it('truncates at the best validation unit, whose temporary model the output reproduces', async () => {
    const { train, test } = moons(4);
    const net = mlp(4, [16, 16, 16, 16]);
    const res = await trainLayerwise(net, train.x, train.y, {
      epochs: 3,
      batchSize: 64,
      seed: 2,
      selectPeakOn: 'validation',
      validationData: [test.x, test.y],
    });
    const accs = res.reports.map((r) => r.valAccuracy!);
    const bestWindow = accs.indexOf(Math.max(...accs));
    expect(res.outputWindow).toBe(bestWindow);
    expect(res.model.layers.filter((l) => l.getClassName() === 'Dense')).toHaveLength(bestWindow + 2);
    expect(acc(res.model, test.x, test.y)).toBeCloseTo(accs[bestWindow], 6);
    tf.dispose([train.x, train.y, test.x, test.y]);
  });

  it('is reproducible: the same seed gives bit-identical weights; DSL with size 1 is DLL', async () => {
    const { train } = moons(5);
    const weightsAfter = async (opts: { window?: { size: number; stride?: number } }) => {
      const { model } = await trainLayerwise(mlp(9), train.x, train.y, {
        epochs: 2,
        batchSize: 64,
        seed: 4,
        gradDropout: 0.3,
        inputDropout: { p0: 0.3 },
        ...opts,
      });
      const w = values(model.weights);
      model.dispose();
      return w;
    };
    const a = await weightsAfter({});
    expect(await weightsAfter({})).toEqual(a);
    expect(await weightsAfter({ window: { size: 1, stride: 1 } })).toEqual(a);
    tf.dispose([train.x, train.y]);
  });

  it('replays feature checkpoints: same weights as running the full feednet', async () => {
    const { train } = moons(6);
    const run = async (featureCheckpoints?: number[]) => {
      const { model } = await trainLayerwise(mlp(6, [8, 8, 8, 8]), train.x, train.y, { epochs: 2, batchSize: 64, seed: 5, featureCheckpoints });
      const w = values(model.weights);
      model.dispose();
      return w;
    };
    const full = await run();
    const replayed = await run([1]);
    expect(replayed.length).toBe(full.length);
    replayed.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(full[i][j], 5)));
    tf.dispose([train.x, train.y]);
  });
});

describe('DSL and robin schedules', () => {
  it('DSL windows of 2 keep overlapping units training and freeze the rest', async () => {
    const { train } = moons(7);
    const net = mlp(7, [8, 8, 8, 8]);
    const units = splitIntoUnits(net);
    const snapshots: number[][][][] = [];
    const res = await trainLayerwise(net, train.x, train.y, {
      epochs: 2,
      batchSize: 64,
      seed: 1,
      window: { size: 2, stride: 1 },
      onUnitEnd: () => void snapshots.push(units.map((u) => values(u.model.weights))),
    });
    expect(res.reports.map((r) => r.units)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    // Unit 0 frozen after window 0; unit 1 changed in window 1 (overlap).
    expect(snapshots[2][0]).toEqual(snapshots[0][0]);
    expect(snapshots[1][1]).not.toEqual(snapshots[0][1]);
    expect(snapshots[2][1]).toEqual(snapshots[1][1]);
    res.model.dispose();
    tf.dispose([train.x, train.y]);
  });

  it('random robin gives every unit its epochs in seeded permuted rounds; lower units keep changing', async () => {
    const { train } = moons(8);
    const net = mlp(8);
    const units = splitIntoUnits(net);
    const order: number[] = [];
    const afterTurn: number[][][] = [];
    const res = await trainLayerwise(net, train.x, train.y, {
      epochs: 6,
      batchSize: 100,
      seed: 3,
      schedule: { kind: 'robin', random: true, epochsPerRound: 2, rounds: 3 },
      callbacks: {
        onTrainBegin: () => void afterTurn.push(values(units[0].model.weights)),
        onEpochBegin: (e) => {
          if (e % 2 === 0) order.push(e);
        },
      },
    });
    expect(res.reports.map((r) => r.epochs)).toEqual([6, 6, 6]);
    expect(order).toHaveLength(9);
    // Unit 0 is not frozen for good: its weights differ between the starts of the first and last rounds.
    expect(afterTurn[afterTurn.length - 1]).not.toEqual(afterTurn[2]);
    res.model.dispose();
    tf.dispose([train.x, train.y]);
  });
});

describe('memory accounting', () => {
  it('keeps the feednet off the tape: a deep DLL step needs far less than a backprop step', async () => {
    const layers: tf.layers.Layer[] = [];
    for (let i = 0; i < 10; i++) {
      layers.push(
        tf.layers.conv2d({
          ...(i === 0 ? { inputShape: [16, 16, 3] } : {}),
          filters: 32,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.heNormal({ seed: i }),
        }),
      );
    }
    layers.push(tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 99 }) }));
    const net = tf.sequential({ layers });
    const rng = createRng(1);
    const x = rng.normalTensor([32, 16, 16, 3]);
    const y = tf.tensor1d(
      Array.from({ length: 32 }, (_, i) => i % 4),
      'int32',
    );
    const res = await trainLayerwise(net, x, y, { epochs: 1, batchSize: 16, seed: 0, numClasses: 4, measureBackprop: true, shuffle: false });
    const peaks = res.reports.map((r) => r.peakStepBytes!);
    expect(res.backpropPeakStepBytes).toBe(backpropStepBytes(net, x, y, 16));
    expect(peaks[9] / res.backpropPeakStepBytes!).toBeLessThan(0.6);
    expect(res.relativeMemory).toBeCloseTo(Math.max(...peaks) / res.backpropPeakStepBytes!, 12);
    // Depth adds frozen weights only, not saved activations: unit 9's step minus unit 1's is about 8 units' weights.
    const unitWeightBytes = (3 * 3 * 32 * 32 + 32) * 4;
    expect(peaks[9] - peaks[1]).toBeLessThanOrEqual(8 * unitWeightBytes * 1.1 + 16 * 16 * 16 * 32 * 4 * 0.1);
    res.model.dispose();
    tf.dispose([x, y]);
  });

  it('measureStepMemory counts persistent weights and nothing leaks from the probe', () => {
    const w = tf.variable(tf.ones([100, 10]));
    const m = measureStepMemory(() => tf.tidy(() => tf.sum(tf.matMul(tf.ones([50, 100]), w)).dataSync()[0]), { persistent: [w] });
    expect(m.persistentBytes).toBe(4000);
    expect(m.peakStepBytes).toBe(m.stepPeakBytes + 4000);
    expect(m.stepPeakBytes).toBeGreaterThanOrEqual(50 * 100 * 4 + 50 * 10 * 4);
    expect(m.leakedTensors).toBe(0);
    expect(m.result).toBe(50 * 10 * 100);
    w.dispose();
  });
});

describe('bad configurations', () => {
  it('rejects a head factory with the wrong class count, zero units and a boundary past the model, naming the option', async () => {
    const { train } = moons(9);
    const net = mlp(10);
    const wrongHead = () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: 3 })] });
    await expect(trainLayerwise(net, train.x, train.y, { epochs: 1, headFactory: wrongHead })).rejects.toThrow(/options\.headFactory.*\[m, 2\]/);
    await expect(trainLayerwise(net, train.x, train.y, { epochs: 1, boundaries: [0, 7] })).rejects.toThrow(InvalidArgumentError);
    await expect(trainLayerwise(net, train.x, train.y, { epochs: 1, boundaries: [0, 7] })).rejects.toThrow(/boundaries\[1\]/);
    await expect(trainLayerwise([], train.x, train.y, { epochs: 1 })).rejects.toThrow(/zero units|at least one unit/);
    const outputOnly = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
    await expect(trainLayerwise(outputOnly, train.x, train.y, { epochs: 1 })).rejects.toThrow(/zero units/);
    await expect(trainLayerwise(net, train.x, train.y, { epochs: 0 })).rejects.toThrow(/options\.epochs/);
    await expect(trainLayerwise(net, train.x, train.y, { epochs: 1, window: { size: 9 } })).rejects.toThrow(/options\.window\.size/);
    await expect(trainLayerwise(net, train.x, train.y, { epochs: 1, selectPeakOn: 'validation' })).rejects.toThrow(/options\.validationData/);
    await expect(trainLayerwise(net, train.x, train.y, { epochs: 1, gradDropout: 1 })).rejects.toThrow(/options\.gradDropout/);
    tf.dispose([train.x, train.y]);
  });
});
