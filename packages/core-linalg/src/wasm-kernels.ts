/**
 * Fills the gaps of the TensorFlow.js wasm backend (4.x) that break training:
 *
 * - `Conv2DBackpropFilter` is missing, so any CNN's weight gradient throws. It is registered here as im2col (built
 *   directly in the transposed layout) followed by the wasm backend's own matrix multiply.
 * - `UnsortedSegmentSum` (embedding gradients), the depthwise-conv gradients and `Einsum` are missing. They are
 *   bridged to the cpu backend's reference kernels (inputs copied over, result copied back).
 * - `BatchMatMul`/`_FusedMatMul` with a transpose flag run 10–30× slower than with none (measured 1.4 vs 19 GFLOP/s at
 *   256², 0.9 vs 23 at 1024²). They are wrapped to transpose the operand first, which also speeds up every matMul
 *   gradient, since those use the flags.
 */
import * as tf from '@tensorflow/tfjs';

/** Kernels taken from the cpu backend when wasm lacks them. */
const BRIDGED = ['UnsortedSegmentSum', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Einsum'] as const;

const MARK = Symbol.for('beyond-backprop.wasm-kernel');

type AnyKernelConfig = tf.KernelConfig & { [MARK]?: true };

interface WasmBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

interface CpuBackendLike {
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId;
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/**
 * Registers the wasm backend's missing kernels and the fast transposed matMul. Idempotent; safe to call before or
 * after `tf.setBackend('wasm')`. {@link initBackend} calls it automatically. Returns the kernel names it touched.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * await tf.setBackend('wasm');
 * installWasmKernels();   // ['Conv2DBackpropFilter', 'UnsortedSegmentSum', ..., 'BatchMatMul', '_FusedMatMul']
 * ```
 */
export function installWasmKernels(): string[] {
  const touched: string[] = [];
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    register({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc });
    touched.push('Conv2DBackpropFilter');
  }
  for (const name of BRIDGED) {
    if (tf.getKernel(name, 'wasm')) continue;
    const cpu = tf.getKernel(name, 'cpu');
    if (!cpu) continue;
    register({ kernelName: name, backendName: 'wasm', kernelFunc: bridgeToCpu(cpu) });
    touched.push(name);
  }
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const original = tf.getKernel(name, 'wasm') as AnyKernelConfig | undefined;
    if (!original || original[MARK]) continue;
    tf.unregisterKernel(name, 'wasm');
    register({
      kernelName: name,
      backendName: 'wasm',
      setupFunc: original.setupFunc,
      disposeFunc: original.disposeFunc,
      kernelFunc: transposeFirst(original.kernelFunc),
    });
    touched.push(name);
  }
  return touched;
}

function register(config: tf.KernelConfig): void {
  (config as AnyKernelConfig)[MARK] = true;
  tf.registerKernel(config);
}

/** Wraps a matMul kernel so transposed operands are materialised by the (fast) wasm Transpose kernel first. */
function transposeFirst(kernelFunc: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
    const inputs = { ...args.inputs } as Record<string, tf.TensorInfo>;
    const temporaries: tf.TensorInfo[] = [];
    for (const [key, flag] of [['a', attrs.transposeA], ['b', attrs.transposeB]] as const) {
      if (!flag) continue;
      const x = inputs[key]!;
      const rank = x.shape.length;
      const perm = Array.from({ length: rank }, (_, i) => i);
      perm[rank - 2] = rank - 1;
      perm[rank - 1] = rank - 2;
      const t = transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      temporaries.push(t);
      inputs[key] = t;
    }
    try {
      return kernelFunc({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

/** Runs a cpu kernel on copies of the wasm inputs and copies the outputs back into wasm memory. */
function bridgeToCpu(cpuConfig: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const wasm = args.backend as unknown as WasmBackendLike;
    const cpu = tf.findBackend('cpu') as unknown as CpuBackendLike | null;
    if (!cpu) throw new Error(`${cpuConfig.kernelName} on wasm needs @tensorflow/tfjs-backend-cpu to be installed`);
    const written: tf.DataId[] = [];
    // Some kernels (Einsum) receive their inputs as an array rather than a named map; keep the same container.
    const inputs: Record<string, tf.TensorInfo> | tf.TensorInfo[] = Array.isArray(args.inputs) ? [] : {};
    for (const [key, info] of Object.entries(args.inputs as Record<string, tf.TensorInfo | null>)) {
      if (info == null) continue;
      const id = cpu.write(wasm.readSync(info.dataId), info.shape.slice(), info.dtype);
      written.push(id);
      (inputs as Record<string, tf.TensorInfo>)[key] = { dataId: id, shape: info.shape, dtype: info.dtype };
    }
    try {
      const out = cpuConfig.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: cpu as unknown as tf.KernelBackend, attrs: args.attrs });
      const outs = Array.isArray(out) ? out : [out];
      const copied = outs.map((o) => {
        const result = wasm.makeOutput(o.shape.slice(), o.dtype, undefined, cpu.readSync(o.dataId));
        cpu.disposeData(o.dataId);
        return result;
      });
      return Array.isArray(out) ? copied : copied[0]!;
    } finally {
      for (const id of written) cpu.disposeData(id);
    }
  };
}

/** Images per im2col chunk are chosen so one transposed patch matrix stays near this many floats (64 MiB). */
const PATCH_BUDGET = 16 * 1024 * 1024;

/**
 * `dW = im2col(x)ᵀ · dy` for NHWC input. The patch matrix is built already transposed (`K × P`, K = kh·kw·C_in,
 * P = patches) so the wasm matMul runs without a transpose flag; large batches are processed in chunks of images and
 * the partial products summed.
 */
function conv2dBackpropFilter(args: { inputs: { x: tf.TensorInfo; dy: tf.TensorInfo }; backend: WasmBackendLike; attrs: Record<string, unknown> }): tf.TensorInfo {
  const { x, dy } = args.inputs;
  const backend = args.backend;
  const attrs = args.attrs as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (attrs.dataFormat === 'NCHW') {
    // Rare in tfjs; fall back to the cpu reference.
    const cpu = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    if (!cpu) throw new Error('Conv2DBackpropFilter with NCHW on wasm needs @tensorflow/tfjs-backend-cpu');
    return bridgeToCpu(cpu)(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = filterHeight * filterWidth * inChannels;
  const perImage = outHeight * outWidth;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(PATCH_BUDGET / Math.max(1, K * perImage))));
  const xv = backend.readSync(x.dataId) as Float32Array;
  const dyv = backend.readSync(dy.dataId) as Float32Array;
  const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  const total = new Float32Array(K * outChannels);
  for (let b0 = 0; b0 < batchSize; b0 += chunk) {
    const nb = Math.min(chunk, batchSize - b0);
    const P = nb * perImage;
    const patchesT = new Float32Array(K * P);
    for (let fy = 0; fy < filterHeight; fy++) {
      for (let fx = 0; fx < filterWidth; fx++) {
        const kBase = (fy * filterWidth + fx) * inChannels;
        for (let b = 0; b < nb; b++) {
          const xImage = (b0 + b) * inHeight * inWidth * inChannels;
          for (let oy = 0; oy < outHeight; oy++) {
            const iy = oy * strideHeight - top + fy;
            if (iy < 0 || iy >= inHeight) continue;
            for (let ox = 0; ox < outWidth; ox++) {
              const ix = ox * strideWidth - left + fx;
              if (ix < 0 || ix >= inWidth) continue;
              const p = (b * outHeight + oy) * outWidth + ox;
              const src = xImage + (iy * inWidth + ix) * inChannels;
              for (let c = 0; c < inChannels; c++) patchesT[(kBase + c) * P + p] = xv[src + c]!;
            }
          }
        }
      }
    }
    const a = backend.makeOutput([1, K, P], 'float32', undefined, patchesT);
    const bInfo = backend.makeOutput([1, P, outChannels], 'float32', undefined, dyv.subarray(b0 * perImage * outChannels, (b0 + nb) * perImage * outChannels));
    const product = matMul({ inputs: { a, b: bInfo }, backend: backend as unknown as tf.KernelBackend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    const pv = backend.readSync(product.dataId) as Float32Array;
    for (let i = 0; i < total.length; i++) total[i] += pv[i]!;
    backend.disposeData(a.dataId);
    backend.disposeData(bInfo.dataId);
    backend.disposeData(product.dataId);
  }
  return backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32', undefined, total);
}
