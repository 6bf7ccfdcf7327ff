/**
 * Peak tensor memory of one training step (data → forward → backward → update), the measure behind every locality
 * claim in beyond-backprop: a local method frees its intermediates early, while backprop keeps the whole tape until
 * the backward pass ends (Øland, thesis §6.2.2 and Table 6.3's relative memory).
 */
import * as tf from '@tensorflow/tfjs';

/** What {@link measureStepMemory} reports, in bytes. */
export interface StepMemory {
  /** `tf.memory().numBytes` before the step (parameters, data, optimiser slots; tfjs counts every tensor handle). */
  baseBytes: number;
  /** `baseBytes + stepPeakBytes`. */
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

/** Bytes of a list of tensors or layer variables (4 bytes per float32/int32 element), each data buffer once. */
export function tensorBytes(tensors: ReadonlyArray<tf.Tensor | { read(): tf.Tensor }>): number {
  let bytes = 0;
  const seen = new Set<object>();
  for (const t of tensors) {
    const tensor = t instanceof tf.Tensor ? t : t.read();
    if (seen.has(tensor.dataId)) continue;
    seen.add(tensor.dataId);
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

/** The parts of tfjs's engine the recorder hooks (internal, stable across tfjs 4.x). */
interface EngineInternals {
  runKernelFunc: (...args: unknown[]) => unknown;
  trackTensor: (tensor: tf.Tensor, backend: unknown) => void;
  removeDataId: (dataId: object, backend: unknown) => void;
  state: { tensorInfo: WeakMap<object, { backend: unknown; bytes: number }> };
}

/**
 * Starts measuring peak tensor bytes until `stop()`. The start/stop form of {@link measureStepMemory}, for steps that
 * run inside someone else's loop (start in `onTrainBegin`, stop in the first `onBatchEnd`). Recorders nest; stop them
 * in reverse order of starting. `persistent: 'variables'` counts every variable alive at the start (weights and
 * existing optimiser slots).
 *
 * Bytes are counted per **data buffer**, not per tensor handle: `tf.memory().numBytes` adds a tensor's bytes again
 * for every handle on the same buffer (a `reshape`, a `clone` on the cpu backend, a variable's value), which
 * overstates a step's memory by every view it makes. A buffer counts from the moment its first handle exists until the
 * backend frees it.
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
  const engine = tf.engine() as unknown as EngineInternals;
  const hooks = { runKernelFunc: engine.runKernelFunc, trackTensor: engine.trackTensor, removeDataId: engine.removeDataId };
  // Bytes of the buffers created minus those freed since the start, and the highest value it reached.
  let live = 0;
  let peak = 0;
  let stopped = false;
  engine.trackTensor = function (this: unknown, tensor, backend) {
    const fresh = !engine.state.tensorInfo.has(tensor.dataId);
    hooks.trackTensor.call(this, tensor, backend);
    if (fresh) {
      live += engine.state.tensorInfo.get(tensor.dataId)?.bytes ?? 0;
      peak = Math.max(peak, live);
    }
  };
  engine.removeDataId = function (this: unknown, dataId, backend) {
    const info = engine.state.tensorInfo.get(dataId);
    hooks.removeDataId.call(this, dataId, backend);
    if (info && !engine.state.tensorInfo.has(dataId)) live -= info.bytes;
  };
  return {
    stop: () => {
      if (!stopped) Object.assign(engine, hooks);
      stopped = true;
      const after = tf.memory();
      return {
        baseBytes: before.numBytes,
        peakBytes: before.numBytes + peak,
        stepPeakBytes: peak,
        peakStepBytes: peak + persistentBytes,
        persistentBytes,
        leakedTensors: after.numTensors - before.numTensors,
      };
    },
  };
}

/**
 * Runs `step` once and reports its peak tensor memory: the bytes of the data buffers it allocates, at their highest
 * (each buffer once, however many tensors view it; `tf.profile` is not used: its per-kernel bookkeeping keeps outputs
 * alive and inflates the peak). To count
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
