/**
 * The synchronisation rule of data-parallel training by periodic model averaging (local SGD). Øland's thesis §3.1
 * exchanges the weights themselves, layer by layer, as compressed packages; it leaves the aggregation open, and this
 * package averages them (a parameter server: decode every upload, average, re-encode, broadcast). `'delta'` mode
 * (outside the thesis) sends `W − W_lastSync` with error feedback instead.
 *
 * Replicas and the coordinator apply the broadcast with the same float32 operations on the same bytes, so after
 * every synchronisation all replicas hold bit-identical weights.
 */
import type { WeightCodec } from './weight-codec.js';

/** What a synchronisation exchanges: the weights (the thesis) or the change since the last sync (error feedback). */
export type SyncMode = 'weights' | 'delta';

/** Element-wise mean of K lists of layers, accumulated in float64 in rank order (deterministic). */
export function averageLayers(uploads: readonly (readonly Float32Array[])[]): Float32Array[] {
  const k = uploads.length;
  return uploads[0].map((layer, l) => {
    const out = new Float32Array(layer.length);
    const vs = uploads.map((u) => u[l]);
    // JS numbers are float64, so a running sum per element is the float64 accumulation without a float64 buffer
    // (one pass, no 8-byte-per-parameter scratch array).
    if (k === 2) {
      const [a, b] = vs as [Float32Array, Float32Array];
      for (let i = 0; i < out.length; i++) out[i] = (a[i] + b[i]) / 2;
      return out;
    }
    for (let i = 0; i < out.length; i++) {
      let sum = 0;
      for (let r = 0; r < k; r++) sum += vs[r][i];
      out[i] = sum / k;
    }
    return out;
  });
}

/** `a + b` per layer in float32 (the rounding every replica repeats identically). */
export function addLayers(a: readonly Float32Array[], b: readonly Float32Array[]): Float32Array[] {
  return a.map((x, l) => {
    const y = b[l];
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] + y[i];
    return out;
  });
}

/** `a − b` per layer in float32. */
export function subtractLayers(a: readonly Float32Array[], b: readonly Float32Array[]): Float32Array[] {
  return a.map((x, l) => {
    const y = b[l];
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] - y[i];
    return out;
  });
}

/**
 * One end's side of the exchange: what it encodes and how it applies a received package. Used by replicas (upload)
 * and by the coordinator (broadcast); in `'delta'` mode each keeps its own error-feedback residual.
 *
 * @example
 * ```ts
 * const side = new SyncSide('delta', codec, initialWeights);
 * const bytes = side.encode(currentWeights, epoch);   // residual updated
 * const synced = side.apply(broadcastBytes);           // identical on every replica
 * ```
 */
export class SyncSide {
  private residual: Float32Array[] | undefined;

  /** @param base - the weights of the last synchronisation (identical on every participant). */
  constructor(
    readonly mode: SyncMode,
    readonly codec: WeightCodec,
    private base: Float32Array[],
  ) {}

  /** The weights of the last synchronisation. */
  get synced(): Float32Array[] {
    return this.base;
  }

  /**
   * Encodes `weights` (weights mode) or `weights − synced + residual` (delta mode, keeping the new residual
   * `sent − decode(encode(sent))` so that quantisation error is fed back instead of lost).
   */
  encode(weights: readonly Float32Array[], epoch: number): Uint8Array {
    if (this.mode === 'weights') return this.codec.encode(weights, { epoch });
    let delta = subtractLayers(weights, this.base);
    if (this.residual) delta = addLayers(delta, this.residual);
    const bytes = this.codec.encode(delta, { epoch });
    this.residual = subtractLayers(delta, this.codec.decode(bytes));
    return bytes;
  }

  /** Applies a broadcast package: the new weights (weights mode) or `synced + decoded delta`; returns and keeps them. */
  apply(bytes: Uint8Array): Float32Array[] {
    const decoded = this.codec.decode(bytes);
    this.base = this.mode === 'weights' ? decoded : addLayers(this.base, decoded);
    return this.base;
  }

  /** The mean of K decoded uploads, in the mode's own terms (weights, or delta). */
  averageUploads(uploads: readonly Uint8Array[]): Float32Array[] {
    return averageLayers(uploads.map((u) => this.codec.decode(u)));
  }
}
