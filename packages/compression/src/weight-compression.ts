/**
 * Algorithms 1 and 2 of Øland, thesis §3.6, over a list of layers: per layer, the range over all its weights, the
 * sampled entropy estimate, the bit depth N = H + c, quantisation, the full histogram, a canonical Huffman code and
 * the coded stream (Alg. 1); decoding and bin-centre reconstruction (Alg. 2). Also the fixed-N baseline (§3.2) and
 * raw float32 layers, so every codec shares one layer representation and one wire format.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import { bitsForLayer, type BitRounding } from './bit-depth.js';
import { packBits, unpackBits } from './bit-packing.js';
import { estimateEntropy, histogram } from './entropy.js';
import { huffmanCodebook, huffmanDecode, huffmanEncode, canonicalCodebook } from './huffman.js';
import { checkBits, dequantize, layerRange, quantize } from './quantize.js';
import { mixSeed } from './sampling.js';

/** One layer as it travels: raw float32, a constant, fixed-width indices, or Huffman-coded indices. */
export type CompressedLayer =
  | { readonly kind: 'raw'; readonly length: number; readonly values: Float32Array }
  | { readonly kind: 'constant'; readonly length: number; readonly value: number }
  | {
      readonly kind: 'packed';
      readonly length: number;
      readonly min: number;
      readonly max: number;
      readonly bits: number;
      readonly payload: Uint8Array;
    }
  | {
      readonly kind: 'huffman';
      readonly length: number;
      readonly min: number;
      readonly max: number;
      readonly bits: number;
      /** Coded symbols in ascending order. */
      readonly symbols: Uint32Array;
      /** Their code lengths (the canonical code is rebuilt from these alone). */
      readonly codeLengths: Uint8Array;
      readonly payload: Uint8Array;
      readonly payloadBits: number;
      /** H, the entropy estimate that chose `bits` (sender side only; not transmitted). */
      readonly entropy?: number;
    };

/** Options of Algorithm 1 (thesis §3.6 defaults: F = 0.03, M = 4, c = 6). */
export interface DynamicBitOptions {
  /** F, the fraction of each layer sampled for the entropy estimate. Default 0.03. */
  readonly sampleFraction?: number;
  /** M, bits of the preliminary quantisation (H ≤ M). Default 4. */
  readonly preliminaryBits?: number;
  /** c, the bit floor in N = H + c. Default 6 (thesis §3.9: best accuracy); 5 is the "max compression" preset. */
  readonly bitFloor?: number;
  /** How H + c is rounded to an integer. Default `'ceil'` (N ∈ [c, c + M]). */
  readonly rounding?: BitRounding;
  /** Smallest entropy sample per layer (default 256; 0 follows the thesis literally). */
  readonly minSample?: number;
  /** Seed of the entropy samples; each layer and epoch draws from its own stream. Default 0. */
  readonly seed?: number;
}

/** Thesis §3.6 defaults of {@link DynamicBitOptions}. */
export const DEFAULT_DYNAMIC_BITS = { sampleFraction: 0.03, preliminaryBits: 4, bitFloor: 6, rounding: 'ceil', minSample: 256, seed: 0 } as const;

/** The "max compression" preset of thesis §3.8 (c = 5, M = 4: 3.55 bits/parameter). */
export const MAX_COMPRESSION = { preliminaryBits: 4, bitFloor: 5 } as const;

function checkLayers(fn: string, layers: readonly Float32Array[]): void {
  if (!Array.isArray(layers)) throw new InvalidArgumentError(fn, 'layers', 'must be an array of Float32Array', layers);
  layers.forEach((layer, i) => {
    if (!(layer instanceof Float32Array)) throw new InvalidArgumentError(fn, `layers[${i}]`, 'must be a Float32Array', layer);
  });
}

/**
 * Compresses one layer with a dynamic bit depth (Alg. 1 lines 2–9 for a single `W_l`). An empty layer becomes an empty
 * raw layer; a constant layer (degenerate range) a `constant` record. NaN/±Infinity weights throw `NonFiniteError`.
 *
 * @param values - `[n]` weights.
 * @param options - F, M, c, rounding; `seed` selects this layer's entropy sample.
 * @example
 * ```ts
 * const layer = compressLayer(kernel, { bitFloor: 6, seed: 1 }); // {kind: 'huffman', bits: 6..10, ...}
 * ```
 */
export function compressLayer(values: Float32Array, options: DynamicBitOptions = {}): CompressedLayer {
  const o = { ...DEFAULT_DYNAMIC_BITS, ...options };
  const n = values.length;
  if (n === 0) return { kind: 'raw', length: 0, values: new Float32Array(0) };
  const { min, max } = layerRange(values, 'compressLayer');
  if (min === max) return { kind: 'constant', length: n, value: min };
  const h = estimateEntropy(values, { fraction: o.sampleFraction, bits: o.preliminaryBits, min, max, minSample: o.minSample, seed: o.seed });
  const bits = bitsForLayer(h, o.bitFloor, o.rounding);
  const q = quantize(values, min, max, bits);
  const book = huffmanCodebook(histogram(q, bits));
  const { bytes, bitLength } = huffmanEncode(q, book);
  const order = Array.from(book.symbols.keys()).sort((a, b) => book.symbols[a] - book.symbols[b]);
  return {
    kind: 'huffman',
    length: n,
    min,
    max,
    bits,
    symbols: Uint32Array.from(order, (j) => book.symbols[j]),
    codeLengths: Uint8Array.from(order, (j) => book.lengths[j]),
    payload: bytes,
    payloadBits: bitLength,
    entropy: h,
  };
}

/**
 * Compresses one layer with a fixed bit depth (the N-bit baseline of thesis §3.2, Fig. 3.1): per-layer range,
 * `bits`-bit indices packed at exactly `bits` bits each.
 *
 * @example
 * ```ts
 * compressLayerFixed(kernel, 8); // {kind: 'packed', bits: 8, payload: n bytes}
 * ```
 */
export function compressLayerFixed(values: Float32Array, bits: number): CompressedLayer {
  checkBits('compressLayerFixed', 'bits', bits);
  const n = values.length;
  if (n === 0) return { kind: 'raw', length: 0, values: new Float32Array(0) };
  const { min, max } = layerRange(values, 'compressLayerFixed');
  if (min === max) return { kind: 'constant', length: n, value: min };
  return { kind: 'packed', length: n, min, max, bits, payload: packBits(quantize(values, min, max, bits), bits) };
}

/**
 * Reconstructs a layer's weights (Alg. 2 lines 2–4 for one layer): decode the indices, then bin centres. A raw
 * layer returns its own `values` array.
 *
 * @returns `[length]` float32 weights.
 * @example
 * ```ts
 * const w = decompressLayer(compressLayer(kernel)); // |w − kernel| ≤ Δ/2 elementwise
 * ```
 */
export function decompressLayer(layer: CompressedLayer): Float32Array {
  switch (layer.kind) {
    case 'raw':
      // Raw layers already own a copy (compressRaw and the wire decoder both copy), so no second copy is made.
      return layer.values;
    case 'constant':
      return new Float32Array(layer.length).fill(layer.value);
    case 'packed':
      return dequantize(unpackBits(layer.payload, layer.bits, layer.length), layer.min, layer.max, layer.bits);
    case 'huffman': {
      const book = canonicalCodebook(layer.symbols, layer.codeLengths, 2 ** layer.bits);
      return dequantize(huffmanDecode(layer.payload, layer.payloadBits, layer.length, book), layer.min, layer.max, layer.bits);
    }
    default:
      throw new InvalidArgumentError('decompressLayer', 'layer', "must have kind 'raw', 'constant', 'packed' or 'huffman'", (layer as { kind: unknown }).kind);
  }
}

/**
 * Algorithm 1 of thesis §3.6 over a list of layers: each layer gets its own range, entropy estimate H (a seeded
 * sample drawn from the stream `(seed, epoch, layer index)`), bit depth N = H + c and Huffman code. Deterministic.
 *
 * @param layers - one `Float32Array` per weight tensor.
 * @param options - F, M, c (thesis defaults 0.03, 4, 6).
 * @param epoch - mixes into each layer's sample seed, so successive epochs sample differently.
 * @example
 * ```ts
 * const packages = compressWeights([w1, w2, w3], { bitFloor: 5 }, epoch);
 * const restored = decompressWeights(packages);
 * ```
 */
export function compressWeights(layers: readonly Float32Array[], options: DynamicBitOptions = {}, epoch = 0): CompressedLayer[] {
  checkLayers('compressWeights', layers);
  const seed = options.seed ?? 0;
  return layers.map((layer, l) => compressLayer(layer, { ...options, seed: mixSeed(seed, epoch, l) }));
}

/**
 * The fixed-N baseline over a list of layers (thesis §3.2, Fig. 3.1; 8 bits match the unquantised accuracy).
 *
 * @example
 * ```ts
 * const packages = compressFixed([w1, w2, w3], 8);
 * ```
 */
export function compressFixed(layers: readonly Float32Array[], bits: number): CompressedLayer[] {
  checkLayers('compressFixed', layers);
  return layers.map((layer) => compressLayerFixed(layer, bits));
}

/** Raw float32 layers in the common representation (the `'none'` codec). Copies the values. */
export function compressRaw(layers: readonly Float32Array[]): CompressedLayer[] {
  checkLayers('compressRaw', layers);
  return layers.map((layer) => ({ kind: 'raw' as const, length: layer.length, values: layer.slice() }));
}

/**
 * Algorithm 2 of thesis §3.6: every layer's weights, reconstructed at bin centres.
 *
 * @example
 * ```ts
 * const [w1, w2, w3] = decompressWeights(compressWeights([k1, k2, k3]));
 * ```
 */
export function decompressWeights(packages: readonly CompressedLayer[]): Float32Array[] {
  return packages.map((p) => decompressLayer(p));
}

/**
 * Payload bits of a layer: what the thesis's bits/parameter counts (§3.8; headers excluded). Raw layers cost 32 bits
 * per value, constants nothing, packed layers N per value, Huffman layers their stream length.
 */
export function payloadBits(layer: CompressedLayer): number {
  switch (layer.kind) {
    case 'raw':
      return 32 * layer.length;
    case 'constant':
      return 0;
    case 'packed':
      return layer.bits * layer.length;
    case 'huffman':
      return layer.payloadBits;
  }
}
