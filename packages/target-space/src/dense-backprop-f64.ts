/**
 * One backpropagation step of a dense network in float64 without allocating: the forward pass (eq. 2, batch-first,
 * `S_ℓ = [1 | A_k for k ∈ I(ℓ)] · W_ℓ` with the bias in row 0 of `W_ℓ`), the mean softmax cross-entropy or mean
 * squared error, and the gradients of every `W_ℓ`, all in buffers allocated once per batch size. The same
 * arithmetic as the recorded {@link Float64Ops} tape (`feedForward` + loss + `Tape.gradients`) with the concatenations,
 * the tape's closures and its per-node arrays gone: on two-spirals the tape spends most of a step allocating.
 *
 * With shortcuts every layer's input is a prefix of one wide row `[1 | x | A_1 | … | A_{L−1}]`, so the
 * concatenation of eq. 2 is free; without, each layer has its own `[1 | A_{ℓ−1}]`.
 */
import { ACTIVATIONS, InvalidArgumentError, ShapeError } from '@beyond-backprop/core-linalg';
import type { ResolvedDenseArchitecture } from './dense-architecture.js';
import { LEAKY_RELU_ALPHA } from './tensor-ops.js';

/** The buffers of one batch size. */
interface Buffers {
  n: number;
  /** Layer ℓ's input `[1 | …]` (row stride `inStride[ℓ]`) and the same layout for its gradient. */
  inputs: Float64Array[];
  dInputs: Float64Array[];
  /** Pre-activations `S_ℓ`, `[n, d_ℓ]`; the last is the logits. */
  sums: Float64Array[];
  /** `∂L/∂S_ℓ`, `[n, d_ℓ]`. */
  dSums: Float64Array[];
  /** Softmax probabilities or the MSE residual of the output, `[n, d_L]`. */
  residual: Float64Array;
}

/**
 * Float64 backprop for one {@link ResolvedDenseArchitecture}: `step(weights, x, y, n)` returns the loss and leaves
 * `∂loss/∂W_ℓ` in {@link DenseBackpropF64.grads} (`[f_ℓ, d_ℓ]`, row-major, the layout of the weights). Nothing is
 * allocated after the first step of each batch size.
 *
 * @example
 * ```ts
 * const arch = resolveDenseArchitecture('demo', { layers: [2, 5, 2], shortcuts: true });
 * const bp = new DenseBackpropF64(arch);
 * const loss = bp.step(weights.map((w) => w.data), xRows, labels, labels.length);  // then bp.grads
 * ```
 */
export class DenseBackpropF64 {
  readonly architecture: ResolvedDenseArchitecture;
  /** The gradient of each layer's weights after the last {@link step}. */
  readonly grads: Float64Array[];
  private readonly fanIns: number[];
  private readonly inStride: number[];
  /** Where layer ℓ's activation is written: input buffer index, column. */
  private readonly outAt: Array<{ buffer: number; col: number }>;
  /** First column of layer ℓ's input that is a hidden activation (the ones and x get no gradient). */
  private readonly firstHidden: number[];
  private readonly cache = new Map<number, Buffers>();
  private readonly alpha: number;

  constructor(architecture: ResolvedDenseArchitecture, leakyAlpha = LEAKY_RELU_ALPHA) {
    this.architecture = architecture;
    this.alpha = leakyAlpha;
    const d = architecture.layers;
    const L = d.length - 1;
    this.fanIns = [];
    this.inStride = [];
    this.outAt = [];
    this.firstHidden = [];
    const wide = 1 + d.slice(0, L).reduce((p, w) => p + w, 0);
    let col = 1 + d[0];
    for (let l = 1; l <= L; l++) {
      if (architecture.shortcuts) {
        this.fanIns.push(col);
        this.inStride.push(wide);
        this.firstHidden.push(1 + d[0]);
        this.outAt.push({ buffer: 0, col });
        col += d[l];
      } else {
        this.fanIns.push(1 + d[l - 1]);
        this.inStride.push(1 + d[l - 1]);
        this.firstHidden.push(l === 1 ? 1 + d[0] : 1);
        this.outAt.push({ buffer: l + 1, col: 1 });
      }
    }
    this.grads = this.fanIns.map((f, i) => new Float64Array(f * d[i + 1]));
  }

  /**
   * Forward, loss and backward for rows `x` (`[n, d_0]`, row-major) against class labels (`Int32Array`, `[n]`;
   * negative = unscored, as `softmaxCrossEntropy`) or regression targets (`Float32Array`, `[n, d_L]`, mean squared
   * error). `weights[ℓ]` is `W_{ℓ+1}` row-major `[f, d]`. Returns the loss; a non-finite loss leaves the gradients
   * unspecified.
   */
  step(weights: readonly Float64Array[], x: Float64Array, y: Int32Array | Float32Array, n: number): number {
    const fn = 'DenseBackpropF64.step';
    const d = this.architecture.layers;
    const L = d.length - 1;
    if (weights.length !== L) throw new ShapeError(fn, 'weights', [L], [weights.length], 'one matrix per layer');
    weights.forEach((w, i) => {
      if (w.length !== this.grads[i].length) throw new ShapeError(fn, `weights[${i}]`, [this.fanIns[i], d[i + 1]], [w.length]);
    });
    if (!(Number.isInteger(n) && n > 0)) throw new InvalidArgumentError(fn, 'n', 'must be a positive integer', n);
    if (x.length !== n * d[0]) throw new ShapeError(fn, 'x', [n, d[0]], [x.length]);
    const k = d[L];
    if (y.length !== (y instanceof Int32Array ? n : n * k)) throw new ShapeError(fn, 'y', y instanceof Int32Array ? [n] : [n, k], [y.length]);
    const b = this.buffers(n);
    const spec = ACTIVATIONS[this.architecture.activation];
    const f = spec.f64;
    const alpha = this.alpha;

    // Input rows: the ones column and x (the first layer's input for either layout).
    {
      const z = b.inputs[this.architecture.shortcuts ? 0 : 1];
      const stride = this.inStride[0];
      for (let i = 0; i < n; i++) {
        z[i * stride] = 1;
        for (let c = 0; c < d[0]; c++) z[i * stride + 1 + c] = x[i * d[0] + c];
      }
    }
    for (let l = 1; l <= L; l++) {
      const input = b.inputs[this.architecture.shortcuts ? 0 : l];
      const stride = this.inStride[l - 1];
      const fanIn = this.fanIns[l - 1];
      const w = weights[l - 1];
      const dl = d[l];
      const s = b.sums[l - 1];
      for (let i = 0; i < n; i++) {
        const row = i * stride;
        for (let j = 0; j < dl; j++) {
          let acc = 0;
          for (let c = 0; c < fanIn; c++) acc += input[row + c] * w[c * dl + j];
          s[i * dl + j] = acc;
        }
      }
      if (l === L) break;
      const out = this.outAt[l - 1];
      const target = b.inputs[out.buffer];
      const outStride = this.inStride[this.architecture.shortcuts ? 0 : l];
      if (!this.architecture.shortcuts) for (let i = 0; i < n; i++) target[i * outStride] = 1;
      for (let i = 0; i < n; i++) for (let j = 0; j < dl; j++) target[i * outStride + out.col + j] = f(s[i * dl + j], alpha);
    }

    // Loss and ∂L/∂S_L (Tape.softmaxCrossEntropy / Tape.meanSquaredError, the same expressions).
    const z = b.sums[L - 1];
    const dz = b.dSums[L - 1];
    const p = b.residual;
    let loss = 0;
    if (y instanceof Int32Array) {
      let scored = 0;
      for (let i = 0; i < n; i++) {
        const label = y[i];
        if (label >= k) throw new InvalidArgumentError(fn, `y[${i}]`, `must be < ${k} (or negative to skip)`, label);
        let m = -Infinity;
        for (let j = 0; j < k; j++) m = Math.max(m, z[i * k + j]);
        let sum = 0;
        for (let j = 0; j < k; j++) {
          const e = Math.exp(z[i * k + j] - m);
          p[i * k + j] = e;
          sum += e;
        }
        for (let j = 0; j < k; j++) p[i * k + j] = p[i * k + j] / sum;
        if (label < 0) continue;
        scored++;
        loss += m + Math.log(sum) - z[i * k + label];
      }
      const denom = Math.max(1, scored);
      loss /= denom;
      const scale = 1 / denom;
      for (let i = 0; i < n; i++) {
        const label = y[i];
        for (let j = 0; j < k; j++) dz[i * k + j] = label < 0 ? 0 : scale * (p[i * k + j] - (j === label ? 1 : 0));
      }
    } else {
      const total = n * k;
      for (let i = 0; i < total; i++) {
        p[i] = z[i] - y[i];
        loss += p[i] * p[i];
      }
      loss /= total;
      const c = 2 / total;
      for (let i = 0; i < total; i++) dz[i] = c * p[i];
    }
    if (!Number.isFinite(loss)) return loss;

    for (const g of b.dInputs) g.fill(0);
    const sigmoid = this.architecture.activation === 'sigmoid';
    const df = spec.f64Derivative;
    for (let l = L; l >= 1; l--) {
      const dl = d[l];
      const ds = b.dSums[l - 1];
      if (l < L) {
        // ∂L/∂S_ℓ = ∂L/∂A_ℓ ⊙ f'(S_ℓ); sigmoid as (g·y)·(1 − y), the tape's association.
        const out = this.outAt[l - 1];
        const a = b.inputs[out.buffer];
        const da = b.dInputs[out.buffer];
        const outStride = this.inStride[this.architecture.shortcuts ? 0 : l];
        const s = b.sums[l - 1];
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < dl; j++) {
            const at = i * outStride + out.col + j;
            const yv = a[at];
            ds[i * dl + j] = sigmoid ? da[at] * yv * (1 - yv) : da[at] * df(s[i * dl + j], yv, alpha);
          }
        }
      }
      const input = b.inputs[this.architecture.shortcuts ? 0 : l];
      const dInput = b.dInputs[this.architecture.shortcuts ? 0 : l];
      const stride = this.inStride[l - 1];
      const fanIn = this.fanIns[l - 1];
      const w = weights[l - 1];
      const g = this.grads[l - 1];
      g.fill(0);
      for (let i = 0; i < n; i++) {
        const row = i * stride;
        for (let c = 0; c < fanIn; c++) {
          const v = input[row + c];
          for (let j = 0; j < dl; j++) g[c * dl + j] += v * ds[i * dl + j];
        }
      }
      if (l === 1) continue;
      for (let i = 0; i < n; i++) {
        const row = i * stride;
        for (let c = this.firstHidden[l - 1]; c < fanIn; c++) {
          let acc = 0;
          for (let j = 0; j < dl; j++) acc += ds[i * dl + j] * w[c * dl + j];
          dInput[row + c] += acc;
        }
      }
    }
    return loss;
  }

  private buffers(n: number): Buffers {
    const hit = this.cache.get(n);
    if (hit) return hit;
    const d = this.architecture.layers;
    const L = d.length - 1;
    // Shortcuts: one wide buffer (index 0); else buffer ℓ is layer ℓ's input `[1 | A_{ℓ−1}]` (index 0 unused).
    const inputs = this.architecture.shortcuts
      ? [new Float64Array(n * this.inStride[0])]
      : [new Float64Array(0), ...this.inStride.map((s) => new Float64Array(n * s))];
    const b: Buffers = {
      n,
      inputs,
      dInputs: inputs.map((a) => new Float64Array(a.length)),
      sums: d.slice(1).map((w) => new Float64Array(n * w)),
      dSums: d.slice(1).map((w) => new Float64Array(n * w)),
      residual: new Float64Array(n * d[L]),
    };
    // A fit alternates between at most two sizes (full batches and the last one); keep a few.
    if (this.cache.size >= 4) this.cache.clear();
    this.cache.set(n, b);
    return b;
  }
}
