/**
 * The backprop-through-time twin of {@link LraRnn}: the same Elman network, initialisation, optimiser and gradient
 * normalisation, with exact gradients of the global loss through the unrolled sequence — the baseline P3 compares with.
 */
import * as tf from '@tensorflow/tfjs';
import { checkNumber, matMul } from '@beyond-backprop/core-linalg';
import { ElmanRnn, type ElmanRnnConfig, type RnnCheckpoint, type RnnGradients } from './elman-rnn.js';
import { projectToBall } from './update-projection.js';

/** Configuration of a {@link BpttRnn}. */
export interface BpttRnnConfig extends ElmanRnnConfig {
  /** Radius of the per-tensor gradient normalisation, as LraRnn's `clipW`; 0 disables it. Default 1. */
  clipW?: number;
}

/**
 * An Elman RNN trained by backpropagation through time (autograd over the unrolled graph), sharing everything else
 * with {@link LraRnn}. `x: [n, T, p]` float32, `y: [n]` int32 labels.
 *
 * @example
 * ```ts
 * const twin = new BpttRnn({ inputSize: 6, outputs: 4, seed: 1 });
 * await twin.fit(x, y, { epochs: 3, batchSize: 20 });
 * ```
 */
export class BpttRnn extends ElmanRnn<BpttRnnConfig> {
  private readonly clipW: number;

  constructor(config: BpttRnnConfig) {
    super('BpttRnn', config);
    this.clipW = config.clipW ?? 1;
    checkNumber('BpttRnn', 'config.clipW', this.clipW, { min: 0 });
  }

  /**
   * Rebuilds a twin from {@link ElmanRnn.checkpoint}.
   *
   * @example
   * ```ts
   * const again = await BpttRnn.fromCheckpoint(await twin.checkpoint());
   * ```
   */
  static async fromCheckpoint(checkpoint: RnnCheckpoint<BpttRnnConfig>): Promise<BpttRnn> {
    return ElmanRnn.rebuild('BpttRnn', checkpoint, (config) => new BpttRnn(config));
  }

  protected gradients(x: tf.Tensor3D, y: tf.Tensor2D): { loss: number; grads: RnnGradients | null } {
    const params = this.parameters();
    const { value, grads } = tf.variableGrads(() => {
      const { z } = this.states(x);
      return this.globalLoss(this.readout(tf.add(matMul(z.at(-1)!, this.why), this.by) as tf.Tensor2D), y);
    }, params);
    const loss = value.dataSync()[0];
    value.dispose();
    if (!Number.isFinite(loss)) {
      tf.dispose(Object.values(grads));
      return { loss, grads: null };
    }
    const pick = (v: tf.Variable) => {
      const g = grads[v.name];
      const out = projectToBall(g, this.clipW);
      g.dispose();
      return out;
    };
    return {
      loss,
      grads: {
        wxh: pick(this.wxh) as tf.Tensor2D,
        whh: pick(this.whh) as tf.Tensor2D,
        bh: pick(this.bh) as tf.Tensor1D,
        why: pick(this.why) as tf.Tensor2D,
        by: pick(this.by) as tf.Tensor1D,
      },
    };
  }
}
