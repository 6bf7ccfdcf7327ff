/**
 * Mean softmax cross-entropy and its gradient as one kernel pass over the logits, for the wasm and cpu backends:
 * tfjs' composite (`logSoftmax`, `oneHot`, `mul`, `sum`, `mean`, `neg` and their gradients) dispatches 33 kernels
 * per training step for a `[100, 10]` batch, each with a fresh buffer. Other backends (WebGL, WebGPU) keep the
 * composite.
 */
import * as tf from '@tensorflow/tfjs';
import { ARRAY_BACKENDS, registerOnArrayBackends, runOnBackendArrays } from '@beyond-backprop/core-linalg';

/** Name of the fused kernel (visible as such in `tf.profile`). */
export const SOFTMAX_CROSS_ENTROPY_KERNEL = 'BbpSoftmaxCrossEntropy';

/**
 * For logits `z: [n, k]` and targets `t` (int32 class indices `[n]`, or float32 rows `[n, k]`), writes
 * `grad[i, j] = ((Σ_j t_ij)·softmax(z_i)_j − t_ij) / n` and returns `loss = (1/n) Σ_i Σ_j t_ij·(lse(z_i) − z_ij)`,
 * `lse(z_i) = m_i + log Σ_j exp(z_ij − m_i)` with `m_i = max_j z_ij`, accumulated in float64. A class index outside
 * `[0, k)` is a zero target row, as `tf.oneHot` makes it: it adds nothing to the loss or the gradient but still
 * counts in `n`.
 */
function softmaxCrossEntropyPass(z: Float32Array, t: Int32Array | Float32Array, n: number, k: number, grad: Float32Array): number {
  const indices = t instanceof Int32Array;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let m = -Infinity;
    for (let j = 0; j < k; j++) if (z[row + j] > m) m = z[row + j];
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z[row + j] - m);
    const lse = m + Math.log(sum);
    if (indices) {
      const label = t[i];
      const scored = label >= 0 && label < k;
      if (scored) loss += lse - z[row + label];
      for (let j = 0; j < k; j++) {
        grad[row + j] = scored ? (Math.exp(z[row + j] - lse) - (j === label ? 1 : 0)) / n : 0;
      }
    } else {
      let mass = 0;
      for (let j = 0; j < k; j++) {
        const tj = t[row + j];
        mass += tj;
        if (tj !== 0) loss += tj * (lse - z[row + j]);
      }
      for (let j = 0; j < k; j++) grad[row + j] = (mass * Math.exp(z[row + j] - lse) - t[row + j]) / n;
    }
  }
  return loss / n;
}

function softmaxCrossEntropyKernel(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend }): tf.TensorInfo[] {
  const { logits, labels } = args.inputs as Record<'logits' | 'labels', tf.TensorInfo>;
  const [n, k] = logits.shape as [number, number];
  return runOnBackendArrays(args.backend, [logits, labels], [[], [n, k]], ([z, t], [loss, grad]) => {
    loss[0] = softmaxCrossEntropyPass(z as Float32Array, t as Int32Array | Float32Array, n, k, grad);
  });
}

function ensureKernel(): void {
  registerOnArrayBackends(SOFTMAX_CROSS_ENTROPY_KERNEL, softmaxCrossEntropyKernel as unknown as tf.KernelFunc);
}

/** Whether {@link fusedSoftmaxCrossEntropy} runs as one kernel on the active backend. */
export function hasFusedSoftmaxCrossEntropy(): boolean {
  return (ARRAY_BACKENDS as readonly string[]).includes(tf.getBackend());
}

/**
 * Mean softmax cross-entropy of `logits: [n, k]` against checked `labels` (int32 `[n]` or float32 `[n, k]`),
 * differentiable in `logits`: the forward kernel also returns `∂loss/∂logits`, which the gradient scales by the
 * upstream `dy`. Only for the backends of {@link hasFusedSoftmaxCrossEntropy}.
 */
export function fusedSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  ensureKernel();
  const op = tf.customGrad((z, save) => {
    const [loss, grad] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_KERNEL, { logits: z as tf.Tensor, labels }) as [tf.Scalar, tf.Tensor];
    (save as tf.GradSaveFunc)([grad]);
    grad.dispose();
    return { value: loss, gradFunc: (dy, saved) => tf.mul(dy, saved[0] as tf.Tensor) };
  });
  return op(logits) as tf.Scalar;
}
