/**
 * Peak tensor memory of one training step, the measure behind the locality claim: rec-LRA frees each layer's
 * intermediates as soon as its update exists, while backprop keeps the whole tape until the backward pass ends.
 */
import * as tf from '@tensorflow/tfjs';

/** What {@link measureStepMemory} reports, in bytes. */
export interface StepMemory {
  /** Tensor bytes alive before the step (parameters, data, optimiser slots). */
  baseBytes: number;
  /** Highest tensor bytes alive at any point during the step. */
  peakBytes: number;
  /** `peakBytes − baseBytes`: what the step itself needed at its worst moment. */
  stepPeakBytes: number;
  /** Tensors alive after the step minus before (0 for a step that leaks nothing). */
  leakedTensors: number;
}

/**
 * Runs `step` once under `tf.profile` and reports its peak tensor memory. Run one step first, so optimiser slots that
 * are created lazily on the first update are part of `baseBytes`.
 *
 * @example
 * ```ts
 * const m = await measureStepMemory(() => net.trainStep(x, y));
 * m.stepPeakBytes;
 * ```
 */
export async function measureStepMemory(step: () => unknown): Promise<StepMemory> {
  const before = tf.memory();
  const info = await tf.profile(() => {
    step();
    return [];
  });
  const after = tf.memory();
  return { baseBytes: before.numBytes, peakBytes: info.peakBytes, stepPeakBytes: info.peakBytes - before.numBytes, leakedTensors: after.numTensors - before.numTensors };
}
