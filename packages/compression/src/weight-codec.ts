/**
 * The codec interface that transports (in-process, worker threads, Redis) use to exchange weights: a list of
 * `Float32Array` layers in, one self-describing wire package out (Øland, thesis §3.6, Alg. 1 and 2).
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import {
  compressFixed,
  compressRaw,
  compressWeights,
  decompressWeights,
  payloadBits,
  type CompressedLayer,
  type DynamicBitOptions,
} from './weight-compression.js';
import { deserializePackage, serializePackage } from './wire-format.js';

/**
 * `'none'`: raw float32 in the wire format; `'fixed8'`: the fixed-N baseline with N = 8 (thesis §3.2);
 * `'huffman'`: Alg. 1/2, dynamic bit depth N = H + c with canonical Huffman coding (§3.6).
 */
export type CodecName = 'none' | 'fixed8' | 'huffman';

/** The codec names, in wire-format id order. */
export const CODEC_NAMES: readonly CodecName[] = ['none', 'fixed8', 'huffman'];

/** Options of {@link createWeightCodec}: Alg. 1's F, M, c (thesis defaults 0.03, 4, 6) and decoder limits. */
export interface CompressionOptions extends DynamicBitOptions {
  /** Bit depth of the `'fixed8'` codec. Default 8 (thesis §3.8: 8 bits match the unquantised baseline). */
  readonly fixedBits?: number;
  /** Decoder limit on the total number of values in one package. Default 2^26. */
  readonly maxDecodedValues?: number;
}

/** A codec that turns a list of weight tensors into one wire package and back. */
export interface WeightCodec {
  readonly name: CodecName;
  /** Encodes a list of layers (one Float32Array per weight tensor) into one self-describing versioned wire package. Deterministic: same input → same bytes. */
  encode(layers: readonly Float32Array[], context?: { epoch?: number }): Uint8Array;
  /** Decodes a wire package; typed error on any corruption; never allocates more than the bytes present justify. */
  decode(bytes: Uint8Array): Float32Array[];
}

/** The layers a codec would put on the wire, for accounting (entropy estimates, bit depths, payload bits). */
export function compressLayers(name: CodecName, layers: readonly Float32Array[], options: CompressionOptions = {}, epoch = 0): CompressedLayer[] {
  switch (name) {
    case 'none':
      return compressRaw(layers);
    case 'fixed8':
      return compressFixed(layers, options.fixedBits ?? 8);
    case 'huffman':
      return compressWeights(layers, options, epoch);
    default:
      throw new InvalidArgumentError('compressLayers', 'name', "must be 'none', 'fixed8' or 'huffman'", name);
  }
}

/** What {@link encodeWeights} returns: the package and the layers in it. */
export interface EncodedWeights {
  readonly bytes: Uint8Array;
  readonly layers: readonly CompressedLayer[];
  /** Σ payload bits (thesis accounting: headers excluded). */
  readonly payloadBits: number;
  /** Σ values. */
  readonly values: number;
}

/**
 * Encodes layers with the named codec and returns the package with its per-layer details (bit depth N, entropy
 * estimate H, payload bits) for bits/parameter accounting.
 *
 * @example
 * ```ts
 * const { bytes, payloadBits, values } = encodeWeights('huffman', layers, { bitFloor: 5 }, epoch);
 * payloadBits / values; // ≈ 3.5 bits/parameter late in training (thesis §3.8)
 * ```
 */
export function encodeWeights(name: CodecName, layers: readonly Float32Array[], options: CompressionOptions = {}, epoch = 0): EncodedWeights {
  if (!Number.isInteger(epoch) || epoch < 0) throw new InvalidArgumentError('encodeWeights', 'epoch', 'must be a non-negative integer', epoch);
  const compressed = compressLayers(name, layers, options, epoch);
  let bits = 0;
  let values = 0;
  for (const layer of compressed) {
    bits += payloadBits(layer);
    values += layer.length;
  }
  return { bytes: serializePackage(name, compressed), layers: compressed, payloadBits: bits, values };
}

/**
 * A {@link WeightCodec} by name. `decode` reads any valid package, whatever codec wrote it (the package names it).
 *
 * @param name - `'none'`, `'fixed8'` or `'huffman'`.
 * @param options - F, M, c of Alg. 1 (`sampleFraction`, `preliminaryBits`, `bitFloor`), `fixedBits`, `seed`,
 *   `maxDecodedValues`.
 * @example
 * ```ts
 * const codec = createWeightCodec('huffman', { bitFloor: 6 });
 * const bytes = codec.encode([kernel1, kernel2], { epoch: 3 });
 * const [k1, k2] = codec.decode(bytes); // bin-centre reconstructions, |k − kernel| ≤ Δ/2
 * ```
 */
export function createWeightCodec(name: CodecName, options: CompressionOptions = {}): WeightCodec {
  if (!CODEC_NAMES.includes(name)) throw new InvalidArgumentError('createWeightCodec', 'name', "must be 'none', 'fixed8' or 'huffman'", name);
  const maxValues = options.maxDecodedValues;
  // Validate the options once, up front, on a tiny layer.
  compressLayers(name, [new Float32Array([0, 1])], options);
  return {
    name,
    encode: (layers, context) => encodeWeights(name, layers, options, context?.epoch ?? 0).bytes,
    decode: (bytes) => decompressWeights(deserializePackage(bytes, maxValues === undefined ? {} : { maxValues }).layers),
  };
}
