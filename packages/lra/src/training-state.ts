/**
 * Saving and restoring training state — parameters and the state of a `tf.train` optimiser (Adam moments, step
 * counter, …) — as plain numbers, so a checkpoint resumes training exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@beyond-backprop/core-linalg';

/** One saved parameter tensor. */
export interface SavedTensor {
  name: string;
  shape: number[];
  data: number[];
}

/**
 * The values of `variables`, in order.
 *
 * @example
 * ```ts
 * const saved = snapshotVariables([w, b]);
 * ```
 */
export function snapshotVariables(variables: readonly tf.Variable[]): SavedTensor[] {
  return variables.map((v) => ({ name: v.name, shape: [...v.shape], data: Array.from(v.dataSync()) }));
}

/**
 * Assigns saved values to `variables` (same order and shapes); errors name `argument[i]`.
 *
 * @example
 * ```ts
 * restoreVariables('restore', 'checkpoint.params', [w, b], saved);
 * ```
 */
export function restoreVariables(fn: string, argument: string, variables: readonly tf.Variable[], saved: readonly SavedTensor[]): void {
  if (!Array.isArray(saved) || saved.length !== variables.length) throw new InvalidArgumentError(fn, argument, `must hold ${variables.length} tensors`, saved?.length);
  variables.forEach((v, i) => {
    const s = saved[i]!;
    if (s.shape.join() !== v.shape.join()) throw new ShapeError(fn, `${argument}[${i}]`, v.shape, s.shape);
    tf.tidy(() => v.assign(tf.tensor(s.data, s.shape)));
  });
}

/** A `tf.train` optimiser as JSON: its class, its config and its slot values in its own order. */
export interface OptimizerState {
  className: string;
  config: tf.serialization.ConfigDict;
  weights: Array<{ name: string; shape: number[]; dtype: tf.DataType; data: number[] }>;
  /**
   * Running β-powers of Adam-type optimisers (`accBeta1`, `accBeta2`). tfjs' `setWeights` recomputes them as
   * `β^(t+1)`, which differs in the last float32 bits from the running product, so they are saved to resume exactly.
   */
  powers?: Record<string, number>;
}

const POWER_SLOTS = ['accBeta1', 'accBeta2'] as const;

function powerSlots(optimizer: tf.Optimizer): Array<[string, tf.Variable]> {
  const o = optimizer as unknown as Record<string, unknown>;
  return POWER_SLOTS.filter((k) => o[k] instanceof tf.Variable).map((k) => [k, o[k] as tf.Variable]);
}

/**
 * The optimiser's class, config and slot values.
 *
 * @example
 * ```ts
 * const saved = await optimizerState(tf.train.adam(0.01));
 * ```
 */
export async function optimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const named = await optimizer.getWeights();
  const weights = named.map((w) => ({ name: w.name, shape: [...w.tensor.shape], dtype: w.tensor.dtype, data: Array.from(w.tensor.dataSync()) }));
  // getWeights() makes a fresh tensor for the step counter; the other entries are the optimiser's live slots.
  named.forEach((w) => {
    if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  });
  const powers = Object.fromEntries(powerSlots(optimizer).map(([k, v]) => [k, v.dataSync()[0]!]));
  return { className: optimizer.getClassName(), config: optimizer.getConfig(), weights, ...(Object.keys(powers).length > 0 ? { powers } : {}) };
}

/**
 * A new optimiser of the saved class and config (state not yet restored: see {@link restoreOptimizerState}).
 *
 * @example
 * ```ts
 * const adam = optimizerFromState('restore', saved);
 * ```
 */
export function optimizerFromState(fn: string, state: OptimizerState): tf.Optimizer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[state?.className];
  if (!entry) throw new InvalidArgumentError(fn, 'checkpoint.optimizer.className', 'must name a registered tf.train optimiser', state?.className);
  const [cls, fromConfig] = entry as unknown as [unknown, (cls: unknown, config: tf.serialization.ConfigDict) => tf.Optimizer];
  return fromConfig(cls, state.config);
}

/**
 * Loads saved slot values into `optimizer`. Slots are matched by position, which is how tfjs optimisers pair them with
 * the variables of `applyGradients`, so the gradients must keep their order (every trainer here does).
 *
 * @example
 * ```ts
 * await restoreOptimizerState(adam, saved);
 * ```
 */
export async function restoreOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const tensors = state.weights.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape, w.dtype) }));
  await optimizer.setWeights(tensors);
  // setWeights copies each slot into a new variable; the temporaries are ours to free.
  tf.dispose(tensors.map((t) => t.tensor));
  for (const [k, v] of powerSlots(optimizer)) {
    const saved = state.powers?.[k];
    if (saved !== undefined) tf.tidy(() => v.assign(tf.scalar(saved)));
  }
}

/** A variable holding `initial`, which is freed (tf.variable copies its value and would otherwise leave it behind). */
export function variableOf(initial: tf.Tensor, name: string): tf.Variable {
  try {
    return tf.variable(initial, true, name);
  } finally {
    initial.dispose();
  }
}
