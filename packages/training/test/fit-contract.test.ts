import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { TrainingDivergedError, earlyStopping, runFitLoop, tracksAccuracy, variableSnapshots, type EpochLogs, type FitCallbacks } from '../src/index.js';
import { BbpError } from '@beyond-backprop/core-linalg';

/** A fake trainer whose "weight" is the epoch count and whose per-epoch metrics follow `curve`. */
const trainer = (curve: number[]) => {
  let weight = 0;
  let epochSeen = -1;
  return {
    get weight() {
      return weight;
    },
    step: {
      trainBatch: () => ((weight += 1), 1),
      evaluate: (epoch: number) => ((epochSeen = epoch), { valLoss: curve[epoch], valAccuracy: 1 - curve[epoch] }),
      state: { save: () => weight, restore: (w: unknown) => void (weight = w as number) },
    },
    get epochSeen() {
      return epochSeen;
    },
  };
};

describe('the shared fit contract', () => {
  it('calls onBatchBegin before every update with the batch size, then onBatchEnd', async () => {
    const events: string[] = [];
    const cb: FitCallbacks = { onBatchBegin: (b, l) => void events.push(`begin ${b} ${l.size}`), onBatchEnd: (b) => void events.push(`end ${b}`) };
    await runFitLoop('t', 5, { epochs: 1, batchSize: 2, callbacks: cb }, { trainBatch: () => (events.push('step'), 1) });
    expect(events).toEqual(['begin 0 2', 'step', 'end 0', 'begin 1 2', 'step', 'end 1', 'begin 2 1', 'step', 'end 2']);
  });

  it('History records every metric the trainer reports, not only the loss', async () => {
    const t = trainer([0.5, 0.4]);
    const h = await runFitLoop('t', 2, { epochs: 2 }, t.step);
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'valAccuracy', 'valLoss']);
    expect(h.history.valLoss).toEqual([0.5, 0.4]);
  });

  it('a callback can stop training through its FitControl: stopReason "stopped" after that epoch', async () => {
    const cb: FitCallbacks = { setControl: (c) => void (cb.onEpochEnd = (e) => void (e === 1 && c.stopTraining())) };
    const h = await runFitLoop('t', 4, { epochs: 10, batchSize: 2 }, { trainBatch: () => 1 });
    expect(h.stopReason).toBe('completed');
    const h2 = await runFitLoop('t', 4, { epochs: 10, batchSize: 2, callbacks: cb }, { trainBatch: () => 1 });
    expect([h2.stopReason, h2.epoch, h2.iterations]).toEqual(['stopped', [0, 1], 4]);
  });

  it('validates validationData, metrics and callbacks by name', async () => {
    const run = (o: object) => runFitLoop('Net.fit', 4, { epochs: 1, ...o }, { trainBatch: () => 1 });
    await expect(run({ validationData: [1, 2] })).rejects.toThrow(/Net\.fit: argument 'options\.validationData' must be \[x, y\], two tensors/);
    await expect(run({ metrics: ['mse'] })).rejects.toThrow(/options\.metrics/);
    await expect(run({ callbacks: [null] })).rejects.toThrow(/options\.callbacks\[0\]/);
    expect(tracksAccuracy({ metrics: ['acc'] }) && tracksAccuracy({ trackAccuracy: true }) && !tracksAccuracy({})).toBe(true);
  });
});

describe('earlyStopping', () => {
  it('stops after `patience` epochs without an improvement larger than minDelta', async () => {
    const t = trainer([1, 0.5, 0.49, 0.6, 0.7, 0.2, 0.1]);
    const h = await runFitLoop('t', 1, { epochs: 7, callbacks: earlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 0.05 }) }, t.step);
    // Epoch 2 improves by only 0.01 (< minDelta), epoch 3 is worse: two epochs without improvement after epoch 1.
    expect([h.stopReason, h.epoch]).toEqual(['stopped', [0, 1, 2, 3]]);
  });

  it('restoreBestWeights puts back the weights of the best epoch; max mode for accuracies', async () => {
    const t = trainer([0.5, 0.3, 0.4, 0.45, 0.5]);
    const h = await runFitLoop('t', 1, { epochs: 5, callbacks: earlyStopping({ monitor: 'valAccuracy', patience: 2, restoreBestWeights: true }) }, t.step);
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(t.weight).toBe(2); // weights after epoch 1 (two updates), the best valAccuracy
  });

  it('restoreBestWeights with tf.Variable snapshots restores the best epoch and frees every copy it took', async () => {
    const w = tf.variable(tf.scalar(0));
    const curve = [0.5, 0.3, 0.4, 0.45, 0.2];
    const before = tf.memory().numTensors;
    const h = await runFitLoop(
      't',
      1,
      { epochs: 4, callbacks: earlyStopping({ monitor: 'valLoss', patience: 2, restoreBestWeights: true }) },
      {
        trainBatch: () => (tf.tidy(() => w.assign(tf.add(w, 1))), 1),
        evaluate: (epoch) => ({ valLoss: curve[epoch] }),
        state: variableSnapshots(() => [w]),
      },
    );
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(w.dataSync()[0]).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it('is an error to monitor a metric the trainer does not report, or to restore weights it cannot snapshot', async () => {
    const plain = { trainBatch: () => 1 };
    await expect(runFitLoop('t', 1, { epochs: 2, callbacks: earlyStopping() }, plain)).rejects.toThrow(
      /options\.monitor' must name a metric in the epoch logs \(loss\), got "valLoss"/,
    );
    await expect(runFitLoop('t', 1, { epochs: 2, callbacks: earlyStopping({ monitor: 'loss', restoreBestWeights: true }) }, plain)).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(() => earlyStopping({ patience: -1 })).toThrow(/options\.patience/);
    const logs: EpochLogs[] = [];
    await runFitLoop('t', 1, { epochs: 3, callbacks: [earlyStopping({ monitor: 'loss', patience: 5 }), { onEpochEnd: (_, l) => void logs.push(l) }] }, plain);
    expect(logs).toHaveLength(3);
  });
});

describe('divergence', () => {
  it('TrainingDivergedError names the function, epoch, batch and loss; every variable goes back and every copy is freed', async () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.scalar(5));
    let calls = 0;
    const trainBatch = () => {
      calls += 1;
      if (calls === 4) return Number.POSITIVE_INFINITY;
      tf.tidy(() => {
        a.assign(tf.add(a, 1));
        b.assign(tf.mul(b, 2));
      });
      return 1;
    };
    const before = tf.memory().numTensors;
    const error = (await runFitLoop('Net.fit', 4, { epochs: 3, batchSize: 2 }, { trainBatch, state: variableSnapshots(() => [a, b]) }).catch(
      (e: unknown) => e,
    )) as TrainingDivergedError;
    expect(TrainingDivergedError.isInstance(error) && BbpError.isInstance(error)).toBe(true);
    expect([error.name, error.code, error.fn, error.epoch, error.batch, error.loss]).toEqual(['TrainingDivergedError', 'diverged', 'Net.fit', 1, 1, Infinity]);
    expect(error.message).toBe(
      'Net.fit: training diverged at epoch 1, batch 1 (loss is Infinity); the update was not applied and the parameters are those of the last ' +
        'finite loss. Lower the learning rate (or, for ridge-based methods, raise lambda).',
    );
    // The third step's finite loss was computed on the values after two updates; the fourth step's loss (on the values
    // after three) is infinite: both variables go back to the values after two updates.
    expect([Array.from(a.dataSync()), b.dataSync()[0]]).toEqual([[3, 4], 20]);
    expect(tf.memory().numTensors).toBe(before);
    const snapshots = variableSnapshots(() => [a, b]);
    const saved = snapshots.save() as tf.Tensor[];
    expect(saved.map((t) => t.isDisposed)).toEqual([false, false]);
    snapshots.release?.(saved);
    expect(saved.map((t) => t.isDisposed)).toEqual([true, true]);
    tf.dispose([a, b]);
  });
});
