/**
 * Peak tensor memory of one training step (data → forward → backward → update), the measure behind every locality
 * claim in beyond-backprop: a local method frees its intermediates early, while backprop keeps the whole tape until
 * the backward pass ends (Øland, thesis §6.2.2 and Table 6.3's relative memory).
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
  /**
   * `stepPeakBytes + persistentBytes`: the step's peak without the data set and anything else that merely happened to
   * be alive, but with the parameters (trainable and frozen) the step needs — so two methods on the same model compare
   * like for like. Equals `stepPeakBytes` when no `persistent` tensors were given.
   */
  peakStepBytes: number;
  /** Bytes of the `persistent` tensors that were alive before the step. */
  persistentBytes: number;
  /** Tensors alive after the step minus before (0 for a step that leaks nothing). */
  leakedTensors: number;
}

/** Options of {@link measureStepMemory}. */
export interface StepMemoryOptions {
  /**
   * Tensors that are part of the model and alive before the step (all weights, trainable or frozen, and optimiser
   * slots that already exist); their bytes are added to `stepPeakBytes` to give `peakStepBytes`. Slots an optimiser
   * creates during the step are already inside `stepPeakBytes`.
   */
  persistent?: ReadonlyArray<tf.Tensor | { read(): tf.Tensor }>;
}

/** Bytes of a list of tensors or layer variables (4 bytes per float32/int32 element). */
export function tensorBytes(tensors: ReadonlyArray<tf.Tensor | { read(): tf.Tensor }>): number {
  let bytes = 0;
  const seen = new Set<number>();
  for (const t of tensors) {
    const tensor = t instanceof tf.Tensor ? t : t.read();
    if (seen.has(tensor.id)) continue;
    seen.add(tensor.id);
    bytes += tensor.size * (tensor.dtype === 'complex64' ? 8 : tensor.dtype === 'string' ? 0 : 4);
  }
  return bytes;
}

/** A running peak-memory measurement started by {@link startStepMemory}. */
export interface StepMemoryRecorder {
  /** Stops measuring and reports the peak since the start. Call once. */
  stop(): StepMemory;
}

/** Bytes of every `tf.Variable` alive in the engine: model weights (trainable or frozen) and optimiser slots. */
export function variableBytes(): number {
  const registered = (tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> }).registeredVariables;
  return tensorBytes(Object.values(registered));
}

/**
 * Starts measuring peak tensor bytes: the engine's live bytes are read after every kernel until `stop()`. The
 * start/stop form of {@link measureStepMemory}, for steps that run inside someone else's loop (start in
 * `onTrainBegin`, stop in the first `onBatchEnd`). Recorders nest; stop them in reverse order of starting.
 * `persistent: 'variables'` counts every variable alive at the start (weights and existing optimiser slots).
 *
 * @example
 * ```ts
 * const rec = startStepMemory({ persistent: 'variables' });
 * trainOneBatch();
 * rec.stop().peakStepBytes;
 * ```
 */
export function startStepMemory(options: { persistent?: StepMemoryOptions['persistent'] | 'variables' } = {}): StepMemoryRecorder {
  const before = tf.memory();
  const persistentBytes = options.persistent === 'variables' ? variableBytes() : tensorBytes(options.persistent ?? []);
  const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown };
  const original = engine.runKernelFunc;
  let peak = before.numBytes;
  let stopped = false;
  engine.runKernelFunc = function (this: unknown, ...args: unknown[]) {
    const out = original.apply(this, args);
    peak = Math.max(peak, tf.memory().numBytes);
    return out;
  };
  return {
    stop: () => {
      if (!stopped) engine.runKernelFunc = original;
      stopped = true;
      const after = tf.memory();
      const stepPeakBytes = peak - before.numBytes;
      return {
        baseBytes: before.numBytes,
        peakBytes: peak,
        stepPeakBytes,
        peakStepBytes: stepPeakBytes + persistentBytes,
        persistentBytes,
        leakedTensors: after.numTensors - before.numTensors,
      };
    },
  };
}

/**
 * Runs `step` once and reports its peak tensor memory: the engine's live tensor bytes are read after every kernel the
 * step runs (`tf.profile` is not used: its per-kernel bookkeeping keeps outputs alive and inflates the peak). To count
 * optimiser slots, measure the first step of a fresh optimiser (they are then created inside the step) or pass them in
 * `persistent`.
 *
 * @example
 * ```ts
 * const m = measureStepMemory(() => backpropBatch(x, y, rows, loss, forward, variables, optimizer), {
 *   persistent: model.weights,
 * });
 * m.peakStepBytes;
 * ```
 */
export function measureStepMemory<T = unknown>(step: () => T, options: StepMemoryOptions = {}): StepMemory & { result: T } {
  const recorder = startStepMemory(options);
  let result: T;
  try {
    result = step();
  } catch (error) {
    recorder.stop();
    throw error;
  }
  return { ...recorder.stop(), result };
}
