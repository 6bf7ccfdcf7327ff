/**
 * Snapshots of `tf.Variable` weights as plain typed arrays, for the fit loop's `getWeights` / `setWeights` (early
 * stopping's `restoreBestWeights`).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * `getWeights` / `setWeights` for a {@link FitStep} over `variables`: copies as Float32Arrays (nothing to dispose)
 * and assignment back in the same order.
 *
 * @example
 * ```ts
 * return runFitLoop(fn, n, options, { trainBatch, ...variableSnapshots(model.trainableWeights.map((w) => w.read() as tf.Variable)) });
 * ```
 */
export function variableSnapshots(variables: () => readonly tf.Variable[]): { getWeights: () => Float32Array[]; setWeights: (weights: unknown) => void } {
  return {
    getWeights: () => variables().map((v) => Float32Array.from(v.dataSync())),
    setWeights: (weights) => {
      const vars = variables();
      (weights as Float32Array[]).forEach((w, i) => tf.tidy(() => vars[i]!.assign(tf.tensor(w, vars[i]!.shape, 'float32'))));
    },
  };
}
