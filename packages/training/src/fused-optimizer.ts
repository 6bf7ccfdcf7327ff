/**
 * Adam as one pass over each parameter buffer instead of tfjs' fourteen element-wise ops per variable (each a kernel
 * dispatch and a fresh buffer): a registered `BbpFusedAdam` kernel for the wasm and cpu backends, driven by a subclass
 * of `tf.AdamOptimizer` so that its state, configuration and checkpoints are exactly tfjs Adam's.
 */
import * as tf from '@tensorflow/tfjs';

/** Name of the fused kernel (visible as such in `tf.profile`). */
export const FUSED_ADAM_KERNEL = 'BbpFusedAdam';

const FUSED_BACKENDS = ['wasm', 'cpu'] as const;

interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  /** `1 − β1ᵗ` and `1 − β2ᵗ` as float32, the values tfjs divides by. */
  correction1: number;
  correction2: number;
  epsilon: number;
  learningRate: number;
}

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

interface PlainBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * The Adam update of Kingma & Ba (2015, Algorithm 1) in tfjs' exact float32 operation order, element by element:
 * `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`, `θ ← θ − lr·(m/c1) / (√(v/c2) + ε)`. Every intermediate is
 * rounded to float32 (`Math.fround`); since each is a single IEEE operation on float32 operands, computing it in double
 * and rounding once gives the float32 result, so the update equals tfjs' op by op.
 */
function adamPass(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, a: FusedAdamAttrs): void {
  const f = Math.fround;
  const b1 = f(a.beta1);
  const c1 = f(1 - a.beta1);
  const b2 = f(a.beta2);
  const c2 = f(1 - a.beta2);
  const k1 = f(a.correction1);
  const k2 = f(a.correction2);
  const eps = f(a.epsilon);
  const negLr = f(-a.learningRate);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * b1) + f(gi * c1));
    const vi = f(f(v[i]! * b2) + f(f(gi * gi) * c2));
    mOut[i] = mi;
    vOut[i] = vi;
    const den = f(f(Math.sqrt(f(vi / k2))) + eps);
    pOut[i] = f(f(f(f(mi / k1) / den) * negLr) + p[i]!);
  }
}

function fusedAdamKernel(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { x, g, m, v } = args.inputs as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
  const attrs = args.attrs as unknown as FusedAdamAttrs;
  const shape = x.shape.slice();
  const heap = args.backend as unknown as Partial<HeapBackend>;
  if (typeof heap.typedArrayFromHeap === 'function' && typeof heap.makeOutput === 'function') {
    const outs = [heap.makeOutput(shape, 'float32'), heap.makeOutput(shape, 'float32'), heap.makeOutput(shape, 'float32')];
    // Views only after every allocation: a growing wasm heap detaches earlier ones.
    const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap!(t) as Float32Array;
    adamPass(view(x), view(g), view(m), view(v), view(outs[0]!), view(outs[1]!), view(outs[2]!), attrs);
    return outs;
  }
  const plain = args.backend as unknown as PlainBackend;
  const read = (t: tf.TensorInfo) => plain.readSync(t.dataId) as Float32Array;
  const n = tf.util.sizeFromShape(shape);
  const pOut = new Float32Array(n);
  const mOut = new Float32Array(n);
  const vOut = new Float32Array(n);
  adamPass(read(x), read(g), read(m), read(v), pOut, mOut, vOut, attrs);
  return [plain.makeTensorInfo(shape, 'float32', pOut), plain.makeTensorInfo(shape, 'float32', mOut), plain.makeTensorInfo(shape, 'float32', vOut)];
}

function ensureFusedAdamKernel(): void {
  for (const backendName of FUSED_BACKENDS) {
    if (!tf.getKernel(FUSED_ADAM_KERNEL, backendName)) {
      tf.registerKernel({ kernelName: FUSED_ADAM_KERNEL, backendName, kernelFunc: fusedAdamKernel as unknown as tf.KernelFunc });
    }
  }
}

/** The parts of `tf.AdamOptimizer` that tfjs declares private; the subclass keeps them in tfjs' own layout. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/**
 * `tf.AdamOptimizer` whose update runs as one fused kernel per variable on the wasm and cpu backends (other backends
 * use tfjs' own update). Same constructor, same results (each float32 operation of tfjs' Adam, in its order), same
 * state: the moments live in tfjs' `…/m`, `…/v` variables and `getWeights`/`setWeights`/`getConfig` are inherited, so
 * checkpoints are interchangeable with `tf.train.adam`'s and it serialises under tfjs' class name `Adam`.
 *
 * @example
 * ```ts
 * const optimizer = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8);
 * model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });   // plain model.fit benefits too
 * ```
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number | null = null) {
    super(learningRate, beta1, beta2, epsilon ?? undefined);
    ensureFusedAdamKernel();
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!tf.getKernel(FUSED_ADAM_KERNEL, tf.getBackend())) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamState;
    const list = Array.isArray(variableGradients) ? (variableGradients as Array<{ name: string; tensor: tf.Tensor }>) : null;
    const map = list ? null : (variableGradients as Record<string, tf.Tensor | null | undefined>);
    const names = list ? list.map((v) => v.name) : Object.keys(map!);
    const f = Math.fround;
    const correction1 = f(1 - self.accBeta1.dataSync()[0]!);
    const correction2 = f(1 - self.accBeta2.dataSync()[0]!);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = list ? list[i]!.tensor : map![name];
        if (gradient == null) return;
        const first = self.accumulatedFirstMoment[i]!.variable;
        const second = self.accumulatedSecondMoment[i]!.variable;
        const attrs: FusedAdamAttrs = { beta1: self.beta1, beta2: self.beta2, correction1, correction2, epsilon: self.epsilon, learningRate: self.learningRate };
        const [p, m, v] = tf.engine().runKernel(FUSED_ADAM_KERNEL, { x: value, g: gradient, m: first, v: second }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        first.assign(m!);
        second.assign(v!);
        value.assign(p!);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }
}

/**
 * Adam with a fused update ({@link FusedAdamOptimizer}); arguments as `tf.train.adam`, including its default
 * ε (the backend's epsilon) when `epsilon` is omitted.
 *
 * @example
 * ```ts
 * const optimizer = fusedAdam(0.001);
 * optimizer.minimize(() => loss());
 * ```
 */
export function fusedAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
