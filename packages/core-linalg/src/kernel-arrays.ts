/**
 * The typed arrays behind a kernel's tensors, on the wasm and cpu backends alike: what a kernel written as a loop
 * (a fused optimiser step, a fused loss, an activation) needs to register itself on both.
 */
import * as tf from '@tensorflow/tfjs';

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

interface PlainBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * Runs `compute` over the values of `inputs` and of new float32 outputs of `outputShapes`, and returns the outputs.
 * On the wasm backend every array is a view of the backend's memory, taken after the outputs are allocated (so no
 * view is detached by a growing heap) — nothing is copied, and a view's `byteOffset` addresses that memory for a wasm
 * module bound to it (`onHeap` is then true); on the cpu backend they are its own arrays and new ones. Outputs must
 * be written in full.
 *
 * @example
 * ```ts
 * // a registered kernel `o = 2·x`, for both backends
 * kernelFunc: ({ inputs, backend }) =>
 *   runOnBackendArrays(backend, [inputs.x], [inputs.x.shape], ([x], [o]) => {
 *     for (let i = 0; i < o.length; i++) o[i] = 2 * x[i];
 *   })[0],
 * ```
 */
export function runOnBackendArrays(
  backend: unknown,
  inputs: readonly tf.TensorInfo[],
  outputShapes: readonly number[][],
  compute: (inputs: tf.backend_util.TypedArray[], outputs: Float32Array[], onHeap: boolean) => void,
): tf.TensorInfo[] {
  const heap = backend as Partial<HeapBackend>;
  if (typeof heap.makeOutput === 'function' && typeof heap.typedArrayFromHeap === 'function') {
    const outputs = outputShapes.map((shape) => heap.makeOutput!(shape, 'float32'));
    const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap!(t);
    compute(
      inputs.map(view),
      outputs.map((o) => view(o) as Float32Array),
      true,
    );
    return outputs;
  }
  const plain = backend as PlainBackend;
  const arrays = outputShapes.map((shape) => new Float32Array(tf.util.sizeFromShape(shape)));
  compute(
    inputs.map((t) => plain.readSync(t.dataId) as tf.backend_util.TypedArray),
    arrays,
    false,
  );
  return arrays.map((a, i) => plain.makeTensorInfo(outputShapes[i], 'float32', a));
}

/** The backends whose tensors {@link runOnBackendArrays} reaches as arrays. */
export const ARRAY_BACKENDS = ['wasm', 'cpu'] as const;

/**
 * Registers `kernelFunc` as `kernelName` on each of {@link ARRAY_BACKENDS} that does not have it yet (safe to call on
 * every use); returns the backends it registered on.
 *
 * @example
 * ```ts
 * registerOnArrayBackends('MyFusedStep', myFusedStep);
 * tf.engine().runKernel('MyFusedStep', { x }, {});
 * ```
 */
export function registerOnArrayBackends(kernelName: string, kernelFunc: tf.KernelFunc): string[] {
  const registered: string[] = [];
  for (const backendName of ARRAY_BACKENDS) {
    if (tf.getKernel(kernelName, backendName)) continue;
    tf.registerKernel({ kernelName, backendName, kernelFunc });
    registered.push(backendName);
  }
  return registered;
}
