import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { earlyStopping, runFitLoop, type EarlyStoppingOptions, type FitStep } from '../src/index.js';

/**
 * A one-example trainer whose "weight" counts its updates and whose epoch logs follow `curve` under every metric name
 * early stopping may be asked to watch; `restored` and `released` record what the callback did with snapshots.
 */
const trainer = (curve: number[], snapshots = true) => {
  const log = { weight: 0, restored: [] as number[], saved: 0, released: 0 };
  const step: FitStep = {
    trainBatch: () => ((log.weight += 1), 1),
    evaluate: (epoch) => ({ valLoss: curve[epoch], valAccuracy: curve[epoch], accuracy: curve[epoch], score: curve[epoch] }),
  };
  if (snapshots) {
    step.state = {
      save: () => (log.saved++, log.weight),
      restore: (w) => {
        log.restored.push(w as number);
        log.weight = w as number;
      },
      release: () => void log.released++,
    };
  }
  return { log, step };
};

/** Epochs run with `options` on `curve` (one update per epoch). */
const run = async (curve: number[], options: EarlyStoppingOptions) => {
  const t = trainer(curve);
  const h = await runFitLoop('t', 1, { epochs: curve.length, callbacks: earlyStopping(options) }, t.step);
  return { epochs: h.epoch, stopReason: h.stopReason, ...t.log };
};

describe('earlyStopping: monitor, mode, minDelta, baseline', () => {
  it('defaults to valLoss, min mode, patience 0: stops at the first epoch that does not improve', async () => {
    expect((await run([3, 2, 2, 1], {})).epochs).toEqual([0, 1, 2]);
    expect((await run([3, 2, 1, 0], {})).stopReason).toBe('completed');
  });

  it('an improvement must exceed minDelta strictly; a negative minDelta counts by its size', async () => {
    // 1 → 0.75 improves by exactly minDelta: not enough.
    expect((await run([1, 0.75, 0.5], { minDelta: 0.25 })).epochs).toEqual([0, 1]);
    expect((await run([1, 0.75, 0.5], { minDelta: -0.25 })).epochs).toEqual([0, 1]);
    expect((await run([1, 0.74, 0.48], { minDelta: 0.25 })).epochs).toEqual([0, 1, 2]);
  });

  it('patience counts consecutive epochs without improvement, reset by an improvement', async () => {
    expect((await run([5, 6, 4, 6, 7, 8, 1], { patience: 2 })).epochs).toEqual([0, 1, 2, 3, 4]);
    expect((await run([5, 6, 4, 6, 3, 8, 2], { patience: 2 })).stopReason).toBe('completed');
  });

  it("maximises metrics whose name contains 'acc' (tfjs aliases too), minimises others unless mode says otherwise", async () => {
    const rising = [0.1, 0.2, 0.3];
    const falling = [0.3, 0.2, 0.1];
    for (const monitor of ['valAccuracy', 'val_acc', 'val_accuracy', 'acc', 'accuracy']) {
      expect((await run(rising, { monitor })).stopReason, monitor).toBe('completed');
      expect((await run(falling, { monitor })).epochs, monitor).toEqual([0, 1]);
    }
    expect((await run(falling, { monitor: 'val_loss' })).stopReason).toBe('completed');
    expect((await run(rising, { monitor: 'score' })).epochs).toEqual([0, 1]);
    expect((await run(rising, { monitor: 'score', mode: 'max' })).stopReason).toBe('completed');
    expect((await run(falling, { monitor: 'valAccuracy', mode: 'min' })).stopReason).toBe('completed');
    expect((await run(rising, { monitor: 'valAccuracy', mode: 'auto' })).stopReason).toBe('completed');
  });

  it('stops unless the metric beats the baseline, the first epoch included', async () => {
    expect((await run([0.5, 0.4, 0.3], { baseline: 0.45 })).epochs).toEqual([0]);
    expect((await run([0.5, 0.4, 0.3], { baseline: 0.6 })).stopReason).toBe('completed');
    expect((await run([0.5, 0.6, 0.7], { monitor: 'valAccuracy', baseline: 0.55 })).epochs).toEqual([0]);
    expect((await run([0.5, 0.6, 0.7], { monitor: 'valAccuracy', baseline: 0.45 })).stopReason).toBe('completed');
  });

  it('starts afresh when the same callback is used for a second run', async () => {
    const t = trainer([3, 2, 1, 2]);
    const cb = earlyStopping({ patience: 0 });
    const first = await runFitLoop('t', 1, { epochs: 4, callbacks: cb }, t.step);
    const second = await runFitLoop('t', 1, { epochs: 4, callbacks: cb }, t.step);
    expect(first.epoch).toEqual([0, 1, 2, 3]);
    expect(second.epoch).toEqual([0, 1, 2, 3]);
  });

  it('rejects bad options by name', () => {
    expect(() => earlyStopping({ monitor: '' })).toThrow(/options\.monitor/);
    expect(() => earlyStopping({ mode: 'up' as never })).toThrow(/options\.mode' must be 'auto', 'min' or 'max'/);
    expect(() => earlyStopping({ patience: 1.5 })).toThrow(/options\.patience/);
    expect(() => earlyStopping({ minDelta: Number.NaN })).toThrow(/options\.minDelta/);
    expect(() => earlyStopping({ baseline: Number.NaN })).toThrow(/options\.baseline/);
    expect(() => earlyStopping({ monitor: 5 as never })).toThrow("earlyStopping: argument 'options.monitor' must be a metric name, got 5");
    expect(() => earlyStopping({ patience: 0, minDelta: 0, baseline: 1, mode: 'max' })).not.toThrow();
  });
});

describe('earlyStopping: restoreBestWeights', () => {
  it('restores the best epoch’s weights only when a later epoch was worse, and releases every snapshot once', async () => {
    const worse = await run([0.5, 0.3, 0.4, 0.45], { patience: 5, restoreBestWeights: true });
    expect(worse.restored).toEqual([2]);
    expect(worse.weight).toBe(2);
    expect(worse.released).toBe(worse.saved);
    const bestLast = await run([0.5, 0.4, 0.6, 0.3], { patience: 5, restoreBestWeights: true });
    expect(bestLast.restored).toEqual([]);
    expect(bestLast.weight).toBe(4);
    expect(bestLast.released).toBe(bestLast.saved);
    const off = await run([0.5, 0.3, 0.4, 0.45], { patience: 5 });
    // Without it only the fit loop's own copies (one per update, for divergence) are taken.
    expect([off.restored, off.saved]).toEqual([[], 4]);
    expect(worse.saved).toBeGreaterThan(4);
  });

  it('with no epoch beating the baseline there is nothing to restore, and no copy to release', async () => {
    const r = await run([0.5, 0.6], { baseline: 0.1, patience: 5, restoreBestWeights: true });
    expect([r.restored, r.released, r.saved]).toEqual([[], 2, 2]);
    const off = await run([0.5, 0.3, 0.4], { patience: 5 });
    expect(off.released).toBe(off.saved);
  });

  it('a run that ends in an error keeps its best copy until the callback is reused, then releases it', async () => {
    const t = trainer([0.5, 0.3, 0.4]);
    const cb = earlyStopping({ patience: 5, restoreBestWeights: true });
    const failing = { ...t.step, trainBatch: () => (t.log.weight >= 2 ? Number.NaN : t.step.trainBatch([] as never, 0)) };
    await expect(runFitLoop('t', 1, { epochs: 3, callbacks: cb }, failing)).rejects.toThrow(/diverged/);
    await runFitLoop('t', 1, { epochs: 1, callbacks: cb }, t.step);
    expect(t.log.released).toBe(t.log.saved);
  });

  it('names the logged metrics when the monitored one is missing', async () => {
    const t = trainer([1, 2]);
    await expect(runFitLoop('t', 1, { epochs: 2, callbacks: earlyStopping({ monitor: 'mse' }) }, t.step)).rejects.toThrow(
      'earlyStopping: argument \'options.monitor\' must name a metric in the epoch logs (loss, valLoss, valAccuracy, accuracy, score), got "mse"',
    );
  });

  it('needs a trainer that can snapshot', async () => {
    const t = trainer([1, 2], false);
    await expect(runFitLoop('t', 1, { epochs: 2, callbacks: earlyStopping({ restoreBestWeights: true }) }, t.step)).rejects.toThrow(
      "earlyStopping: argument 'options.restoreBestWeights' needs a trainer that can snapshot its weights, got true",
    );
    await expect(runFitLoop('t', 1, { epochs: 2, callbacks: earlyStopping({ restoreBestWeights: true }) }, t.step)).rejects.toThrow(
      /options\.restoreBestWeights' needs a trainer that can snapshot/,
    );
    await expect(runFitLoop('t', 1, { epochs: 2, callbacks: earlyStopping({ restoreBestWeights: true }) }, t.step)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});
