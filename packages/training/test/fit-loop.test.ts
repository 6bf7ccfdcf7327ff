import { describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { TrainingDivergedError, runFitLoop, tracksAccuracy, type EpochLogs, type FitCallbacks, type FitControl } from '../src/index.js';

describe('runFitLoop', () => {
  it('visits every example once per epoch in seeded, reproducible minibatches', async () => {
    const record = async (seed: number) => {
      const batches: number[][] = [];
      await runFitLoop('test', 10, { epochs: 3, batchSize: 4, seed }, { trainBatch: (idx) => (batches.push(Array.from(idx)), 1) });
      return batches;
    };
    const a = await record(7);
    const b = await record(7);
    const c = await record(8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.map((x) => x.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
    for (let e = 0; e < 3; e++) {
      const epoch = a
        .slice(3 * e, 3 * e + 3)
        .flat()
        .sort((p, q) => p - q);
      expect(epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    // Epochs are shuffled differently from each other.
    expect(a.slice(0, 3).flat()).not.toEqual(a.slice(3, 6).flat());
  });

  it('resumes exactly: epochs 0–1 then initialEpoch 2 replay the batches of one uninterrupted run', async () => {
    const record = async (opts: { epochs: number; initialEpoch?: number }) => {
      const batches: number[][] = [];
      const h = await runFitLoop('test', 9, { ...opts, batchSize: 4, seed: 3 }, { trainBatch: (idx) => (batches.push(Array.from(idx)), 1) });
      return { batches, epochs: h.epoch };
    };
    const whole = await record({ epochs: 4 });
    const first = await record({ epochs: 2 });
    const rest = await record({ epochs: 4, initialEpoch: 2 });
    expect([...first.batches, ...rest.batches]).toEqual(whole.batches);
    expect(rest.epochs).toEqual([2, 3]);
    await expect(runFitLoop('fit', 4, { epochs: 2, initialEpoch: 2 }, { trainBatch: () => 1 })).rejects.toThrow(/options.initialEpoch/);
  });

  it('keeps the natural order with shuffle: false and defaults to full batch', async () => {
    const batches: number[][] = [];
    await runFitLoop('test', 5, { epochs: 2, shuffle: false }, { trainBatch: (idx) => (batches.push(Array.from(idx)), 0.5) });
    expect(batches).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
    ]);
  });

  it('reports through callbacks in order and returns a tfjs-style history', async () => {
    const events: string[] = [];
    const history = await runFitLoop(
      'test',
      4,
      { epochs: 2, batchSize: 2, shuffle: false },
      {
        trainBatch: (idx) => idx[0] + 1, // losses 1 and 3 → epoch mean 2
        evaluate: (epoch) => ({ accuracy: epoch / 10 }),
      },
    );
    expect(history.epoch).toEqual([0, 1]);
    expect(history.history.loss).toEqual([2, 2]);
    expect(history.history.accuracy).toEqual([0, 0.1]);
    expect(history.iterations).toBe(4);
    expect(history.stopReason).toBe('completed');
    expect(history.msPerIteration).toBeGreaterThanOrEqual(0);
    await runFitLoop(
      'test',
      4,
      {
        epochs: 1,
        batchSize: 2,
        callbacks: [
          {
            onTrainBegin: () => void events.push('begin'),
            onEpochBegin: (e) => void events.push(`epoch-begin ${e}`),
            onBatchEnd: (b, logs) => void events.push(`batch ${b} ${logs.size}`),
            onEpochEnd: (e, logs) => void events.push(`epoch-end ${e} ${logs.loss}`),
            onTrainEnd: (h) => void events.push(`end ${h.iterations}`),
          },
        ],
      },
      { trainBatch: () => 0.25 },
    );
    expect(events).toEqual(['begin', 'epoch-begin 0', 'batch 0 2', 'batch 1 2', 'epoch-end 0 0.25', 'end 2']);
  });

  it('stops at the next batch boundary when the signal aborts, and says so', async () => {
    const controller = new AbortController();
    let calls = 0;
    const history = await runFitLoop(
      'test',
      8,
      { epochs: 100, batchSize: 2, signal: controller.signal },
      {
        trainBatch: () => {
          calls++;
          if (calls === 5) controller.abort();
          return 1;
        },
      },
    );
    expect(history.stopReason).toBe('aborted');
    expect(history.iterations).toBe(5);
    expect(history.epoch).toEqual([0]);
  });

  it('raises TrainingDivergedError at the first non-finite loss and never checkpoints that epoch', async () => {
    const saved: number[] = [];
    let step = 0;
    const run = runFitLoop(
      'MyTrainer.fit',
      4,
      { epochs: 5, batchSize: 2, checkpoint: { save: (epoch) => void saved.push(epoch) } },
      { trainBatch: () => (++step === 6 ? Number.NaN : 1) },
    );
    await expect(run).rejects.toBeInstanceOf(TrainingDivergedError);
    await expect(runFitLoop('MyTrainer.fit', 4, { epochs: 5, batchSize: 2 }, { trainBatch: () => Number.POSITIVE_INFINITY })).rejects.toThrow(
      /MyTrainer.fit: training diverged at epoch 0, batch 0 \(loss is Infinity\)/,
    );
    // Epochs 0 and 1 finished; epoch 2 diverged at its second batch.
    expect(saved).toEqual([0, 1]);
    try {
      step = 0;
      await runFitLoop('t', 4, { epochs: 5, batchSize: 2 }, { trainBatch: () => (++step === 6 ? Number.NaN : 1) });
    } catch (e) {
      expect((e as TrainingDivergedError).epoch).toBe(2);
      expect((e as TrainingDivergedError).batch).toBe(1);
    }
  });

  it('checkpoints every k epochs with the epoch logs', async () => {
    const saved: Array<[number, EpochLogs]> = [];
    await runFitLoop('t', 2, { epochs: 6, checkpoint: { every: 2, save: (e, logs) => void saved.push([e, logs]) } }, { trainBatch: () => 0.5 });
    expect(saved.map((s) => s[0])).toEqual([1, 3, 5]);
    expect(saved[0][1].loss).toBe(0.5);
  });

  it('rejects invalid options by name', async () => {
    const step = { trainBatch: () => 1 };
    await expect(runFitLoop('fit', 4, { epochs: 0 }, step)).rejects.toThrow("fit: argument 'options.epochs' must be an integer ≥ 1, got 0");
    await expect(runFitLoop('fit', 4, { epochs: 1.5 }, step)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(runFitLoop('fit', 4, { epochs: 1, batchSize: 0 }, step)).rejects.toThrow(/options.batchSize/);
    await expect(runFitLoop('fit', 4, { epochs: 1, signal: {} as AbortSignal }, step)).rejects.toThrow(/options.signal/);
    await expect(runFitLoop('fit', 0, { epochs: 1 }, step)).rejects.toThrow(/at least one example/);
    await expect(runFitLoop('fit', 4, undefined as never, step)).rejects.toThrow(/argument 'options'/);
  });
});

describe('runFitLoop: stopping at the edges, checkpoint cadence, option checks', () => {
  it('an already aborted signal runs no batch and no epoch, but still ends the run through onTrainEnd', async () => {
    const controller = new AbortController();
    controller.abort();
    const events: string[] = [];
    const history = await runFitLoop(
      't',
      4,
      {
        epochs: 3,
        batchSize: 2,
        signal: controller.signal,
        callbacks: { onEpochBegin: (e) => void events.push(`epoch ${e}`), onTrainEnd: (h) => void events.push(`end ${h.stopReason}`) },
      },
      { trainBatch: () => (events.push('step'), 1) },
    );
    expect([history.stopReason, history.iterations, history.epoch, history.history]).toEqual(['aborted', 0, [], {}]);
    expect(events).toEqual(['end aborted']);
  });

  it('an abort during the last batch of an epoch lets that epoch finish (logs, checkpoint) and starts no other', async () => {
    const controller = new AbortController();
    const saved: number[] = [];
    const ended: number[] = [];
    let calls = 0;
    const history = await runFitLoop(
      't',
      4,
      {
        epochs: 5,
        batchSize: 2,
        signal: controller.signal,
        callbacks: { onEpochEnd: (e) => void ended.push(e) },
        checkpoint: { save: (e) => void saved.push(e) },
      },
      { trainBatch: () => (++calls === 4 && controller.abort(), 1) },
    );
    expect([history.stopReason, history.iterations, history.epoch, ended, saved]).toEqual(['aborted', 4, [0, 1], [0, 1], [0, 1]]);
    // On the last batch of the last epoch there is nothing left to stop: the run completed.
    const last = new AbortController();
    calls = 0;
    const done = await runFitLoop('t', 4, { epochs: 2, batchSize: 2, signal: last.signal }, { trainBatch: () => (++calls === 4 && last.abort(), 1) });
    expect([done.stopReason, done.iterations, done.epoch]).toEqual(['completed', 4, [0, 1]]);
  });

  it('stopTraining mid-epoch ends at the next batch boundary, without the unfinished epoch; on the last epoch it changes nothing', async () => {
    const stopAt = (batchCall: number, epochs: number) => {
      let calls = 0;
      const cb: FitCallbacks = { setControl: (c) => void (cb.onBatchEnd = () => void (++calls === batchCall && c.stopTraining())) };
      return runFitLoop('t', 6, { epochs, batchSize: 2, callbacks: cb }, { trainBatch: () => 1 });
    };
    const mid = await stopAt(4, 5); // second batch of epoch 1
    expect([mid.stopReason, mid.iterations, mid.epoch]).toEqual(['stopped', 4, [0]]);
    const epochEnd = await stopAt(6, 5); // last batch of epoch 1: that epoch is kept
    expect([epochEnd.stopReason, epochEnd.iterations, epochEnd.epoch]).toEqual(['stopped', 6, [0, 1]]);
    const lastEpoch = await stopAt(6, 2);
    expect([lastEpoch.stopReason, lastEpoch.iterations, lastEpoch.epoch]).toEqual(['completed', 6, [0, 1]]);
  });

  it('checkpoints on epochs e with (e + 1) divisible by `every`, counted from epoch 0 also when resuming', async () => {
    const saves = async (opts: { epochs: number; every?: number; initialEpoch?: number }) => {
      const saved: number[] = [];
      const { every, ...rest } = opts;
      await runFitLoop('t', 2, { ...rest, checkpoint: { every, save: (e) => void saved.push(e) } }, { trainBatch: () => 1 });
      return saved;
    };
    expect(await saves({ epochs: 7, every: 3 })).toEqual([2, 5]);
    expect(await saves({ epochs: 7, every: 3, initialEpoch: 3 })).toEqual([5]);
    expect(await saves({ epochs: 3 })).toEqual([0, 1, 2]);
    expect(await saves({ epochs: 3, every: 1 })).toEqual([0, 1, 2]);
  });

  it('the epoch loss is the example-weighted mean over batches of unequal size', async () => {
    // Batches of 2, 2 and 1 example with losses 1, 1 and 4: (2 + 2 + 4) / 5.
    const h = await runFitLoop('t', 5, { epochs: 1, batchSize: 2, shuffle: false }, { trainBatch: (idx) => (idx.length === 1 ? 4 : 1) });
    expect(h.history.loss).toEqual([8 / 5]);
    // A batch size above the example count means full batch.
    const sizes: number[] = [];
    await runFitLoop('t', 3, { epochs: 2, batchSize: 10 }, { trainBatch: (idx) => (sizes.push(idx.length), 1) });
    expect(sizes).toEqual([3, 3]);
  });

  it('times only the updates: msPerIteration is the mean trainBatch time, callbacks excluded (on a fake clock)', async () => {
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const h = await runFitLoop(
        't',
        4,
        {
          epochs: 2,
          batchSize: 2,
          callbacks: { onBatchBegin: () => void (clock += 100), onBatchEnd: () => void (clock += 100), onEpochEnd: () => void (clock += 1000) },
        },
        { trainBatch: () => ((clock += 10), 1) },
      );
      expect([h.iterations, h.msPerIteration]).toEqual([4, 10]);
    } finally {
      now.mockRestore();
    }
    const aborted = new AbortController();
    aborted.abort();
    expect((await runFitLoop('t', 4, { epochs: 1, signal: aborted.signal }, { trainBatch: () => 1 })).msPerIteration).toBe(0);
  });

  it('yields to the event loop between batches, so a timer can abort a synchronous training run', async () => {
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 0);
      // 10 fake milliseconds per update: the loop yields about every third batch; without yielding the timer never fires.
      const h = await runFitLoop('t', 4, { epochs: 1000, batchSize: 1, signal: controller.signal }, { trainBatch: () => ((clock += 10), 1) });
      expect(h.stopReason).toBe('aborted');
      expect(h.iterations).toBeLessThan(4000);
    } finally {
      now.mockRestore();
    }
  });

  it('passes the running update count to trainBatch', async () => {
    const seen: number[] = [];
    await runFitLoop('t', 3, { epochs: 2, batchSize: 2 }, { trainBatch: (_idx, it) => (seen.push(it), 1) });
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('rejects non-integer and out-of-range batch sizes, seeds, initial epochs and checkpoint cadences by name', async () => {
    const run = (o: object) => runFitLoop('fit', 4, { epochs: 3, ...o }, { trainBatch: () => 1 });
    await expect(run({ batchSize: 1.5 })).rejects.toThrow(/'options\.batchSize' must be an integer ≥ 1/);
    await expect(run({ seed: 0.5 })).rejects.toThrow(/'options\.seed' must be an integer/);
    await expect(run({ initialEpoch: 0.5 })).rejects.toThrow(/'options\.initialEpoch'/);
    await expect(run({ initialEpoch: -1 })).rejects.toThrow(/'options\.initialEpoch'/);
    await expect(run({ checkpoint: { every: 0, save: () => {} } })).rejects.toThrow(/'options\.checkpoint\.every' must be an integer ≥ 1/);
    await expect(run({ checkpoint: { every: 1.5, save: () => {} } })).rejects.toThrow(/'options\.checkpoint\.every'/);
    await expect(run({ checkpoint: { every: 2 } })).rejects.toThrow(/'options\.checkpoint\.save' must be a function/);
    await expect(run({ signal: null })).rejects.toThrow(/'options\.signal' must be an AbortSignal/);
    await expect(run({ callbacks: [{}, 3] })).rejects.toThrow(/'options\.callbacks\[1\]'/);
    await expect(run({ metrics: 'accuracy' })).rejects.toThrow(/'options\.metrics'/);
    await expect(run({ validationData: [tensorLike, {}] })).rejects.toThrow(/'options\.validationData'/);
    await expect(run({ validationData: [tensorLike, tensorLike, tensorLike] })).rejects.toThrow(/'options\.validationData'/);
    await expect(runFitLoop('fit', Number.NaN, { epochs: 1 }, { trainBatch: () => 1 })).rejects.toThrow(/at least one example/);
    // The accepted edge values run.
    await expect(run({ initialEpoch: 2, seed: -3, metrics: ['acc'], callbacks: [{}], validationData: [tensorLike, tensorLike] })).resolves.toMatchObject({
      epoch: [2],
    });
  });
});

describe('runFitLoop: option messages, tracksAccuracy, FitControl and state snapshots', () => {
  it('names the requirement in each option error', async () => {
    const step = { trainBatch: () => 1 };
    const run = (o: object) => runFitLoop('fit', 4, { epochs: 3, ...o }, step);
    await expect(runFitLoop('fit', 4, null as never, step)).rejects.toThrow("fit: argument 'options' must be an object with at least {epochs}");
    await expect(runFitLoop('fit', 0, { epochs: 1 }, step)).rejects.toThrow("fit: argument 'x' must contain at least one example");
    await expect(run({ signal: 'abort' })).rejects.toThrow(/'options\.signal' must be an AbortSignal/);
    await expect(run({ metrics: ['accuracy', 'mse'] })).rejects.toThrow("fit: argument 'options.metrics' must be an array of 'accuracy' (or 'acc')");
    await expect(run({ callbacks: 3 })).rejects.toThrow("fit: argument 'options.callbacks[0]' must be an object of callback functions");
    await expect(run({ validationData: [null, tensorLike] })).rejects.toThrow(/'options\.validationData' must be \[x, y\], two tensors/);
    await expect(run({ validationData: [Object.assign(() => {}, tensorLike), tensorLike] })).rejects.toThrow(/'options\.validationData'/);
    await expect(run({ metrics: ['accuracy'] })).resolves.toMatchObject({ epoch: [0, 1, 2] });
  });

  it('tracksAccuracy: trackAccuracy: true, or metrics naming accuracy or acc', () => {
    expect(tracksAccuracy(undefined)).toBe(false);
    expect(tracksAccuracy({})).toBe(false);
    expect(tracksAccuracy({ trackAccuracy: false })).toBe(false);
    expect(tracksAccuracy({ metrics: [] })).toBe(false);
    expect(tracksAccuracy({ metrics: ['mse' as never] })).toBe(false);
    expect(tracksAccuracy({ metrics: ['accuracy'] })).toBe(true);
    expect(tracksAccuracy({ metrics: ['acc'] })).toBe(true);
    expect(tracksAccuracy({ metrics: ['mse' as never, 'accuracy'] })).toBe(true);
    expect(tracksAccuracy({ trackAccuracy: true })).toBe(true);
  });

  it('FitControl without trainer state: canSnapshot is false, snapshot and restore throw by name, release is a no-op', async () => {
    let control: FitControl | undefined;
    await runFitLoop('Net.fit', 2, { epochs: 1, callbacks: { setControl: (c) => void (control = c) } }, { trainBatch: () => 1 });
    expect(control!.canSnapshot).toBe(false);
    expect(() => control!.snapshotWeights()).toThrow(
      "Net.fit: argument 'control.snapshotWeights' is not supported by this trainer (its fit step has no `state`)",
    );
    expect(() => control!.restoreWeights(1)).toThrow("Net.fit: argument 'control.restoreWeights' is not supported by this trainer");
    expect(() => control!.snapshotWeights()).toThrow(InvalidArgumentError);
    expect(() => control!.restoreWeights(1)).toThrow(InvalidArgumentError);
    expect(() => control!.releaseWeights(1)).not.toThrow();
  });

  /** A trainer whose state is a counter of updates, recording what the loop does with the copies. */
  const counting = (losses: number[], release = true) => {
    const log = { weight: 0, restored: [] as unknown[], released: [] as unknown[] };
    let k = 0;
    const state = {
      save: () => log.weight,
      restore: (w: unknown) => void (log.restored.push(w), (log.weight = w as number)),
      ...(release ? { release: (w: unknown) => void log.released.push(w) } : {}),
    };
    const trainBatch = () => {
      const loss = losses[k++] ?? 1;
      if (loss === -1) throw new Error('boom');
      if (Number.isFinite(loss)) log.weight++;
      return loss;
    };
    return { log, step: { trainBatch, state } };
  };

  it('on divergence puts back the copy taken before the previous update and releases every copy exactly once', async () => {
    const t = counting([1, 1, 1, Number.NaN]);
    await expect(runFitLoop('t', 1, { epochs: 10, shuffle: false }, t.step)).rejects.toBeInstanceOf(TrainingDivergedError);
    // Updates 1–3 ran (weight 3); update 4 diverged: its loss was measured on weight 3, produced by update 3 from weight 2.
    expect(t.log.restored).toEqual([2]);
    expect(t.log.weight).toBe(2);
    expect([...t.log.released].sort()).toEqual([0, 1, 2, 3]);
    // Divergence at the very first update has nothing to put back.
    const first = counting([Number.NaN]);
    await expect(runFitLoop('t', 1, { epochs: 2 }, first.step)).rejects.toBeInstanceOf(TrainingDivergedError);
    expect([first.log.restored, first.log.released]).toEqual([[], [0]]);
    // A completed run releases all its copies too, never an undefined one.
    const done = counting([1, 1, 1]);
    await runFitLoop('t', 1, { epochs: 3 }, done.step);
    expect(done.log.released).toEqual([0, 1, 2]);
  });

  it('a trainBatch that throws is rethrown as is, after releasing the copy it was given; release is optional', async () => {
    const t = counting([1, -1]);
    await expect(runFitLoop('t', 1, { epochs: 3 }, t.step)).rejects.toThrow('boom');
    expect([...t.log.released].sort()).toEqual([0, 1]);
    // Without state at all.
    await expect(runFitLoop('t', 1, { epochs: 3 }, { trainBatch: counting([-1]).step.trainBatch })).rejects.toThrow('boom');
    const noRelease = counting([1, -1], false);
    await expect(runFitLoop('t', 1, { epochs: 3 }, noRelease.step)).rejects.toThrow('boom');
    const diverges = counting([1, Number.NaN], false);
    await expect(runFitLoop('t', 1, { epochs: 3 }, diverges.step)).rejects.toBeInstanceOf(TrainingDivergedError);
    expect(diverges.log.restored).toEqual([0]);
  });
});

const tensorLike = { shape: [4, 1] };
