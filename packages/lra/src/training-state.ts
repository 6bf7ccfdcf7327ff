/**
 * Saving and restoring the parameters of the LRA trainers as plain numbers, validated on the way back in; the
 * optimiser state goes through `@beyond-backprop/training`'s shared (de)serialiser.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointReader } from '@beyond-backprop/training';

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
 * Validates every saved tensor against `variables` (count, shape, length, finite values) before assigning any, so a
 * bad checkpoint changes nothing; errors are `CheckpointError`s naming `field[i]`.
 *
 * @example
 * ```ts
 * restoreVariables('RecLraNetwork.fromCheckpoint', 'params', [w, b], saved);
 * ```
 */
export function restoreVariables(fn: string, field: string, variables: readonly tf.Variable[], saved: unknown): void {
  const r = new CheckpointReader(fn);
  const values = r.array(field, saved, variables.length).map((raw, i) => {
    const s = r.object(`${field}[${i}]`, raw);
    const v = variables[i];
    r.shape(`${field}[${i}].shape`, s.shape, v.shape);
    return r.finiteArray(`${field}[${i}].data`, s.data, v.size);
  });
  variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i], v.shape))));
}

/** A variable holding `initial`, which is freed (tf.variable copies its value and would otherwise leave it behind). */
export function variableOf(initial: tf.Tensor, name: string): tf.Variable {
  try {
    return tf.variable(initial, true, name);
  } finally {
    initial.dispose();
  }
}
