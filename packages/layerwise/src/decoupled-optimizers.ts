/**
 * Optimisers with decoupled weight decay and a settable learning rate, for the per-unit schedules of DLL (Øland,
 * thesis §6.7: AdamW with `lr_u = lr_0·0.8^u`, `wd_u = wd_0·1.15^u` and a within-unit multistep schedule).
 * TensorFlow.js has no AdamW; this is PyTorch's decoupled form: `θ ← θ − lr·wd·θ`, then the plain Adam (or momentum
 * SGD) step on the same gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { checkNumber } from '@beyond-backprop/core-linalg';
import { FusedAdamOptimizer } from '@beyond-backprop/training';

/** An optimiser whose learning rate a schedule can change between steps. */
export interface ScheduledOptimizer extends tf.Optimizer {
  /** The learning rate the next step uses. */
  readonly currentLearningRate: number;
  /** Sets the learning rate of the following steps (within-unit schedules). */
  setLearningRate(learningRate: number): void;
}

function decay(variableNames: string[], learningRate: number, weightDecay: number): void {
  if (weightDecay === 0) return;
  const factor = 1 - learningRate * weightDecay;
  tf.tidy(() => {
    for (const name of variableNames) {
      const v = tf.engine().registeredVariables[name];
      if (v) v.assign(tf.mul(v, factor));
    }
  });
}

type GradientsArg = Parameters<tf.Optimizer['applyGradients']>[0];
type SlotGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

function gradientNames(grads: GradientsArg): string[] {
  return Array.isArray(grads) ? (grads as Array<{ name: string }>).map((g) => g.name) : Object.keys(grads);
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch `AdamW`): every variable that receives a gradient
 * is first shrunk by `1 − lr·wd`, then updated by Adam with `β1, β2, ε`. With a zero gradient one step from `θ = 1`
 * at `lr = 0.1, wd = 0.01` gives exactly `0.999`. The Adam part is `@beyond-backprop/training`'s fused update (one
 * kernel per variable on wasm and cpu, bit-identical to `tf.train.adam`), so a step holds one variable's temporaries
 * at a time rather than every variable's.
 *
 * @example
 * ```ts
 * const opt = new AdamW(1e-3, 1e-2);
 * opt.applyGradients(tf.variableGrads(() => loss(), vars).grads);
 * opt.setLearningRate(1e-4);
 * ```
 */
export class AdamW extends FusedAdamOptimizer implements ScheduledOptimizer {
  /** Class name for tfjs serialisation. */
  static override get className(): string {
    return 'AdamW';
  }
  readonly weightDecay: number;
  constructor(learningRate: number, weightDecay = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8) {
    checkNumber('AdamW', 'learningRate', learningRate, { min: 0 });
    checkNumber('AdamW', 'weightDecay', weightDecay, { min: 0 });
    super(learningRate, beta1, beta2, epsilon);
    this.weightDecay = weightDecay;
  }
  get currentLearningRate(): number {
    return this.learningRate;
  }
  setLearningRate(learningRate: number): void {
    checkNumber('AdamW.setLearningRate', 'learningRate', learningRate, { min: 0 });
    this.learningRate = learningRate;
  }
  override applyGradients(variableGradients: GradientsArg): void {
    decay(gradientNames(variableGradients), this.learningRate, this.weightDecay);
    super.applyGradients(variableGradients as SlotGradients);
  }
}

/**
 * SGD with momentum (default 0.9) and decoupled weight decay — the optimiser assumed for the thesis's first DLL
 * results (Table 6.1: lr 0.05, wd 8e-5).
 *
 * @example
 * ```ts
 * const opt = new SgdW(0.05, 8e-5);
 * ```
 */
export class SgdW extends tf.MomentumOptimizer implements ScheduledOptimizer {
  /** Class name for tfjs serialisation. */
  static override get className(): string {
    return 'SgdW';
  }
  readonly weightDecay: number;
  constructor(learningRate: number, weightDecay = 0, momentum = 0.9) {
    checkNumber('SgdW', 'learningRate', learningRate, { min: 0 });
    checkNumber('SgdW', 'weightDecay', weightDecay, { min: 0 });
    super(learningRate, momentum);
    this.weightDecay = weightDecay;
  }
  get currentLearningRate(): number {
    return this.learningRate;
  }
  override setLearningRate(learningRate: number): void {
    checkNumber('SgdW.setLearningRate', 'learningRate', learningRate, { min: 0 });
    this.learningRate = learningRate;
  }
  override applyGradients(variableGradients: GradientsArg): void {
    decay(gradientNames(variableGradients), this.learningRate, this.weightDecay);
    super.applyGradients(variableGradients as SlotGradients);
  }
}
