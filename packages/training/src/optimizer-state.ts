/**
 * One (de)serialiser of `tf.train` optimiser state for every trainer's checkpoint: the class, its config, every slot
 * (Adam's moments, RMSProp's mean squares, momentum's accumulations, the step counter) and Adam's running β-powers,
 * so a restored optimiser continues bit-identically.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointReader } from './checkpoint.js';

/** A `tf.train` optimiser as JSON: its class, its config and its slot values in its own order. */
export interface OptimizerState {
  className: string;
  config: tf.serialization.ConfigDict;
  /** `optimizer.getWeights()`: the step counter (`'iter'`, int32) first, then the slots in tfjs's order. */
  weights: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32'; data: number[] }>;
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
 * The optimiser's class, config, slot values and β-powers; frees the temporaries `getWeights` creates.
 *
 * @example
 * ```ts
 * const saved = await saveOptimizerState(tf.train.adam(0.01));
 * ```
 */
export async function saveOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const named = await optimizer.getWeights();
  const weights = named.map((w) => ({
    name: w.name,
    shape: [...w.tensor.shape],
    dtype: (w.tensor.dtype === 'int32' ? 'int32' : 'float32') as 'float32' | 'int32',
    data: Array.from(w.tensor.dataSync()),
  }));
  // getWeights() makes a fresh tensor for the step counter; the other entries are the optimiser's live slots.
  named.forEach((w) => {
    if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  });
  const powers = Object.fromEntries(powerSlots(optimizer).map(([k, v]) => [k, v.dataSync()[0]]));
  return { className: optimizer.getClassName(), config: optimizer.getConfig(), weights, ...(Object.keys(powers).length > 0 ? { powers } : {}) };
}

/**
 * A new optimiser of the saved class and config (its slots not yet restored: see {@link restoreOptimizerState}).
 * Throws `CheckpointError` naming `field` when the class is not a registered `tf.train` optimiser.
 *
 * @example
 * ```ts
 * const adam = optimizerFromState('MyNet.fromCheckpoint', saved);
 * ```
 */
export function optimizerFromState(fn: string, state: OptimizerState, field = 'optimizer'): tf.Optimizer {
  const r = new CheckpointReader(fn);
  const s = r.object(field, state);
  const className = r.string(`${field}.className`, s.className);
  const config = r.object(`${field}.config`, s.config);
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) r.fail(`${field}.className`, 'must name a registered tf.train optimiser', className);
  const [cls, fromConfig] = entry as unknown as [unknown, (cls: unknown, config: tf.serialization.ConfigDict) => tf.Optimizer];
  return fromConfig(cls, config as tf.serialization.ConfigDict);
}

/**
 * Loads saved slot values into a fresh `optimizer` after validating them: the step counter, then whole groups of
 * one slot per variable, each of the shape of its variable in `variableShapes` (the order `applyGradients` sees the
 * variables in, which is how tfjs pairs slots with variables), all values finite. Throws `CheckpointError` naming
 * the field; frees every temporary.
 *
 * @example
 * ```ts
 * await restoreOptimizerState('MyNet.fromCheckpoint', adam, saved, [[2, 3], [3]]);
 * ```
 */
export async function restoreOptimizerState(
  fn: string,
  optimizer: tf.Optimizer,
  state: OptimizerState,
  variableShapes: ReadonlyArray<readonly number[]>,
  field = 'optimizer',
): Promise<void> {
  const r = new CheckpointReader(fn);
  const weights = r.array(`${field}.weights`, r.object(field, state).weights);
  const n = variableShapes.length;
  if (weights.length < 1 || (n > 0 && (weights.length - 1) % n !== 0) || (n === 0 && weights.length !== 1)) {
    r.fail(`${field}.weights`, `must hold the step counter and whole groups of ${n} slots`, weights);
  }
  const checked = weights.map((raw, k) => {
    const f = `${field}.weights[${k}]`;
    const w = r.object(f, raw);
    const name = r.string(`${f}.name`, w.name);
    const shape = r.shape(`${f}.shape`, w.shape, k === 0 ? [] : variableShapes[(k - 1) % n]);
    const dtype = r.string(`${f}.dtype`, w.dtype ?? 'float32', ['float32', 'int32'] as const);
    const data = r.finiteArray(
      `${f}.data`,
      w.data,
      shape.reduce((a, b) => a * b, 1),
    );
    if (k === 0) r.integer(`${f}.data[0]`, data[0]);
    return { name, shape, dtype, data };
  });
  const powers = state.powers === undefined ? {} : r.object(`${field}.powers`, state.powers);
  for (const [k] of powerSlots(optimizer)) if (powers[k] !== undefined) r.number(`${field}.powers.${k}`, powers[k]);
  const tensors = checked.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape, w.dtype) }));
  try {
    await optimizer.setWeights(tensors);
  } finally {
    // setWeights copies each slot into a new variable; the temporaries are ours to free.
    tf.dispose(tensors.map((t) => t.tensor));
  }
  for (const [k, v] of powerSlots(optimizer)) {
    const saved = powers[k];
    if (typeof saved === 'number') tf.tidy(() => v.assign(tf.scalar(saved)));
  }
}

/**
 * `optimizer.dispose()`, plus the learning-rate scalar that tfjs 4.22's `MomentumOptimizer.dispose` leaves behind
 * (it overrides `SGDOptimizer.dispose` without freeing the inherited `c`).
 *
 * @example
 * ```ts
 * disposeOptimizer(tf.train.momentum(0.1, 0.9));
 * ```
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: unknown }).c;
  if (optimizer instanceof tf.MomentumOptimizer && c instanceof tf.Tensor && !c.isDisposed) c.dispose();
}
