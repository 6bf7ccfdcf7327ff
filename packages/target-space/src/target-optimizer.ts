/**
 * Optimisers for the target matrices: any `tf.train` optimiser, or the same update rules run in float64 on the CPU
 * (no tensor round trip per step for small networks).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/** A built-in optimiser, run in float64 by the float64 engine and mapped to `tf.train` by the tfjs engine. */
export type TargetOptimizerConfig =
  | { kind: 'adam'; learningRate?: number; beta1?: number; beta2?: number; epsilon?: number }
  | { kind: 'sgd'; learningRate?: number; momentum?: number };

/** What trainers accept: a built-in configuration or any `tf.train` optimiser instance. */
export type TargetOptimizer = TargetOptimizerConfig | tf.Optimizer;

/** Serializable optimiser state of the float64 optimisers. */
export interface Float64OptimizerState {
  kind: 'adam' | 'sgd';
  step: number;
  /** First moments (Adam) or velocities (momentum SGD), one array per parameter. */
  slots: number[][][];
}

/** A float64 optimiser updating parameter arrays in place. */
export interface Float64Optimizer {
  readonly config: Required<TargetOptimizerConfig>;
  /** `params[i] -= update(grads[i])`, in place. */
  apply(params: Float64Array[], grads: Float64Array[]): void;
  getState(): Float64OptimizerState;
  setState(state: Float64OptimizerState): void;
}

/** Defaults: Adam with learning rate 0.01 and the TF1 constants β1 = 0.9, β2 = 0.999, ε = 1e-8 (the authors' TensorFlow 1 code; paper §5). */
export function resolveOptimizerConfig(fn: string, config: TargetOptimizerConfig | undefined): Required<TargetOptimizerConfig> {
  const c = config ?? { kind: 'adam' };
  if (c.kind === 'adam') {
    const r = { kind: 'adam' as const, learningRate: c.learningRate ?? 0.01, beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, epsilon: c.epsilon ?? 1e-8 };
    checkNumber(fn, 'optimizer.learningRate', r.learningRate, { min: 0, exclusiveMin: true });
    checkNumber(fn, 'optimizer.beta1', r.beta1, { min: 0, max: 1, exclusiveMax: true });
    checkNumber(fn, 'optimizer.beta2', r.beta2, { min: 0, max: 1, exclusiveMax: true });
    checkNumber(fn, 'optimizer.epsilon', r.epsilon, { min: 0, exclusiveMin: true });
    return r;
  }
  if (c.kind === 'sgd') {
    const r = { kind: 'sgd' as const, learningRate: c.learningRate ?? 0.01, momentum: c.momentum ?? 0 };
    checkNumber(fn, 'optimizer.learningRate', r.learningRate, { min: 0, exclusiveMin: true });
    checkNumber(fn, 'optimizer.momentum', r.momentum, { min: 0, max: 1, exclusiveMax: true });
    return r;
  }
  throw new InvalidArgumentError(fn, 'optimizer.kind', "must be 'adam' or 'sgd' (or pass a tf.train optimiser)", (c as { kind: unknown }).kind);
}

/** The `tf.train` optimiser with the same update rule as a built-in configuration. */
export function tfOptimizerFor(config: Required<TargetOptimizerConfig>): tf.Optimizer {
  if (config.kind === 'adam') return tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
  return config.momentum > 0 ? tf.train.momentum(config.learningRate, config.momentum) : tf.train.sgd(config.learningRate);
}

/**
 * Float64 Adam/SGD with tfjs's update rules: Adam `θ −= lr·m̂/(√v̂ + ε)` with bias-corrected moments; momentum SGD
 * `v = μv + g, θ −= lr·v`.
 */
export function createFloat64Optimizer(config: Required<TargetOptimizerConfig>): Float64Optimizer {
  let step = 0;
  let m: Float64Array[] = [];
  let v: Float64Array[] = [];
  return {
    config,
    apply(params, grads) {
      if (m.length === 0) {
        m = params.map((p) => new Float64Array(p.length));
        v = params.map((p) => new Float64Array(p.length));
      }
      step++;
      if (config.kind === 'adam') {
        const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = config;
        const c1 = 1 - b1 ** step;
        const c2 = 1 - b2 ** step;
        params.forEach((p, k) => {
          const g = grads[k];
          const mk = m[k];
          const vk = v[k];
          for (let i = 0; i < p.length; i++) {
            const gi = g[i];
            mk[i] = b1 * mk[i] + (1 - b1) * gi;
            vk[i] = b2 * vk[i] + (1 - b2) * gi * gi;
            p[i] -= (lr * (mk[i] / c1)) / (Math.sqrt(vk[i] / c2) + eps);
          }
        });
      } else {
        const { learningRate: lr, momentum: mu } = config;
        params.forEach((p, k) => {
          const g = grads[k];
          if (mu === 0) {
            for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
            return;
          }
          const vk = m[k];
          for (let i = 0; i < p.length; i++) {
            vk[i] = mu * vk[i] + g[i];
            p[i] -= lr * vk[i];
          }
        });
      }
    },
    getState() {
      return { kind: config.kind, step, slots: [m.map((a) => Array.from(a)), v.map((a) => Array.from(a))] };
    },
    setState(state) {
      if (state.kind !== config.kind) throw new InvalidArgumentError('Float64Optimizer.setState', 'state.kind', `must be '${config.kind}'`, state.kind);
      step = state.step;
      m = (state.slots[0] ?? []).map((a) => Float64Array.from(a));
      v = (state.slots[1] ?? []).map((a) => Float64Array.from(a));
    },
  };
}
