import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { TrainingDivergedError, runFitLoop, type EpochLogs } from '../src/index.js';

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
