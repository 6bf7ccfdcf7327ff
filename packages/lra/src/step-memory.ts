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
 * Runs `step` once and reports its peak tensor memory: the engine's live tensor bytes are read after every kernel the
 * step runs (`tf.profile` is not used: its per-kernel bookkeeping keeps outputs alive and inflates the peak). Run one
 * step first, so optimiser slots that are created lazily on the first update are part of `baseBytes`.
 *
 * @example
 * ```ts
 * const m = measureStepMemory(() => net.trainStep(x, y));
 * m.stepPeakBytes;
 * ```
 */
export function measureStepMemory(step: () => unknown): StepMemory {
  const before = tf.memory();
  const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown };
  const original = engine.runKernelFunc;
  let peak = before.numBytes;
  engine.runKernelFunc = function (this: unknown, ...args: unknown[]) {
    const out = original.apply(this, args);
    peak = Math.max(peak, tf.memory().numBytes);
    return out;
  };
  try {
    step();
  } finally {
    engine.runKernelFunc = original;
  }
  const after = tf.memory();
  return { baseBytes: before.numBytes, peakBytes: peak, stepPeakBytes: peak - before.numBytes, leakedTensors: after.numTensors - before.numTensors };
}
