/**
 * Divergence: a loss that became NaN or infinite stops training with an error that says where.
 */
import { BbpError } from '@beyond-backprop/core-linalg';

/**
 * Training produced a non-finite loss. The update that produced it was not applied, and no checkpoint was written
 * for that epoch, so the model and the last checkpoint still hold the last finite state.
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
      `${fn}: training diverged at epoch ${epoch}, batch ${batch} (loss is ${loss}); the update was not applied. ` +
        'Lower the learning rate (or, for ridge-based methods, raise lambda).',
    );
    this.fn = fn;
    this.epoch = epoch;
    this.batch = batch;
    this.loss = loss;
  }
}
