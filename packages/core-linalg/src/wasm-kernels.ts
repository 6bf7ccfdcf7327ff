/**
 * Fills the gaps of the TensorFlow.js wasm backend (4.x) that break training:
 *
 * - `Conv2DBackpropFilter` is missing, so any CNN's weight gradient throws. It is registered here as im2col (built
 *   directly in the transposed layout, in the wasm heap, reading `x` in place) followed by the wasm backend's own
 *   matrix multiply with `dy` as its right operand, uncopied.
 * - `UnsortedSegmentSum` (the gradient of every `gather`: embeddings, row subsets) is missing. It is registered here
 *   as a direct scatter-add, O(n · cols); the cpu backend's reference kernel builds a mask per segment, O(segments ·
 *   n · cols), which took 19 s for one gradient of a 2000-of-19600-row gather.
 * - The depthwise-conv gradients and `Einsum` are missing. They are bridged to the cpu backend's reference kernels
 *   (inputs copied over, result copied back).
 * - `Conv2DBackpropInput` (every CNN's input gradient) runs as a direct loop, 9× slower than the forward conv it
 *   mirrors (91 vs 10 ms for 100 × 14 × 14 × 16 → 32, 3 × 3). For stride 1 it is replaced by that forward conv:
 *   the gradient equals the conv of `dy` with the kernel rotated by 180° and its channel axes swapped, under the
 *   complementary padding.
 * - `BatchMatMul`/`_FusedMatMul` with a transpose flag run 10–30× slower than with none (measured 1.4 vs 19 GFLOP/s at
 *   256², 0.9 vs 23 at 1024²). They are wrapped to run the flag-free product, which also speeds up every matMul
 *   gradient, since those use the flags. `BatchMatMul` picks the cheaper of two flag-free forms: transpose the flagged
 *   operands (`op(A)·op(B)`), or transpose the others and the result (`(op(B)ᵀ·op(A)ᵀ)ᵀ`). For the input gradient of
 *   a dense layer, `dY·Wᵀ` with `dY: [n, out]`, `W: [in, out]`, the second moves `n·(out + in)` floats instead of
 *   the `in·out` of transposing the weights (117k instead of 307k for MNIST's 784→392 layer at batch 100).
 *   Without flags, a right operand seen for the first time — a weight matrix just updated by the optimiser, a conv
 *   layer's `dy` in its filter gradient — is packed by XNNPACK before the product (the packed form is kept per
 *   tensor): 7.0 ms of a 100 × 784 · 784 × 392 product whose packed path takes 4.5, and 12.0 of the first MNIST conv
 *   layer's filter gradient whose product alone takes 1.7. Products without a batch now run through `wasm-gemm.ts`,
 *   which reads both operands in place (a transposed left operand by its strides) with the same float32 sums in the
 *   same order as XNNPACK — the same bits — at the same speed as its packed path for these shapes; a right operand
 *   seen again in a product of at least 256 rows and 256 inner terms goes to XNNPACK, whose packed kernel is faster
 *   there. When XNNPACK does get a fresh operand and the left one is the smaller, `(Bᵀ·Aᵀ)ᵀ` packs `Aᵀ` instead.
 * - `GatherV2` (every minibatch slice: `tf.gather(x, rows)`, and `model.fit`'s batches) copies element by element,
 *   3.6 ms for 100 rows of 784 floats. Without batch dimensions it is replaced by one contiguous copy per gathered
 *   slice (`TypedArray.set`), 100× faster.
 * - `Identity` (`tf.clone`, and the `broadcastTo` of equal shapes inside `where`, every ReLU-family gradient and
 *   many others) copies its input; the cpu and WebGL backends share the buffer instead. It is replaced by the
 *   sharing form (the buffer's reference count goes up, as `Reshape` already does on wasm): a leaky-ReLU gradient
 *   at 100 × 28 × 28 × 16 made three 5 MB copies per step, and a CNN training step's peak memory falls by a quarter.
 * - `LeakyRelu` and its gradient run as single loops over the heap (`leaky-relu-kernels.ts`): the gradient was three
 *   kernels (`greater` against a broadcast scalar and `select`, both slow paths here, and a `mul`), 28.5 ms for a
 *   100 × 28 × 28 × 16 activation.
 * - `MaxPoolGrad` (every max-pooling CNN's backward pass) took 74 ms for a 100 × 28 × 28 × 16 input under 2 × 2
 *   pooling, more than the convolutions around it. It is replaced by one scan per pooling window that routes `dy` to
 *   the window's first maximum (the cpu backend's rule), a few ms.
 * - `Sum` over leading axes (every bias gradient: `dy` summed over batch, height and width) first transposes its input
 *   so the reduced axes come last, a copy of all of `dy`. It is replaced by a loop that adds the rows into float32
 *   accumulators: the same additions in the same order, so the same bits.
 * - `Sqrt` (every step of tfjs' Adam, RMSProp and Adadelta) takes one scalar square root per element, five times
 *   the time of a `mul`; it is replaced by a wasm SIMD loop with the same, correctly rounded, results.
 * - `Slice` (every batch `model.predict`, `model.evaluate` and `model.fit` cut from their inputs, and `tf.split`)
 *   copies its whole input out of the heap before taking the slice: one 1024-row batch of a 60 000 × 784 input moved
 *   188 MB, and evaluating MNIST once spent 20 s there. It is replaced by a copy of only the sliced rows, read through
 *   a heap view. `StridedSlice` reaches the same copy for its contiguous cases and is routed to the replacement too (its strided
 *   path, which gave int32 inputs a float32 result, is replaced by a loop over heap views).
 */
import * as tf from '@tensorflow/tfjs';
import { installLeakyReluKernels } from './leaky-relu-kernels.js';
import { wasmGemmFor } from './wasm-gemm.js';
import { wasmExportsOnBackend } from './wasm-module.js';

/** Kernels taken from the cpu backend when wasm lacks them. */
const BRIDGED = ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Einsum'] as const;

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
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    register({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
    touched.push('UnsortedSegmentSum');
  }
  for (const name of BRIDGED) {
    if (tf.getKernel(name, 'wasm')) continue;
    const cpu = tf.getKernel(name, 'cpu');
    if (!cpu) continue;
    register({ kernelName: name, backendName: 'wasm', kernelFunc: bridgeToCpu(cpu) });
    touched.push(name);
  }
  // Wraps wasm's own kernel `name` (setup and dispose kept), once: a kernel already replaced carries MARK.
  const replace = (name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc, when = true): void => {
    const original = tf.getKernel(name, 'wasm') as AnyKernelConfig | undefined;
    if (!original || original[MARK] || !when) return;
    tf.unregisterKernel(name, 'wasm');
    register({ ...original, kernelFunc: wrap(original.kernelFunc) });
    touched.push(name);
  };
  replace('Conv2DBackpropInput', conv2dBackpropInputViaConv, tf.getKernel('Conv2D', 'wasm') !== undefined);
  replace('GatherV2', gatherBySlices);
  replace('MaxPoolGrad', () => maxPoolGradByWindows as unknown as tf.KernelFunc);
  replace('Identity', sharedIdentity);
  replace('Sum', sumLeadingAxes);
  replace('Slice', sliceByViews);
  replace('StridedSlice', stridedSliceByViews);
  replace('Sqrt', sqrtBySimd);
  touched.push(...installLeakyReluKernels(register, (config) => (config as AnyKernelConfig)[MARK] === true));
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const original = tf.getKernel(name, 'wasm') as AnyKernelConfig | undefined;
    if (!original || original[MARK]) continue;
    tf.unregisterKernel(name, 'wasm');
    register({
      kernelName: name,
      backendName: 'wasm',
      setupFunc: original.setupFunc,
      disposeFunc: original.disposeFunc,
      kernelFunc: name === 'BatchMatMul' ? flagFreeBatchMatMul(original.kernelFunc) : fusedMatMulViaGemm(transposeFirst(original.kernelFunc)),
    });
    touched.push(name);
  }
  return touched;
}

function register(config: tf.KernelConfig): void {
  (config as AnyKernelConfig)[MARK] = true;
  tf.registerKernel(config);
}

/** `Identity` that shares its input's buffer (tensors are immutable; the backend frees it at the last reference). */
function sharedIdentity(copying: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return copying(args);
    (args.backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
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
    for (const [key, flag] of [
      ['a', attrs.transposeA],
      ['b', attrs.transposeB],
    ] as const) {
      if (!flag) continue;
      const x = inputs[key];
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

function swapLastPerm(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * Wraps `BatchMatMul` so the wasm kernel never sees a transpose flag, choosing between `op(A)·op(B)` with the flagged
 * operands transposed first and `(op(B)ᵀ·op(A)ᵀ)ᵀ` with the unflagged operands and the product transposed — whichever
 * moves fewer floats. Both are exact rearrangements: every output entry is the same dot product in the same order.
 */
function flagFreeBatchMatMul(kernelFunc: tf.KernelFunc): tf.KernelFunc {
  const viaFlaggedOperands = transposeFirst(kernelFunc);
  // Right operands already multiplied once: XNNPACK keeps their packed form, keyed by the tensor, until it is freed.
  const packed = new WeakSet<object>();
  const seen = new WeakSet<object>();
  return (args) => {
    const viaGemm = gemmWhileFresh(seen, args, () => gemmBatchMatMul(args));
    if (viaGemm) return viaGemm;
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    const ta = !!attrs.transposeA;
    const tb = !!attrs.transposeB;
    if (!ta && !tb) {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (packed.has(b.dataId) || !swapPaysOff(a, b)) {
        packed.add(b.dataId);
        return kernelFunc(args);
      }
      // A right operand seen for the first time (a weight matrix fresh from the optimiser) is packed before use, which
      // costs more than the product itself when the left operand is the smaller one: compute (Bᵀ·Aᵀ)ᵀ, packing Aᵀ.
      packed.add(b.dataId);
      const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
      const perm = swapLastPerm(a.shape.length);
      const flip = (x: tf.TensorInfo) => transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      const backend = args.backend as unknown as WasmBackendLike;
      const at = flip(a);
      const bt = flip(b);
      try {
        const productT = kernelFunc({ ...args, inputs: { a: bt, b: at } }) as tf.TensorInfo;
        try {
          return flip(productT);
        } finally {
          backend.disposeData(productT.dataId);
        }
      } finally {
        backend.disposeData(at.dataId);
        backend.disposeData(bt.dataId);
      }
    }
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.shape.length !== b.shape.length) return viaFlaggedOperands(args);
    const sizeA = a.shape.reduce((p, d) => p * d, 1);
    const sizeB = b.shape.reduce((p, d) => p * d, 1);
    const rank = a.shape.length;
    const m = ta ? a.shape[rank - 1] : a.shape[rank - 2];
    const n = tb ? b.shape[rank - 2] : b.shape[rank - 1];
    const batch = Math.max(
      a.shape.slice(0, -2).reduce((p, d) => p * d, 1),
      b.shape.slice(0, -2).reduce((p, d) => p * d, 1),
    );
    const costFlagged = (ta ? sizeA : 0) + (tb ? sizeB : 0);
    const costSwapped = (ta ? 0 : sizeA) + (tb ? 0 : sizeB) + batch * m * n;
    if (costFlagged <= costSwapped) return viaFlaggedOperands(args);
    // Cᵀ = op(B)ᵀ·op(A)ᵀ: a flagged operand enters as it is, an unflagged one is transposed.
    const backend = args.backend as unknown as WasmBackendLike;
    const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
    const perm = swapLastPerm(rank);
    const temporaries: tf.TensorInfo[] = [];
    const flagFree = (x: tf.TensorInfo, flagged: boolean): tf.TensorInfo => {
      if (flagged) return x;
      const t = transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      temporaries.push(t);
      return t;
    };
    try {
      const left = flagFree(b, tb);
      const right = flagFree(a, ta);
      const productT = kernelFunc({ ...args, inputs: { a: left, b: right }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
      temporaries.push(productT);
      return transpose({ inputs: { x: productT }, backend: args.backend, attrs: { perm: swapLastPerm(productT.shape.length) } }) as tf.TensorInfo;
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

/**
 * `_FusedMatMul` with a linear activation — every dense layer's forward pass under a gradient tape, where tfjs fuses
 * only the bias — as {@link gemmBatchMatMul} with the bias as the accumulators' start, XNNPACK's order, so the same
 * bits. Other activations, PReLU weights, batches, and a right operand seen again in a product of at least 256 rows
 * and 256 inner terms keep `fallback` (XNNPACK, flag-free).
 */
function fusedMatMulViaGemm(fallback: tf.KernelFunc): tf.KernelFunc {
  const seen = new WeakSet<object>();
  return (args) => {
    const inputs = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo | null; preluActivationWeights?: tf.TensorInfo | null };
    const activation = (args.attrs as { activation?: string }).activation;
    if ((activation === undefined || activation === 'linear') && !inputs.preluActivationWeights) {
      const out = gemmWhileFresh(seen, args, () => gemmBatchMatMul({ ...args, inputs: { a: inputs.a, b: inputs.b } }, inputs.bias ?? null));
      if (out) return out;
    }
    return fallback(args);
  };
}

/**
 * `product()` (a {@link gemmBatchMatMul}) unless its right operand was already multiplied through it (`seen`) and the
 * product has at least 256 rows and 256 inner terms: then `null`, for XNNPACK, whose packing (kept for the tensor's
 * lifetime) pays there — 11.9 against 15.1 ms at 512³, 26.7 against 30.4 ms for 1000 × 784 · 784 × 392; below that
 * wasmGemm is as fast or faster, and it never packs a fresh operand (a weight matrix fresh from the optimiser).
 */
function gemmWhileFresh(seen: WeakSet<object>, args: Parameters<tf.KernelFunc>[0], product: () => tf.TensorInfo | null): tf.TensorInfo | null {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const transposeA = !!(args.attrs as { transposeA?: boolean }).transposeA;
  const rows = a.shape[a.shape.length - (transposeA ? 1 : 2)] ?? 0;
  const inner = a.shape[a.shape.length - (transposeA ? 2 : 1)] ?? 0;
  if (seen.has(b.dataId) && rows >= 256 && inner >= 256) return null;
  const out = product();
  if (out) seen.add(b.dataId);
  return out;
}

/**
 * `op(A)·op(B)` without batch (every leading dimension 1) in float32 through {@link wasmGemmFor}, which reads both
 * operands in place: nothing is packed, and a transposed `A` is read by its strides. A transposed `B` is either
 * transposed first (`N·K` floats moved), or the product is computed as `(B·op(A)ᵀ)ᵀ` (`op(A)ᵀ` and the result
 * moved) when that moves fewer. Returns `null` where the product does not apply (other dtypes, batches, no SIMD).
 */
function gemmBatchMatMul(args: Parameters<tf.KernelFunc>[0], bias: tf.TensorInfo | null = null): tf.TensorInfo | null {
  const gemm = wasmGemmFor(args.backend);
  if (!gemm) return null;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
  const ta = !!attrs.transposeA;
  const tb = !!attrs.transposeB;
  const rank = a.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || rank < 2 || b.shape.length !== rank) return null;
  if (a.shape.slice(0, -2).some((d) => d !== 1) || b.shape.slice(0, -2).some((d) => d !== 1)) return null;
  const m = ta ? a.shape[rank - 1] : a.shape[rank - 2];
  const k = ta ? a.shape[rank - 2] : a.shape[rank - 1];
  const n = tb ? b.shape[rank - 2] : b.shape[rank - 1];
  if ((tb ? b.shape[rank - 1] : b.shape[rank - 2]) !== k) return null;
  // A bias is added per column (its accumulators start there, as XNNPACK's do): one value per output column only.
  if (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== n || bias.shape.slice(0, -1).some((d) => d !== 1))) return null;
  const backend = args.backend as unknown as WasmBackendLike;
  const outShape = [...a.shape.slice(0, -2), m, n];
  if (m * n === 0) return backend.makeOutput(outShape, 'float32');
  const perm = swapLastPerm(rank);
  const transpose = (x: tf.TensorInfo) =>
    tf.getKernel('Transpose', 'wasm')!.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
  // C = left·right with left read by (rowStep, kStep) and right row-major; writes into a fresh [rows, cols] output.
  const product = (left: tf.TensorInfo, rowStep: number, kStep: number, right: tf.TensorInfo, rows: number, cols: number, shape: number[]) => {
    const out = backend.makeOutput(shape, 'float32');
    // Views only after the allocation: a growing wasm heap detaches earlier ones.
    const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    gemm(offset(left), offset(right), offset(out), bias ? offset(bias) : 0, rows, k, cols, rowStep, kStep);
    return out;
  };
  const temporaries: tf.TensorInfo[] = [];
  try {
    if (!tb || bias || n * k <= (ta ? 0 : m * k) + m * n) {
      const right = tb ? transpose(b) : b;
      if (tb) temporaries.push(right);
      return product(a, ta ? 4 : 4 * k, ta ? 4 * m : 4, right, m, n, outShape);
    }
    // Cᵀ = B·op(A)ᵀ: B's rows are the [n, k] left operand as stored, op(A)ᵀ the [k, m] right operand.
    const right = ta ? a : transpose(a);
    if (!ta) temporaries.push(right);
    const productT = product(b, 4 * k, 4, right, n, m, [...a.shape.slice(0, -2), n, m]);
    temporaries.push(productT);
    return transpose(productT);
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

/**
 * Whether `A·B` (`[1…, M, K]·[1…, K, N]`, no batch) is cheaper as `(Bᵀ·Aᵀ)ᵀ` when `B` has not been packed yet: packing
 * costs about eight transposes per float (measured: a fresh 784 × 392 `B` at `M = 100` took 7.0 ms, the swapped form
 * 3.4 ms with its three transposes), so it pays when `9·M·K + M·N < 7·K·N` — a batch smaller than the layer's width.
 */
function swapPaysOff(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra !== rb || ra < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  if (a.shape.slice(0, -2).some((d) => d !== 1) || b.shape.slice(0, -2).some((d) => d !== 1)) return false;
  const m = a.shape[ra - 2];
  const k = a.shape[ra - 1];
  const n = b.shape[rb - 1];
  return k * n >= 16384 && 9 * m * k + m * n < 7 * k * n;
}

/**
 * `GatherV2` without batch dimensions as one `TypedArray.set` per gathered slice: `out[o, i, s] = x[o, idx[i], s]`
 * (`o` over the axes before `axis`, `s` over those after). Indices are checked as the original kernel does; batched
 * gathers keep `original`.
 */
function gatherBySlices(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const attrs = args.attrs as { axis: number; batchDims: number };
    if ((attrs.batchDims ?? 0) !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return original(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
    const dim = x.shape[axis];
    const checked = backend.typedArrayFromHeap(indices);
    for (let i = 0; i < checked.length; i++) {
      const k = checked[i];
      if (!(k >= 0 && k <= dim - 1)) throw new Error(`GatherV2: the index value ${k} is not in [0, ${dim - 1}]`);
    }
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const slice = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const out = backend.makeOutput(outShape, x.dtype);
    if (outShape.some((d) => d === 0)) return out;
    // Views are taken after makeOutput: a growing wasm heap detaches earlier ones.
    const idx = backend.typedArrayFromHeap(indices);
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const count = idx.length;
    for (let o = 0; o < outer; o++) {
      const srcBase = o * dim * slice;
      const dstBase = o * count * slice;
      if (slice === 1) {
        for (let i = 0; i < count; i++) dst[dstBase + i] = src[srcBase + idx[i]];
      } else {
        for (let i = 0; i < count; i++) {
          const from = srcBase + idx[i] * slice;
          dst.set(src.subarray(from, from + slice), dstBase + i * slice);
        }
      }
    }
    return out;
  };
}

/**
 * `Sum` of a float32 tensor over its first `k` axes (`0 < k < rank`) into at most 1024 outputs: `out[j] = Σ_r x[r, j]` over the rows `r` of the
 * `[rows, cols]` view, accumulated in float32 in row order — the order the wasm kernel adds them after moving the
 * reduced axes last, so the result is bit-identical without that transpose. Other reductions keep `original`.
 */
function sumLeadingAxes(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || rank < 2) return original(args);
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
    const k = axes.length;
    if (k === 0 || k >= rank || axes[k - 1] !== k - 1) return original(args);
    const rows = x.shape.slice(0, k).reduce((p, d) => p * d, 1);
    const outShape = x.shape.slice(k);
    const cols = outShape.reduce((p, d) => p * d, 1);
    // Wide outputs read x with long strides, eight columns per pass: there the transpose is cheaper.
    if (cols > 1024) return original(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(keepDims ? [...new Array<number>(k).fill(1), ...outShape] : outShape, 'float32');
    if (cols === 0) return out;
    sumColumns(backend.typedArrayFromHeap(x) as Float32Array, rows, cols, backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  };
}

/**
 * `out[j] = Σ_r x[r·cols + j]`, each sum accumulated in float32 in row order. Eight columns at a time in locals
 * (`Math.fround` after every addition): 3× faster than one float32 accumulator array walked row by row.
 */
function sumColumns(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const f = Math.fround;
  const end = rows * cols;
  let j = 0;
  for (; j + 8 <= cols; j += 8) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let i = j; i < end; i += cols) {
      s0 = f(s0 + x[i]);
      s1 = f(s1 + x[i + 1]);
      s2 = f(s2 + x[i + 2]);
      s3 = f(s3 + x[i + 3]);
      s4 = f(s4 + x[i + 4]);
      s5 = f(s5 + x[i + 5]);
      s6 = f(s6 + x[i + 6]);
      s7 = f(s7 + x[i + 7]);
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
    out[j + 4] = s4;
    out[j + 5] = s5;
    out[j + 6] = s6;
    out[j + 7] = s7;
  }
  for (; j < cols; j++) {
    let s = 0;
    for (let i = j; i < end; i += cols) s = f(s + x[i]);
    out[j] = s;
  }
}

/** Element strides of a row-major tensor of `shape` (the last axis has stride 1). */
function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) strides[k] = strides[k + 1] * shape[k + 1];
  return strides;
}

/**
 * Copies `run` contiguous elements of `src` into `dst` for every index of the grid `counts`, one after another: the
 * run for grid index `i` starts at `from + Σ_k i_k · steps[k]`. An odometer walks the grid (step the last axis that
 * has room, rewind those after it), so no index is recomputed.
 */
function copyRuns(
  src: tf.backend_util.TypedArray,
  dst: tf.backend_util.TypedArray,
  from: number,
  counts: readonly number[],
  steps: readonly number[],
  run: number,
): void {
  const total = counts.reduce((p, c) => p * c, 1) * run;
  const index = new Array<number>(counts.length).fill(0);
  let at = from;
  for (let o = 0; o < total; o += run) {
    if (run < 8) for (let j = 0; j < run; j++) dst[o + j] = src[at + j];
    else dst.set(src.subarray(at, at + run), o);
    let k = counts.length - 1;
    while (k >= 0 && ++index[k] === counts[k]) {
      index[k] = 0;
      at -= (counts[k] - 1) * steps[k];
      k--;
    }
    if (k >= 0) at += steps[k];
  }
}

/**
 * Copies the block `x[begin[0] : begin[0] + size[0], …]` into a new tensor, reading `x` through a heap view (never a
 * copy of all of it): one `TypedArray.set` when the block is contiguous, else one per run of the last axis.
 */
function sliceBlock(backend: WasmBackendLike, x: tf.TensorInfo, begin: readonly number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = size.reduce((p, d) => p * d, 1);
  if (total === 0) return out;
  const rank = x.shape.length;
  const strides = rowMajorStrides(x.shape);
  // Views are taken after makeOutput: a growing wasm heap detaches earlier ones.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const base = begin.reduce((p, b, k) => p + b * strides[k], 0);
  if (rank === 0 || tf.slice_util.isSliceContinous(x.shape, [...begin], size)) {
    dst.set(src.subarray(base, base + total));
    return out;
  }
  copyRuns(src, dst, base, size.slice(0, -1), strides.slice(0, -1), size[rank - 1]);
  return out;
}

/** `Slice` through {@link sliceBlock}; strings keep `original`. Arguments are parsed as the original kernel does. */
function sliceByViews(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
    return sliceBlock(args.backend as unknown as WasmBackendLike, x, b, s);
  };
}

/**
 * `StridedSlice` read through heap views: a plain block (unit strides, or a range of the first axis) through
 * {@link sliceBlock}, any other stride pattern element by element as the cpu backend does
 * (`out[i] = x[begin + i · strides]` per axis). An identity slice keeps `original` (a shared-buffer reshape). The
 * tfjs 4.x kernel also wrote an int32 input's strided result into a float32 buffer, reinterpreting its bits.
 */
function stridedSliceByViews(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string' || x.shape.length === 0) return original(args);
    const a = args.attrs as unknown as {
      begin: number[];
      end: number[];
      strides: number[];
      beginMask: number;
      endMask: number;
      ellipsisMask: number;
      newAxisMask: number;
      shrinkAxisMask: number;
    };
    const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
    if (info.isIdentity) return original(args);
    const backend = args.backend as unknown as WasmBackendLike;
    if (info.sliceDim0 || info.isSimpleSlice) {
      const size = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
      if (size.some((d) => d < 0)) return original(args);
      const block = sliceBlock(backend, x, info.begin, size);
      return { dataId: block.dataId, shape: info.finalShape, dtype: block.dtype };
    }
    const shape = info.finalShapeSparse;
    const rank = x.shape.length;
    if (shape.length !== rank || info.begin.length !== rank || info.strides.length !== rank) return original(args);
    const out = backend.makeOutput(shape, x.dtype);
    const total = shape.reduce((p, d) => p * d, 1);
    if (total > 0) {
      const xStrides = rowMajorStrides(x.shape);
      const from = info.begin.reduce((p, b, k) => p + b * xStrides[k], 0);
      const steps = info.strides.map((s, k) => s * xStrides[k]);
      copyRuns(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), from, shape, steps, 1);
    }
    return { dataId: out.dataId, shape: info.finalShape, dtype: x.dtype };
  };
}

/**
 * `sqrt(o, x, n)` over byte offsets: `o[i] = √x[i]` with `f32x4.sqrt` (an IEEE square root, correctly rounded, so
 * the bits of the scalar kernel it replaces). Assembled from `sqrt.wat` (next to this file) with wabt 1.0.39
 * (`wat2wasm --enable-simd`).
 */
const SQRT_WASM =
  'AGFzbQEAAAABBwFgA39/fwACDwEDZW52Bm1lbW9yeQIAAQMCAQAHCAEEc3FydAAACnEBbwECfyAAIAJBAnRqIQMgACACQXxxQQJ0aiEEAkADQCAAIARPDQEgACAB/QACAP3jAf0LAgAgAEEQaiEAIAFBEGohAQwACwsCQANAIAAgA08NASAAIAEqAgCROAIAIABBBGohACABQQRqIQEMAAsLCw==';

/**
 * `Sqrt` (in every Adam, RMSProp and Adadelta step of tfjs' own optimisers) as wasm SIMD: the wasm backend's kernel
 * takes a square root per element, 0.51 ms for a 784 × 392 weight matrix against 0.10 for a `mul` of the same size.
 * Other dtypes, and runtimes without wasm SIMD, keep `original`.
 */
function sqrtBySimd(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const backend = args.backend as unknown as WasmBackendLike;
    const simd = x.dtype === 'float32' ? (wasmExportsOnBackend(backend, SQRT_WASM)?.sqrt as ((...a: number[]) => void) | undefined) : undefined;
    if (!simd) return original(args);
    const out = backend.makeOutput(x.shape.slice(), 'float32');
    // Views only after the allocation: a growing wasm heap detaches earlier ones.
    const o = backend.typedArrayFromHeap(out);
    simd(o.byteOffset, backend.typedArrayFromHeap(x).byteOffset, o.length);
    return out;
  };
}

/**
 * `grad2x2(x, g, dx, batch, outH, outW, C, inH, inW)` over byte offsets: the gradient of 2 × 2, stride-2 max pooling
 * over complete windows, the rule of {@link maxPoolGradByWindows} (first maximum in scan order; NaN never wins; a
 * window of only −∞ passes nothing; `0 + dy`, so −0 arrives as +0), four channels at a time, with a scalar scan for
 * leftover channels and for groups holding a NaN or an all-−∞ window. Every pixel of every window is written. 100 ×
 * 28 × 28 × 16 in a CNN training step's `tf.profile`: 1.3 ms against 7.1 for the branch-free JavaScript loop. Assembled from `max-pool-grad.wat` (next to
 * this file) with wabt 1.0.39 (`wat2wasm --enable-simd`).
 */
const MAX_POOL_GRAD_WASM =
  'AGFzbQEAAAABGAJgCH9/f39/f39/AGAJf39/f39/f39/AAIPAQNlbnYGbWVtb3J5AgABAwMCAAEHCwEHZ3JhZDJ4MgABCswFArMBBQJ/AX0BfwF9An8gBCEIAkADQCAIIAVPDQEgAyAIQQJ0aiEJQwAAgP8hCkF/IQtBACEOAkADQCAOQQRPDQEgCSAOQQFxIAZsIA5BAXYgB2xqaiENIAAgDWoqAgAhDCAMIApeBEAgDCEKIA0hCwsgASANakMAAAAAOAIAIA5BAWohDgwACwsgC0EATgRAIAEgC2pDAAAAACACIAhBAnRqKgIAkjgCAAsgCEEBaiEIDAALCwuUBAIKfwp7IAZBAnQhCSAJIAhsIQogBkF8cSERQwAAgP/9EyEbQwAAAAD9EyEcIAEhD0EAIQsCQANAIAsgA08NAUEAIQwCQANAIAwgBE8NAUEAIQ0CQANAIA0gBU8NASALIAdsIAxBAXRqIApsIA1BAXQgCWxqIQ5BACEQAkADQCAQIBFPDQEgDiAQQQJ0aiESIAAgEmr9AAIAIRMgACASIAlqav0AAgAhFCAAIBIgCmpq/QACACEVIAAgEiAKaiAJamr9AAIAIRYgEyAT/UIgFCAU/UL9UCAVIBX9QiAWIBb9Qv1Q/VAgEyAb/UEgFCAb/UH9TiAVIBv9QSAWIBv9Qf1O/U79UP1TBEAgACACIA8gDiAQIBBBBGogCSAKEAAFIA8gEEECdGr9AAIAIRcgEyAU/UYgEyAV/Ub9TiATIBb9Rv1OIRggFCAV/UYgFCAW/Ub9TiAY/U8hGSAVIBb9RiAY/U8gGf1PIRogAiASaiAcIBcgGP1O/eQB/QsCACACIBIgCWpqIBwgFyAZ/U795AH9CwIAIAIgEiAKamogHCAXIBr9Tv3kAf0LAgAgAiASIApqIAlqaiAcIBcgGCAZ/VAgGv1Q/U/95AH9CwIACyAQQQRqIRAMAAsLIAAgAiAPIA4gESAGIAkgChAAIA8gCWohDyANQQFqIQ0MAAsLIAxBAWohDAwACwsgC0EBaiELDAALCws=';

/**
 * NHWC max-pooling gradient: for every output cell, `dx[argmax of its window] += dy[cell]`, where the argmax is the
 * first strict maximum in row-major window order and cells outside the input are skipped — the cpu backend's rule.
 */
function maxPoolGradByWindows(args: {
  inputs: { dy: tf.TensorInfo; input: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: Record<string, unknown>;
}): tf.TensorInfo {
  const { dy, input } = args.inputs;
  const backend = args.backend;
  const attrs = args.attrs as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'same' | 'valid' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = backend.makeOutput(input.shape.slice(), 'float32');
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const dxOut = backend.typedArrayFromHeap(out) as Float32Array;
  // 2 × 2 windows at stride 2 that all lie inside the input (the pooling of nearly every CNN): wasm SIMD.
  const simd =
    filterHeight === 2 &&
    filterWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    top === 0 &&
    left === 0 &&
    2 * outHeight <= inHeight &&
    2 * outWidth <= inWidth
      ? (wasmExportsOnBackend(backend, MAX_POOL_GRAD_WASM)?.grad2x2 as ((...args: number[]) => void) | undefined)
      : undefined;
  if (simd) {
    // Rows and columns that no window covers (odd sizes) get no gradient; the windows write all their pixels.
    if (2 * outHeight < inHeight || 2 * outWidth < inWidth) dxOut.fill(0);
    simd(x.byteOffset, g.byteOffset, dxOut.byteOffset, batchSize, outHeight, outWidth, channels, inHeight, inWidth);
    return out;
  }
  // Overlapping windows can send several gradients to one pixel; the cpu kernel sums those in double precision.
  const overlapping = strideHeight < filterHeight || strideWidth < filterWidth;
  const dx: Float32Array | Float64Array = overlapping ? new Float64Array(dxOut.length) : dxOut;
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      const yLo = Math.max(0, y0);
      const yHi = Math.min(inHeight, y0 + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        const xLo = Math.max(0, x0);
        const xHi = Math.min(inWidth, x0 + filterWidth);
        const gBase = ((b * outHeight + oy) * outWidth + ox) * channels;
        if (!overlapping && yHi - yLo === 2 && xHi - xLo === 2) {
          maxPoolGradWindow2x2(x, g, dx as Float32Array, xBase + (yLo * inWidth + xLo) * channels, gBase, channels, inWidth * channels);
          continue;
        }
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let at = -1;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const k = xBase + (iy * inWidth + ix) * channels + c;
              const v = x[k];
              if (v > best) {
                best = v;
                at = k;
              }
            }
          }
          // A window of NaNs or −∞ has no maximum; the cpu kernel then drops its gradient too.
          if (at >= 0) dx[at] += g[gBase + c];
        }
      }
    }
  }
  if (overlapping) dxOut.set(dx);
  return out;
}

/**
 * One complete, non-overlapping 2 × 2 window of {@link maxPoolGradByWindows} for every channel (the pooling of nearly
 * every CNN), without data-dependent branches: which of the four pixels holds the window's first maximum is computed
 * from comparisons as 0/1 numbers — a branch on `v > best` mispredicts on about half of real activations, which made
 * this kernel 3× slower than a multiply of the same size. Windows holding a NaN, or only −∞, take the general scan
 * (their rule: NaNs never win, and a window without a maximum passes no gradient). `dx` is zero-filled beforehand.
 */
function maxPoolGradWindow2x2(x: Float32Array, g: Float32Array, dx: Float32Array, k0: number, gBase: number, channels: number, rowStride: number): void {
  for (let c = 0; c < channels; c++) {
    const k1 = k0 + c;
    const k2 = k1 + channels;
    const k3 = k1 + rowStride;
    const k4 = k3 + channels;
    const a = x[k1];
    const b = x[k2];
    const p = x[k3];
    const d = x[k4];
    // NaN !== NaN: the cheapest NaN test; the whole condition is almost always false, so it predicts well.
    if (a !== a || b !== b || p !== p || d !== d || (a === -Infinity && b === -Infinity && p === -Infinity && d === -Infinity)) {
      let best = -Infinity;
      let at = -1;
      for (const k of [k1, k2, k3, k4]) {
        if (x[k] > best) {
          best = x[k];
          at = k;
        }
      }
      if (at >= 0) dx[at] += g[gBase + c];
      continue;
    }
    // The first maximum in scan order (a, b, p, d): a wins ties with everything after it, and so on.
    const wa = +(a >= b) * +(a >= p) * +(a >= d);
    const wb = (1 - wa) * +(b >= p) * +(b >= d);
    const wp = (1 - wa) * (1 - wb) * +(p >= d);
    const wd = (1 - wa) * (1 - wb) * (1 - wp);
    dx[k1 + wb * channels + wp * rowStride + wd * (rowStride + channels)] += g[gBase + c]; // += as the scan: 0 + (−0) is +0
  }
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
      return Array.isArray(out) ? copied : copied[0];
    } finally {
      for (const id of written) cpu.disposeData(id);
    }
  };
}

/**
 * `out[s, …] = Σ_{i: ids[i] = s} x[i, …]` for `s < numSegments` (ids outside `[0, numSegments)` are dropped, as in
 * TensorFlow), by one pass of scatter-adds.
 */
function unsortedSegmentSum(args: {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: { numSegments: number };
}): tf.TensorInfo {
  const { x, segmentIds } = args.inputs;
  const backend = args.backend;
  const numSegments = args.attrs.numSegments;
  const rows = segmentIds.shape.reduce((p, d) => p * d, 1);
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const values = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array | Float32Array;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (!(s >= 0 && s < numSegments)) continue;
    const o = s * inner;
    const xi = i * inner;
    for (let k = 0; k < inner; k++) out[o + k] += values[xi + k];
  }
  return backend.makeOutput([numSegments, ...innerShape], x.dtype, undefined, out);
}

/**
 * Stride-1 NHWC `Conv2DBackpropInput` as a forward `Conv2D` (XNNPACK): `dx = conv(dy, W')` with
 * `W'[i, j, o, c] = W[kh−1−i, kw−1−j, c, o]` and padding `k − 1 − pad` on each side. Other cases keep `original`.
 */
function conv2dBackpropInputViaConv(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as {
      strides: number | [number, number];
      pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
      dataFormat: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: [number, number, number, number];
    };
    const strides = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
    if (attrs.dataFormat === 'NCHW') return original(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
    if (ci <= FEW_INPUT_CHANNELS && dy.dtype === 'float32' && filter.dtype === 'float32') {
      const viaGemm = conv2dBackpropInputViaGemm(backend, dy, filter, attrs.inputShape, strides as [number, number], attrs.pad, attrs.dimRoundingMode);
      if (viaGemm) return viaGemm;
    }
    if (strides[0] !== 1 || strides[1] !== 1) return original(args);
    const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, [kh, kw, ci, co], 1, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const { top, bottom, left, right } = info.padInfo;
    const pads = [kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right];
    if (pads.some((p) => p < 0)) return original(args);
    const w = backend.readSync(filter.dataId) as Float32Array;
    const flipped = new Float32Array(w.length);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
        const dst = (i * kw + j) * co * ci;
        for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) flipped[dst + o * ci + c] = w[src + c * co + o];
      }
    }
    const rotated = backend.makeOutput([kh, kw, co, ci], 'float32', undefined, flipped);
    try {
      return tf.getKernel('Conv2D', 'wasm')!.kernelFunc({
        inputs: { x: dy, filter: rotated },
        backend: args.backend,
        attrs: {
          strides: 1,
          dilations: 1,
          dataFormat: 'NHWC',
          pad: [
            [0, 0],
            [pads[0], pads[1]],
            [pads[2], pads[3]],
            [0, 0],
          ],
        },
      }) as tf.TensorInfo;
    } finally {
      backend.disposeData(rotated.dataId);
    }
  };
}

/**
 * `patchesT(x, out, nb, inH, inW, C, outH, outW, fh, fw, sh, sw, top, left)` over byte offsets: the NHWC im2col of
 * `nb` images, transposed — a row-major `[fh·fw·C, nb·outH·outW]` matrix written row by row, zeros where a tap falls
 * outside the image — the layout {@link conv2dBackpropFilter} builds in JavaScript below. Assembled from `im2col.wat` (next to this file) with wabt 1.0.39 (`wat2wasm`).
 */
const IM2COL_WASM =
  'AGFzbQEAAAABEgFgDn9/f39/f39/f39/f39/AAIPAQNlbnYGbWVtb3J5AgABAwIBAAcMAQhwYXRjaGVzVAAACtcDAdQDAQ5/IAVBAnQhFiALIBZsIRcCQANAIA4gCE8NAUEAIQ8CQANAIA8gCU8NAUEAIRkCQANAIBkgC2wgDWsgD2pBAE4NASAZIAdPDQEgGUEBaiEZDAALCyAZIRoCQANAIBogB08NASAaIAtsIA1rIA9qIARODQEgGkEBaiEaDAALC0EAIRACQANAIBAgBU8NAUEAIRECQANAIBEgAk8NAUEAIRICQANAIBIgBk8NASASIApsIAxrIA5qIRQgFCADSQRAIAEgGUECdGohGwJAA0AgASAbTw0BIAFDAAAAADgCACABQQRqIQEMAAsLIAAgESADbCAUaiAEbCAZIAtsIA1rIA9qaiAWbCAQQQJ0amohGCABIBogGWtBAnRqIRsCQANAIAEgG08NASABIBgqAgA4AgAgAUEEaiEBIBggF2ohGAwACwsgASAHIBprQQJ0aiEbAkADQCABIBtPDQEgAUMAAAAAOAIAIAFBBGohAQwACwsFIAEgB0ECdGohGwJAA0AgASAbTw0BIAFDAAAAADgCACABQQRqIQEMAAsLCyASQQFqIRIMAAsLIBFBAWohEQwACwsgEEEBaiEQDAALCyAPQQFqIQ8MAAsLIA5BAWohDgwACwsL';

/**
 * Up to this many input channels, `Conv2DBackpropInput` runs as {@link conv2dBackpropInputViaGemm}: the rotated
 * forward conv then has as few output channels, which XNNPACK runs at a fraction of its speed. Measured for 3 × 3,
 * C_in → 16 at 100 × 28 × 28 (ms, XNNPACK / product and scatter): C_in = 1 9.0 / 6.0, 2 9.5 / 9.4, 3 8.9 / 13.5.
 */
const FEW_INPUT_CHANNELS = 1;

/**
 * `col2im(p, dx, nb, inH, inW, C, outH, outW, fh, fw, sh, sw, top, left)` over byte offsets: adds each row of a
 * `[nb·outH·outW, fh·fw·C]` patch matrix into the NHWC pixels its taps come from (the adjoint of im2col), skipping
 * taps outside the input. Assembled from `col2im.wat` (next to this file) with wabt 1.0.39 (`wat2wasm`).
 */
const COL2IM_WASM =
  'AGFzbQEAAAABEgFgDn9/f39/f39/f39/f39/AAIPAQNlbnYGbWVtb3J5AgABAwIBAAcKAQZjb2wyaW0AAAqNAwGKAwEPfyAFQQJ0IRUgCCAJbCAVbCEXIAsgFWwhGCAAIRYCQANAIA4gAk8NAUEAIQ8CQANAIA8gBk8NAUEAIRACQANAIBAgCE8NASAPIApsIAxrIBBqIRIgEiADSQRAQQAhEQJAA0AgESAJTw0BQQAhEwJAA0AgEyAHTw0BIBMgC2wgDWsgEWpBAE4NASATQQFqIRMMAAsLIBMhFAJAA0AgFCAHTw0BIBQgC2wgDWsgEWogBE4NASAUQQFqIRQMAAsLIBYgEyAXbCAQIAlsIBFqIBVsamohGSABIA4gA2wgEmogBGwgEyALbCANayARamogFWxqIRogFCATayEbAkADQCAbQQBMDQFBACEcAkADQCAcIBVPDQEgGiAcaiAaIBxqKgIAIBkgHGoqAgCSOAIAIBxBBGohHAwACwsgGSAXaiEZIBogGGohGiAbQQFrIRsMAAsLIBFBAWohEQwACwsLIBBBAWohEAwACwsgFiAHIBdsaiEWIA9BAWohDwwACwsgDkEBaiEODAALCws=';

/**
 * NHWC `Conv2DBackpropInput` for any stride and padding as a product and a scatter: `P = dy · Wᵣ` by wasmGemm, with
 * `dy` read as `[N·H_out·W_out, C_out]` and `Wᵣ[o, (i, j, c)] = W[i, j, c, o]`, then col2im adds
 * `P[(n, y, x), (i, j, c)]` into `dx[n, y·s_h + i − pad_top, x·s_w + j − pad_left, c]` for every tap inside the input,
 * in chunks of images that keep `P` near {@link PATCH_BUDGET} floats. `null` where the wasm kernels cannot run.
 */
function conv2dBackpropInputViaGemm(
  backend: WasmBackendLike,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  inputShape: [number, number, number, number],
  strides: [number, number],
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
): tf.TensorInfo | null {
  const gemm = wasmGemmFor(backend);
  const col2im = wasmExportsOnBackend(backend, COL2IM_WASM)?.col2im as ((...args: number[]) => void) | undefined;
  if (!gemm || !col2im) return null;
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, [kh, kw, ci, co], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const [batch, inH, inW] = inputShape;
  const { outHeight, outWidth } = info;
  const taps = kh * kw * ci;
  const perImage = outHeight * outWidth;
  const chunk = Math.max(1, Math.min(batch, Math.floor(PATCH_BUDGET / Math.max(1, taps * perImage))));
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const wr = new Float32Array(co * taps);
  for (let t = 0; t < taps; t++) for (let o = 0; o < co; o++) wr[o * taps + t] = w[t * co + o];
  const right = backend.makeOutput([co, taps], 'float32', undefined, wr);
  const cols = backend.makeOutput([chunk * perImage, taps], 'float32');
  const out = backend.makeOutput(inputShape.slice(), 'float32');
  // Views only after every allocation: a growing wasm heap detaches earlier ones.
  const at = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  for (let b0 = 0; b0 < batch; b0 += chunk) {
    const nb = Math.min(chunk, batch - b0);
    gemm(at(dy) + b0 * perImage * co * 4, at(right), at(cols), 0, nb * perImage, co, taps, 4 * co, 4);
    col2im(
      at(cols),
      at(out) + b0 * inH * inW * ci * 4,
      nb,
      inH,
      inW,
      ci,
      outHeight,
      outWidth,
      kh,
      kw,
      strides[0],
      strides[1],
      info.padInfo.top,
      info.padInfo.left,
    );
  }
  backend.disposeData(right.dataId);
  backend.disposeData(cols.dataId);
  return out;
}

/** Images per im2col chunk are chosen so one transposed patch matrix stays near this many floats (64 MiB). */
const PATCH_BUDGET = 16 * 1024 * 1024;

/**
 * `dW = im2col(x)ᵀ · dy` for NHWC input. The patch matrix is built already transposed (`K × P`, K = kh·kw·C_in,
 * P = patches) so the wasm matMul runs without a transpose flag; large batches are processed in chunks of images and
 * the partial products summed.
 */
function conv2dBackpropFilter(args: {
  inputs: { x: tf.TensorInfo; dy: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: Record<string, unknown>;
}): tf.TensorInfo {
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
  const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  const filterShape = [filterHeight, filterWidth, inChannels, outChannels];
  const chunks = Math.ceil(batchSize / chunk);
  const total = chunks > 1 ? new Float32Array(K * outChannels) : null;
  const gemm = wasmGemmFor(backend);
  const im2col = wasmExportsOnBackend(backend, IM2COL_WASM)?.patchesT as ((...args: number[]) => void) | undefined;
  if (gemm && im2col) {
    // The loop below with its two halves in wasm: the transposed patch matrix written row by row (SIMD-free but
    // 4–6× faster than the JavaScript scatter) and dW = patchesᵀ·dy by wasmGemm, with the same sums in the same order.
    for (let b0 = 0; b0 < batchSize; b0 += chunk) {
      const nb = Math.min(chunk, batchSize - b0);
      const P = nb * perImage;
      const patches = backend.makeOutput([K, P], 'float32');
      const product = backend.makeOutput(total ? [K, outChannels] : filterShape, 'float32');
      // Views only after both allocations: a growing wasm heap detaches earlier ones.
      const at = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
      im2col(
        at(x) + b0 * inHeight * inWidth * inChannels * 4,
        at(patches),
        nb,
        inHeight,
        inWidth,
        inChannels,
        outHeight,
        outWidth,
        filterHeight,
        filterWidth,
        strideHeight,
        strideWidth,
        top,
        left,
      );
      gemm(at(patches), at(dy) + b0 * perImage * outChannels * 4, at(product), 0, K, P, outChannels, 4 * P, 4);
      backend.disposeData(patches.dataId);
      if (!total) return product;
      const pv = backend.typedArrayFromHeap(product) as Float32Array;
      for (let i = 0; i < total.length; i++) total[i] += pv[i];
      backend.disposeData(product.dataId);
    }
    return backend.makeOutput(filterShape, 'float32', undefined, total ?? undefined);
  }
  for (let b0 = 0; b0 < batchSize; b0 += chunk) {
    const nb = Math.min(chunk, batchSize - b0);
    const P = nb * perImage;
    // The patches are built in the wasm heap itself, and x is read through a view (never copied out whole).
    const a = backend.makeOutput([1, K, P], 'float32');
    const patchesT = backend.typedArrayFromHeap(a) as Float32Array;
    patchesT.fill(0);
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
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
              for (let c = 0; c < inChannels; c++) patchesT[(kBase + c) * P + p] = xv[src + c];
            }
          }
        }
      }
    }
    // One chunk: dy itself is the right operand, reshaped without a copy.
    let bInfo: tf.TensorInfo = { dataId: dy.dataId, shape: [1, P, outChannels], dtype: 'float32' };
    if (total) {
      bInfo = backend.makeOutput([1, P, outChannels], 'float32');
      const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
      (backend.typedArrayFromHeap(bInfo) as Float32Array).set(dyv.subarray(b0 * perImage * outChannels, (b0 + nb) * perImage * outChannels));
    }
    const product = matMul({
      inputs: { a, b: bInfo },
      backend: backend as unknown as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
    backend.disposeData(a.dataId);
    if (!total) return { dataId: product.dataId, shape: filterShape, dtype: 'float32' };
    const pv = backend.typedArrayFromHeap(product) as Float32Array;
    for (let i = 0; i < total.length; i++) total[i] += pv[i];
    backend.disposeData(bInfo.dataId);
    backend.disposeData(product.dataId);
  }
  return backend.makeOutput(filterShape, 'float32', undefined, total ?? undefined);
}
