/**
 * Divergence: a loss that became NaN or infinite stops training with an error that says where.
 */
import * as tf from '@tensorflow/tfjs';
import { BbpError } from '@beyond-backprop/core-linalg';
import type { StateSnapshots } from './fit-loop.js';

/**
 * Training produced a non-finite loss. No update was applied for it, the trainer's parameters were put back to the last
 * state whose loss was finite (for trainers that pass `state` to `runFitLoop`, as every trainer here does), and no
 * checkpoint was written for that epoch.
 *
 * @example
 * ```ts
 * try { await fitBackprop(model, x, y, { epochs: 100 }); }
 * catch (e) { if (TrainingDivergedError.isInstance(e)) console.log(`diverged at epoch ${e.epoch}`); }
 * ```
 */
export class TrainingDivergedError extends BbpError {
  readonly fn: string;
  readonly epoch: number;
  readonly batch: number;
  readonly loss: number;
  constructor(fn: string, epoch: number, batch: number, loss: number) {
    super(
      'diverged',
      `${fn}: training diverged at epoch ${epoch}, batch ${batch} (loss is ${loss}); the update was not applied ` +
        'and the parameters are those of the last finite loss. ' +
        'Lower the learning rate (or, for ridge-based methods, raise lambda).',
    );
    this.fn = fn;
    this.epoch = epoch;
    this.batch = batch;
    this.loss = loss;
  }
}

/**
 * {@link StateSnapshots} for parameters held in `tf.Variable`s: a snapshot is one kept clone per variable, restored
 * with `assign`. Pass it as `state` of a {@link runFitLoop} step so divergence leaves the last finite-loss parameters.
 * Optimiser slots (Adam's moments) are not rolled back.
 *
 * @example
 * ```ts
 * await runFitLoop('myFit', n, options, { trainBatch, state: variableSnapshots(() => model.trainableWeights.map((w) => w.read() as tf.Variable)) });
 * ```
 */
export function variableSnapshots(variables: () => readonly tf.Variable[]): StateSnapshots {
  return {
    save: () => variables().map((v) => tf.keep(v.clone())),
    restore: (saved) => {
      const copies = saved as tf.Tensor[];
      variables().forEach((v, i) => v.assign(copies[i]));
    },
    release: (saved) => tf.dispose(saved as tf.Tensor[]),
  };
}
