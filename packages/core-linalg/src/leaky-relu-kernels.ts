/**
 * The leaky-ReLU forward and backward passes as single loops over the backend's memory, for the wasm and cpu
 * backends. TensorFlow.js's own gradient, `where(greater(x, 0), dy, mul(dy, α))`, runs three kernels and keeps a
 * mask and a scaled copy of `dy` alive; on wasm the comparison with a broadcast scalar and the select are slow paths.
 * Measured on this project's 2-core machine for a 100 × 28 × 28 × 16 activation (the first layer of `bbp run
 * mnist-cnn`): `greater` 12 ms, `select` 14 ms, the whole gradient 28.5 ms, and the wasm `LeakyRelu` kernel 14 ms —
 * against 5 ms for a plain `mul` of the same size.
 *
 * Same results bit for bit: `x > 0 ? dy : α·dy` and `x < 0 ? α·x : x` with α rounded to float32, as the tfjs kernels
 * compute them (a float32 product rounded once).
 */
import * as tf from '@tensorflow/tfjs';
import { ARRAY_BACKENDS, runOnBackendArrays } from './kernel-arrays.js';
import { wasmExportsOnBackend } from './wasm-module.js';

/** Name of the fused gradient kernel: inputs `{dy, x}`, attribute `alpha`; output `x > 0 ? dy : alpha·dy`. */
export const LEAKY_RELU_GRAD_KERNEL = 'BbpLeakyReluGrad';

/**
 * The two loops below as wasm SIMD over the wasm backend's memory, four lanes at a time (a CNN training step's
 * `tf.profile` at 100 × 28 × 28 × 16: forward 0.59 ms, gradient 0.65 ms, against 3.4 and 4.3 for the JavaScript
 * loops): `forward(o, x, n, α)` and
 * `gradient(o, dy, x, n, α)` over byte offsets, each output one float32 product by exactly 1 or α, so the same bits.
 * Assembled from `leaky-relu.wat` (next to this file) with wabt 1.0.39 (`wat2wasm --enable-simd`).
 */
const LEAKY_RELU_WASM =
  'AGFzbQEAAAABGQNgBn9/f399fwBgBH9/f30AYAV/f39/fQACDwEDZW52Bm1lbW9yeQIAAQMEAwABAgcWAgdmb3J3YXJkAAEIZ3JhZGllbnQAAgqjAgP+AQMCfwR7AX1DAACAP/0TIQggBP0TIQkgA0ECdCEGIAZBcHEhByAAIAZqIQYgACAHaiEHAkADQCAAIAdPDQEgAv0AAgAhCiAFBHsgCv0MAAAAAAAAAAAAAAAAAAAAAP1EBSAK/QwAAAAAAAAAAAAAAAAAAAAA/UYLIQsgACAB/QACACAIIAkgC/1S/eYB/QsCACAAQRBqIQAgAUEQaiEBIAJBEGohAgwACwsCQANAIAAgBk8NASACKgIAIQwgACABKgIAQwAAgD8gBCAFBH8gDEMAAAAAXgUgDEMAAAAAYAsblDgCACAAQQRqIQAgAUEEaiEBIAJBBGohAgwACwsLEAAgACABIAEgAiADQQAQAAsQACAAIAEgAiADIARBARAACw==';

type SimdLoop = (...args: number[]) => void;

/**
 * `o = f(a, b)` elementwise over float32 views of the inputs and a new output, on either backend's memory (`b` is
 * ignored by one-input loops). `undefined` for other dtypes.
 */
function elementwise(
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  alpha: number,
  loop: (o: Float32Array, a: Float32Array, b: Float32Array, alpha: number, beta: number) => void,
): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const simd = wasmExportsOnBackend(backend, LEAKY_RELU_WASM);
  return runOnBackendArrays(backend, [a, b], [a.shape], ([x, y], [o], onHeap) => {
    if (onHeap && simd) {
      if (loop === forwardLoop) (simd.forward as SimdLoop)(o.byteOffset, x.byteOffset, o.length, alpha);
      else (simd.gradient as SimdLoop)(o.byteOffset, x.byteOffset, y.byteOffset, o.length, alpha);
    } else {
      loop(o, x as Float32Array, y as Float32Array, alpha, 1 - alpha);
    }
  })[0];
}

/**
 * `o = x > 0 ? dy : α·dy`, branch-free (a sign-dependent branch mispredicts on half the elements, 3× slower): the
 * factor `α + β·[x > 0]` with `β = 1 − α` is exactly 1 or α.
 */
function gradLoop(o: Float32Array, d: Float32Array, v: Float32Array, alpha: number, beta: number): void {
  const n = o.length;
  if (alpha + beta !== 1) {
    // An α so large (or NaN) that 1 − α is rounded: the factor would not be exactly 1, so branch instead.
    for (let i = 0; i < n; i++) o[i] = v[i] > 0 ? d[i] : alpha * d[i];
    return;
  }
  for (let i = 0; i < n; i++) o[i] = d[i] * (alpha + beta * +(v[i] > 0));
}

/** `o = x < 0 ? α·x : x`, branch-free (−0 and NaN come out as the tfjs kernel gives them). */
function forwardLoop(o: Float32Array, v: Float32Array, _unused: Float32Array, alpha: number, beta: number): void {
  const n = o.length;
  if (alpha + beta !== 1) {
    for (let i = 0; i < n; i++) o[i] = v[i] < 0 ? alpha * v[i] : v[i];
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = v[i];
    o[i] = x * (alpha + beta * +(x >= 0));
  }
}

function leakyReluGrad(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, x } = args.inputs as Record<'dy' | 'x', tf.TensorInfo>;
  // α rounded to float32, as tfjs multiplies by it; 1 − α is exact in float64 and α + (1 − α) is exactly 1.
  const alpha = Math.fround(Number((args.attrs as { alpha: number }).alpha));
  const out = elementwise(args.backend, dy, x, alpha, gradLoop);
  if (!out) throw new Error(`${LEAKY_RELU_GRAD_KERNEL}: float32 inputs expected, got ${dy.dtype} and ${x.dtype}`);
  return out;
}

/** The forward pass as one loop; falls back to the backend's own kernel for other dtypes. */
function leakyReluForward(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const alpha = Math.fround(Number((args.attrs as { alpha: number }).alpha));
    const out = elementwise(args.backend, x, x, alpha, forwardLoop);
    return out ?? original(args);
  };
}

/** Whether the active backend has the fused gradient kernel and it applies to these tensors. */
function fusedHere(dy: tf.Tensor, x: tf.Tensor): boolean {
  return dy.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(LEAKY_RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
}

let gradientsRegistered = false;

/**
 * Registers the fused leaky-ReLU gradient kernel on the wasm and cpu backends, the single-loop forward kernel on wasm
 * (with `mark` applied, so a second call is a no-op), and a `LeakyRelu` gradient that uses the fused kernel where the
 * active backend has it and TensorFlow.js's formula elsewhere (WebGL, WebGPU). The fused kernel has its own gradient
 * (`∂/∂dy` is the same mask; nothing flows to `x`), so gradients of gradients still work. Returns the kernel names
 * it registered. Called by {@link installWasmKernels}.
 */
export function installLeakyReluKernels(register: (config: tf.KernelConfig) => void, isMarked: (config: tf.KernelConfig) => boolean): string[] {
  const touched: string[] = [];
  for (const backendName of ARRAY_BACKENDS) {
    if (tf.getKernel(LEAKY_RELU_GRAD_KERNEL, backendName)) continue;
    register({ kernelName: LEAKY_RELU_GRAD_KERNEL, backendName, kernelFunc: leakyReluGrad as unknown as tf.KernelFunc });
    touched.push(`${LEAKY_RELU_GRAD_KERNEL}/${backendName}`);
  }
  const forward = tf.getKernel('LeakyRelu', 'wasm');
  if (forward && !isMarked(forward)) {
    tf.unregisterKernel('LeakyRelu', 'wasm');
    register({ ...forward, kernelFunc: leakyReluForward(forward.kernelFunc) });
    touched.push('LeakyRelu');
  }
  if (!gradientsRegistered) {
    gradientsRegistered = true;
    tf.registerGradient({
      kernelName: 'LeakyRelu',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved as tf.Tensor[];
        const alpha = (attrs as { alpha: number }).alpha;
        return {
          x: () =>
            fusedHere(dy as tf.Tensor, x)
              ? (tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }, { alpha }) as tf.Tensor)
              : tf.where(tf.greater(x, 0), dy as tf.Tensor, tf.mul(dy as tf.Tensor, alpha)),
        };
      },
    });
    tf.registerGradient({
      kernelName: LEAKY_RELU_GRAD_KERNEL,
      inputsToSave: ['x'],
      gradFunc: (ddx, saved, attrs) => {
        const [x] = saved as tf.Tensor[];
        const alpha = (attrs as { alpha: number }).alpha;
        return {
          dy: () => tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: ddx as tf.Tensor, x }, { alpha }) as tf.Tensor,
          x: () => tf.zerosLike(x),
        };
      },
    });
  }
  return touched;
}
