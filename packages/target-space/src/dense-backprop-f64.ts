/**
 * One backpropagation step of a dense network in float64 without allocating: the forward pass (eq. 2, batch-first,
 * `S_ℓ = [1 | A_k for k ∈ I(ℓ)] · W_ℓ` with the bias in row 0 of `W_ℓ`), the mean softmax cross-entropy or mean
 * squared error, and the gradients of every `W_ℓ`, all in buffers allocated once per batch size. The same
 * arithmetic as the recorded {@link Float64Ops} tape (`feedForward` + loss + `Tape.gradients`), in the same order, so
 * the same bits, with the concatenations, the tape's closures and its per-node arrays gone.
 *
 * With shortcuts every layer's input is a prefix of one wide matrix `[1 | x | A_1 | … | A_{L−1}]`, so the
 * concatenation of eq. 2 is free; without, each layer has its own `[1 | A_{ℓ−1}]`. The buffers are stored
 * feature-major, so every inner loop runs over the batch: on two-spirals the fan-ins and widths are 2–18, too short
 * for a loop over them to pay for itself.
 */
import { ACTIVATIONS, InvalidArgumentError, ShapeError } from '@beyond-backprop/core-linalg';
import { fanIns, type ResolvedDenseArchitecture } from './dense-architecture.js';
import { LEAKY_RELU_ALPHA } from './tensor-ops.js';

/** The buffers of one batch size, feature-major (`[features, n]`). */
interface Buffers {
  /** Layer ℓ's input `[1 | …]ᵀ` (`inFeatures[ℓ]` rows) and the same layout for its gradient. */
  inputs: Float64Array[];
  dInputs: Float64Array[];
  /** Pre-activations `S_ℓᵀ`, `[d_ℓ, n]`; the last is the logits. */
  sums: Float64Array[];
  /** `∂L/∂S_ℓ`, `[d_ℓ, n]`. */
  dSums: Float64Array[];
  /** Softmax probabilities or the MSE residual of the output, `[d_L, n]`. */
  residual: Float64Array;
  /** One row of partial sums, `[n]`. */
  scratch: Float64Array;
}

/**
 * Float64 backprop for one {@link ResolvedDenseArchitecture}: `step(weights, x, y, n)` returns the loss and leaves
 * `∂loss/∂W_ℓ` in {@link DenseBackpropF64.grads} (`[f_ℓ, d_ℓ]`, row-major, the layout of the weights). Nothing is
 * allocated after the first step of each batch size.
 *
 * @example
 * ```ts
 * const arch = resolveDenseArchitecture('demo', { layers: [2, 5, 2], shortcuts: true });
 * const weights = fanIns(arch).map((f, l) => new Float64Array(f * arch.layers[l + 1]).fill(0.1));
 * const bp = new DenseBackpropF64(arch);
 * const x = Float64Array.of(0.5, -1, 2, 0.25); // two rows of two features
 * const loss = bp.step(weights, x, Int32Array.of(0, 1), 2); // ln 2: equal logits
 * bp.grads; // ∂loss/∂W_1 [3, 5], ∂loss/∂W_2 [8, 2]
 * ```
 */
export class DenseBackpropF64 {
  readonly architecture: ResolvedDenseArchitecture;
  /** The gradient of each layer's weights after the last {@link step}. */
  readonly grads: Float64Array[];
  private readonly fanIns: number[];
  private readonly inFeatures: number[];
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
    this.fanIns = fanIns(architecture);
    this.inFeatures = [];
    this.outAt = [];
    this.firstHidden = [];
    const wide = 1 + d.slice(0, L).reduce((p, w) => p + w, 0);
    let col = 1 + d[0];
    for (let l = 1; l <= L; l++) {
      if (architecture.shortcuts) {
        this.inFeatures.push(wide);
        this.firstHidden.push(1 + d[0]);
        this.outAt.push({ buffer: 0, col });
        col += d[l];
      } else {
        this.inFeatures.push(1 + d[l - 1]);
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
    const shortcuts = this.architecture.shortcuts;

    // Feature-major buffers (`[features, n]`): every inner loop below runs over the n rows of the batch, contiguous.
    // Input: the ones row and xᵀ (the first layer's input in either layout).
    {
      const z = b.inputs[shortcuts ? 0 : 1];
      z.fill(1, 0, n);
      const d0 = d[0];
      for (let i = 0; i < n; i++) for (let c = 0; c < d0; c++) z[(1 + c) * n + i] = x[i * d0 + c];
    }
    for (let l = 1; l <= L; l++) {
      const input = b.inputs[shortcuts ? 0 : l];
      const fanIn = this.fanIns[l - 1];
      const w = weights[l - 1];
      const dl = d[l];
      const s = b.sums[l - 1];
      // S_ℓ = 𝔄·W_ℓ: each sum accumulates over the fan-in in ascending order, as a row-by-column product does. Four
      // fan-in columns per pass over the batch: `s + a·w + b·v + …` is added left to right, the same order.
      s.fill(0);
      for (let j = 0; j < dl; j++) {
        const sj = j * n;
        let c = 0;
        for (; c + 4 <= fanIn; c += 4) {
          const w0 = w[c * dl + j];
          const w1 = w[(c + 1) * dl + j];
          const w2 = w[(c + 2) * dl + j];
          const w3 = w[(c + 3) * dl + j];
          const z0 = c * n;
          for (let i = 0; i < n; i++) {
            s[sj + i] = s[sj + i] + input[z0 + i] * w0 + input[z0 + n + i] * w1 + input[z0 + 2 * n + i] * w2 + input[z0 + 3 * n + i] * w3;
          }
        }
        for (; c < fanIn; c++) {
          const wv = w[c * dl + j];
          const zc = c * n;
          for (let i = 0; i < n; i++) s[sj + i] += input[zc + i] * wv;
        }
      }
      if (l === L) break;
      const out = this.outAt[l - 1];
      const target = b.inputs[out.buffer];
      if (!shortcuts) target.fill(1, 0, n);
      const base = out.col * n;
      const count = dl * n;
      for (let e = 0; e < count; e++) target[base + e] = f(s[e], alpha);
    }

    // Loss and ∂L/∂S_L (Tape.softmaxCrossEntropy / Tape.meanSquaredError, the same expressions), logits `[k, n]`.
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
        for (let j = 0; j < k; j++) m = Math.max(m, z[j * n + i]);
        let sum = 0;
        for (let j = 0; j < k; j++) {
          const e = Math.exp(z[j * n + i] - m);
          p[j * n + i] = e;
          sum += e;
        }
        for (let j = 0; j < k; j++) p[j * n + i] = p[j * n + i] / sum;
        if (label < 0) continue;
        scored++;
        loss += m + Math.log(sum) - z[label * n + i];
      }
      const denom = Math.max(1, scored);
      loss /= denom;
      const scale = 1 / denom;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < n; i++) {
          const label = y[i];
          dz[j * n + i] = label < 0 ? 0 : scale * (p[j * n + i] - (j === label ? 1 : 0));
        }
      }
    } else {
      // Summed in the targets' row-major order, as the tape does.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) {
          const r = z[j * n + i] - y[i * k + j];
          p[j * n + i] = r;
          loss += r * r;
        }
      }
      const total = n * k;
      loss /= total;
      const c = 2 / total;
      for (let e = 0; e < total; e++) dz[e] = c * p[e];
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
        const base = out.col * n;
        const s = b.sums[l - 1];
        const count = dl * n;
        if (sigmoid) {
          for (let e = 0; e < count; e++) {
            const yv = a[base + e];
            ds[e] = da[base + e] * yv * (1 - yv);
          }
        } else {
          for (let e = 0; e < count; e++) ds[e] = da[base + e] * df(s[e], a[base + e], alpha);
        }
      }
      const input = b.inputs[shortcuts ? 0 : l];
      const dInput = b.dInputs[shortcuts ? 0 : l];
      const fanIn = this.fanIns[l - 1];
      const w = weights[l - 1];
      const g = this.grads[l - 1];
      // ∂L/∂W_ℓ = 𝔄ᵀ·∂L/∂S_ℓ: a dot product over the batch for every weight.
      // Four outputs per pass over the batch: four independent sums, each still added in batch order.
      for (let c = 0; c < fanIn; c++) {
        const zc = c * n;
        let j = 0;
        for (; j + 4 <= dl; j += 4) {
          const s0 = j * n;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          for (let i = 0; i < n; i++) {
            const v = input[zc + i];
            a0 += v * ds[s0 + i];
            a1 += v * ds[s0 + n + i];
            a2 += v * ds[s0 + 2 * n + i];
            a3 += v * ds[s0 + 3 * n + i];
          }
          g[c * dl + j] = a0;
          g[c * dl + j + 1] = a1;
          g[c * dl + j + 2] = a2;
          g[c * dl + j + 3] = a3;
        }
        if (j + 2 <= dl) {
          const s0 = j * n;
          let a0 = 0;
          let a1 = 0;
          for (let i = 0; i < n; i++) {
            const v = input[zc + i];
            a0 += v * ds[s0 + i];
            a1 += v * ds[s0 + n + i];
          }
          g[c * dl + j] = a0;
          g[c * dl + j + 1] = a1;
          j += 2;
        }
        for (; j < dl; j++) {
          const sj = j * n;
          let acc = 0;
          for (let i = 0; i < n; i++) acc += input[zc + i] * ds[sj + i];
          g[c * dl + j] = acc;
        }
      }
      if (l === 1) continue;
      // ∂L/∂𝔄 += ∂L/∂S_ℓ·W_ℓᵀ, only for the columns that are hidden activations.
      // Each entry's terms are summed over j first and then added, the tape's order, so results stay bit-identical.
      // Four outputs of the layer per pass over the batch, added left to right as the one-at-a-time loop did.
      const t = b.scratch;
      for (let c = this.firstHidden[l - 1]; c < fanIn; c++) {
        const zc = c * n;
        const wc = c * dl;
        t.fill(0);
        let j = 0;
        for (; j + 4 <= dl; j += 4) {
          const w0 = w[wc + j];
          const w1 = w[wc + j + 1];
          const w2 = w[wc + j + 2];
          const w3 = w[wc + j + 3];
          const s0 = j * n;
          for (let i = 0; i < n; i++) t[i] = t[i] + ds[s0 + i] * w0 + ds[s0 + n + i] * w1 + ds[s0 + 2 * n + i] * w2 + ds[s0 + 3 * n + i] * w3;
        }
        for (; j < dl; j++) {
          const wv = w[wc + j];
          const sj = j * n;
          for (let i = 0; i < n; i++) t[i] += ds[sj + i] * wv;
        }
        for (let i = 0; i < n; i++) dInput[zc + i] += t[i];
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
      ? [new Float64Array(n * this.inFeatures[0])]
      : [new Float64Array(0), ...this.inFeatures.map((s) => new Float64Array(n * s))];
    const b: Buffers = {
      inputs,
      dInputs: inputs.map((a) => new Float64Array(a.length)),
      sums: d.slice(1).map((w) => new Float64Array(n * w)),
      dSums: d.slice(1).map((w) => new Float64Array(n * w)),
      residual: new Float64Array(n * d[L]),
      scratch: new Float64Array(n),
    };
    // A fit alternates between at most two sizes (full batches and the last one); keep a few.
    if (this.cache.size >= 4) this.cache.clear();
    this.cache.set(n, b);
    return b;
  }
}
