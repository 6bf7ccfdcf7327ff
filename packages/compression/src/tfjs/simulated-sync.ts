/**
 * Single-process reproduction of compressed weight synchronisation (Øland, thesis §3.7–3.9): at every sync the
 * model's kernels are encoded by the codec (quantised and Huffman-coded for `'huffman'`, Alg. 1), decoded (Alg. 2)
 * and written back, exactly what a replica would receive, and every bit sent is accounted for.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { decompressWeights, payloadBits as layerPayloadBits } from '../weight-compression.js';
import { CODEC_NAMES, encodeWeights, type CodecName, type CompressionOptions } from '../weight-codec.js';
import { deserializePackage } from '../wire-format.js';
import { applyDecompressed, modelWeights, readVariables } from './model-weights.js';

/** Options of {@link SimulatedSync}. */
export interface SimulatedSyncOptions extends CompressionOptions {
  /** `'none'`, `'fixed8'` or `'huffman'`. Default `'huffman'`. */
  readonly codec?: CodecName;
  /** Synchronise after every this many epochs. Default 1 (thesis: once per epoch). */
  readonly syncEvery?: number;
  /** Compress the biases with the kernels. Default `false`: they travel as raw float32 and are excluded from bits/parameter. */
  readonly includeBiases?: boolean;
}

/** What one synchronisation sent. */
export interface SyncRecord {
  readonly epoch: number;
  /** Payload bits per compressed parameter (thesis §3.8; headers excluded). */
  readonly bitsPerParameter: number;
  /** Σ N_l n_l / Σ n_l: bits per parameter of the quantised indices before Huffman coding (thesis §3.8: 6.8 at c = 5). */
  readonly quantizedBitsPerParameter: number;
  /** Per compressed layer: bit depth N, entropy estimate H (huffman only), payload bits and value count. */
  readonly layers: ReadonlyArray<{ bits: number; entropy: number | null; payloadBits: number; length: number }>;
  /** Bytes of all packages of this sync (compressed kernels, raw biases, headers and checksums). */
  readonly bytesSent: number;
  /** What float32 weights would have cost: 4 bytes per parameter, all parameters. */
  readonly bytesSentFloat32: number;
}

/** Totals over all synchronisations so far. */
export interface SyncSummary {
  readonly codec: CodecName;
  readonly syncs: number;
  /** Mean over syncs of each sync's bits/parameter (the thesis averages over epochs, §3.8). */
  readonly bitsPerParameter: number | null;
  readonly quantizedBitsPerParameter: number | null;
  /** 32 / bitsPerParameter (thesis §3.8: 32 / 3.55 = 9.01). */
  readonly compressionRatio: number | null;
  readonly bytesSent: number;
  readonly bytesSentFloat32: number;
  /** bytesSentFloat32 / bytesSent: the ratio on the wire, headers and raw biases included. */
  readonly wireCompressionRatio: number | null;
}

/**
 * A training callback that replaces the model's weights by their decoded wire packages every `syncEvery` epochs and
 * records bits/parameter, bit depths, entropies and bytes. Pass it to `fitBackprop` (or any `FitCallbacks` loop) or
 * to tfjs `model.fit` as a callback.
 *
 * @example
 * ```ts
 * const sync = new SimulatedSync(model, { codec: 'huffman', bitFloor: 6, preliminaryBits: 4 });
 * await fitBackprop(model, x, y, { epochs: 20, callbacks: [sync, reporter] });
 * sync.summary().bitsPerParameter; // ≈ 3.8 (thesis §3.9)
 * ```
 */
export class SimulatedSync {
  readonly records: SyncRecord[] = [];
  private readonly codec: CodecName;
  private readonly syncEvery: number;
  private readonly compressed: tf.Variable[];
  private readonly raw: tf.Variable[];

  constructor(
    model: tf.LayersModel,
    private readonly options: SimulatedSyncOptions = {},
  ) {
    const fn = 'SimulatedSync';
    this.codec = options.codec ?? 'huffman';
    if (!CODEC_NAMES.includes(this.codec)) throw new InvalidArgumentError(fn, 'codec', "must be 'none', 'fixed8' or 'huffman'", this.codec);
    this.syncEvery = options.syncEvery ?? 1;
    if (!Number.isInteger(this.syncEvery) || this.syncEvery < 1) throw new InvalidArgumentError(fn, 'syncEvery', 'must be a positive integer', this.syncEvery);
    const { kernels, others } = modelWeights(model);
    this.compressed = options.includeBiases ? [...kernels, ...others] : kernels;
    this.raw = options.includeBiases ? [] : others;
    if (this.compressed.length === 0) throw new InvalidArgumentError(fn, 'model', 'must have trainable kernels', model.name);
    // Validate the codec options now rather than at the first epoch end.
    encodeWeights(this.codec, [new Float32Array([0, 1])], options);
  }

  /** tfjs / FitCallbacks hook: synchronises after every `syncEvery`-th epoch. */
  async onEpochEnd(epoch: number): Promise<void> {
    if ((epoch + 1) % this.syncEvery === 0) this.sync(epoch);
  }

  /**
   * Encodes, decodes and writes back the weights now, and records what was sent.
   *
   * @param epoch - seeds the entropy samples (thesis: a new sample every epoch).
   */
  sync(epoch: number): SyncRecord {
    const encoded = encodeWeights(this.codec, readVariables(this.compressed), this.options, epoch);
    // Decode from the bytes, exactly as a receiver would.
    applyDecompressed(this.compressed, decompressWeights(deserializePackage(encoded.bytes, { maxValues: Math.max(encoded.values, 1) }).layers));
    let bytesSent = encoded.bytes.length;
    let params = encoded.values;
    if (this.raw.length > 0) {
      const side = encodeWeights('none', readVariables(this.raw));
      bytesSent += side.bytes.length;
      params += side.values;
    }
    let quantizedBits = 0;
    for (const layer of encoded.layers) {
      quantizedBits += layer.kind === 'huffman' || layer.kind === 'packed' ? layer.bits * layer.length : layerPayloadBits(layer);
    }
    const record: SyncRecord = {
      epoch,
      bitsPerParameter: encoded.payloadBits / encoded.values,
      quantizedBitsPerParameter: quantizedBits / encoded.values,
      layers: encoded.layers.map((layer) => ({
        bits: layer.kind === 'huffman' || layer.kind === 'packed' ? layer.bits : layer.kind === 'raw' ? 32 : 0,
        entropy: layer.kind === 'huffman' ? (layer.entropy ?? null) : null,
        payloadBits: layerPayloadBits(layer),
        length: layer.length,
      })),
      bytesSent,
      bytesSentFloat32: 4 * params,
    };
    this.records.push(record);
    return record;
  }

  /** Totals and means over the syncs so far. */
  summary(): SyncSummary {
    const n = this.records.length;
    const mean = (f: (r: SyncRecord) => number): number | null => (n === 0 ? null : this.records.reduce((s, r) => s + f(r), 0) / n);
    const bits = mean((r) => r.bitsPerParameter);
    const bytesSent = this.records.reduce((s, r) => s + r.bytesSent, 0);
    const bytesSentFloat32 = this.records.reduce((s, r) => s + r.bytesSentFloat32, 0);
    return {
      codec: this.codec,
      syncs: n,
      bitsPerParameter: bits,
      quantizedBitsPerParameter: mean((r) => r.quantizedBitsPerParameter),
      compressionRatio: bits === null || bits === 0 ? null : 32 / bits,
      bytesSent,
      bytesSentFloat32,
      wireCompressionRatio: bytesSent === 0 ? null : bytesSentFloat32 / bytesSent,
    };
  }
}
