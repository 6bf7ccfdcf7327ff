/**
 * Adam as one pass over each parameter buffer instead of tfjs' fourteen element-wise ops per variable (each a kernel
 * dispatch and a fresh buffer): a registered `BbpFusedAdam` kernel for the wasm and cpu backends, driven by a subclass
 * of `tf.AdamOptimizer` so that its state, configuration and checkpoints are exactly tfjs Adam's.
 */
import * as tf from '@tensorflow/tfjs';
import { registerOnArrayBackends, runOnBackendArrays, wasmExportsOnBackend } from '@beyond-backprop/core-linalg';

/** Name of the fused kernel (visible as such in `tf.profile`). */
export const FUSED_ADAM_KERNEL = 'BbpFusedAdam';

interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  /** `1 − β1ᵗ` and `1 − β2ᵗ` as float32, the values tfjs divides by. */
  correction1: number;
  correction2: number;
  epsilon: number;
  learningRate: number;
}

/**
 * The Adam update of Kingma & Ba (2015, Algorithm 1) in tfjs' exact float32 operation order, element by element:
 * `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`, `θ ← θ − lr·(m/c1) / (√(v/c2) + ε)` with tfjs' float32 running
 * products `c1 = 1 − β1ᵗ`, `c2 = 1 − β2ᵗ`. Every intermediate is rounded to float32 (`Math.fround`); each is one IEEE
 * operation on float32 operands, so computing it in double and rounding once gives the float32 result and the update
 * equals tfjs' op by op. The cpu-backend path; on wasm the same sequence runs as 4-lane SIMD ({@link ADAM_WASM}).
 */
function adamPass(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  pOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  k: AdamConstants,
): void {
  const f = Math.fround;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * k.b1) + f(gi * k.c1));
    const vi = f(f(v[i] * k.b2) + f(f(gi * gi) * k.c2));
    mOut[i] = mi;
    vOut[i] = vi;
    const den = f(f(Math.sqrt(f(vi / k.k2))) + k.eps);
    pOut[i] = f(f(f(f(mi / k.k1) / den) * k.negLr) + p[i]);
  }
}

/** The float32 constants of one update, as tfjs makes them (numbers become float32 scalars). */
interface AdamConstants {
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  k1: number;
  k2: number;
  eps: number;
  negLr: number;
}

function constants(a: FusedAdamAttrs): AdamConstants {
  const f = Math.fround;
  return {
    b1: f(a.beta1),
    c1: f(1 - a.beta1),
    b2: f(a.beta2),
    c2: f(1 - a.beta2),
    k1: f(a.correction1),
    k2: f(a.correction2),
    eps: f(a.epsilon),
    negLr: f(-a.learningRate),
  };
}

/**
 * `adam(p, g, m, v, pOut, mOut, vOut, n, β1, 1−β1, β2, 1−β2, c1, c2, ε, −lr)` over byte offsets into the tfjs wasm
 * backend's own memory (imported, so nothing is copied): the float32 sequence of {@link adamPass} with `f32x4` SIMD
 * (IEEE-exact `div`/`sqrt`, so bit-identical to it) and a scalar tail. Assembled from `fused-adam.wat` (next to this
 * file) with wabt 1.0.39 (`wat2wasm --enable-simd`).
 */
const ADAM_WASM =
  'AGFzbQEAAAABFAFgEH9/f39/f39/fX19fX19fX0AAg8BA2VudgZtZW1vcnkCAAADAgEABwgBBGFkYW0AAArzAgHwAgMDfwt7A30gCP0TIRMgCf0TIRQgCv0TIRUgC/0TIRYgDP0TIRcgDf0TIRggDv0TIRkgD/0TIRogB0F8cUECdCERIAdBAnQhEkEAIRACQANAIBAgEU8NASABIBBq/QAEACEbIAIgEGr9AAQAIBP95gEgGyAU/eYB/eQBIRwgAyAQav0ABAAgFf3mASAbIBv95gEgFv3mAf3kASEdIAUgEGogHP0LBAAgBiAQaiAd/QsEACAEIBBqIBwgF/3nASAdIBj95wH94wEgGf3kAf3nASAa/eYBIAAgEGr9AAQA/eQB/QsEACAQQRBqIRAMAAsLAkADQCAQIBJPDQEgASAQaioCACEeIAIgEGoqAgAgCJQgHiAJlJIhHyADIBBqKgIAIAqUIB4gHpQgC5SSISAgBSAQaiAfOAIAIAYgEGogIDgCACAEIBBqIB8gDJUgICANlZEgDpKVIA+UIAAgEGoqAgCSOAIAIBBBBGohEAwACwsL';

type AdamWasm = (...args: number[]) => void;

/** The SIMD update bound to the wasm backend's memory, or `null` where it cannot be instantiated. */
function wasmAdamFor(backend: unknown): AdamWasm | null {
  return (wasmExportsOnBackend(backend, ADAM_WASM)?.adam as AdamWasm | undefined) ?? null;
}

function fusedAdamKernel(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { x, g, m, v } = args.inputs as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
  const k = constants(args.attrs as unknown as FusedAdamAttrs);
  const simd = wasmAdamFor(args.backend);
  return runOnBackendArrays(args.backend, [x, g, m, v], [x.shape, x.shape, x.shape], (ins, outs, onHeap) => {
    const [p, gv, mv, vv] = ins as Float32Array[];
    const [pOut, mOut, vOut] = outs;
    if (onHeap && simd) {
      simd(...[p, gv, mv, vv, pOut, mOut, vOut].map((a) => a.byteOffset), p.length, k.b1, k.c1, k.b2, k.c2, k.k1, k.k2, k.eps, k.negLr);
    } else {
      adamPass(p, gv, mv, vv, pOut, mOut, vOut, k);
    }
  });
}

function ensureFusedAdamKernel(): void {
  registerOnArrayBackends(FUSED_ADAM_KERNEL, fusedAdamKernel as unknown as tf.KernelFunc);
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
 * use tfjs' own update). Same constructor, same results (each float32 operation of tfjs' Adam, in its order: the
 * parameters and moments are bit-identical), same state: the moments live in tfjs' `…/m`, `…/v` variables and `getWeights`/`setWeights`/`getConfig` are inherited, so
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
    const correction1 = f(1 - self.accBeta1.dataSync()[0]);
    const correction2 = f(1 - self.accBeta2.dataSync()[0]);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = list ? list[i].tensor : map![name];
        if (gradient == null) return;
        const first = self.accumulatedFirstMoment[i].variable;
        const second = self.accumulatedSecondMoment[i].variable;
        const attrs: FusedAdamAttrs = {
          beta1: self.beta1,
          beta2: self.beta2,
          correction1,
          correction2,
          epsilon: self.epsilon,
          learningRate: self.learningRate,
        };
        const [p, m, v] = tf
          .engine()
          .runKernel(FUSED_ADAM_KERNEL, { x: value, g: gradient, m: first, v: second }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
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
