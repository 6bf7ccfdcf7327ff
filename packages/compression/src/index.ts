/**
 * `@beyond-backprop/compression` — dynamic weight quantisation with canonical Huffman coding for data-parallel
 * training (Øland, *Efficient Deep Learning*, ch. 3). The core is framework-agnostic (`Float32Array` in, `Uint8Array`
 * out; no TensorFlow.js import) and runs in browsers and worker threads; tfjs adapters live in
 * `@beyond-backprop/compression/tfjs`.
 *
 * - **Codec**: {@link createWeightCodec} (`'none' | 'fixed8' | 'huffman'`), {@link encodeWeights}.
 * - **Algorithms 1/2** (§3.6): {@link compressWeights}, {@link decompressWeights}, {@link compressFixed}.
 * - **Pieces**: {@link quantize}/{@link dequantize} (§3.2), {@link histogram}, {@link entropy},
 *   {@link estimateEntropy} (§3.4–3.5), {@link bitsForLayer} (N = H + c), canonical Huffman coding.
 * - **Wire format**: {@link serializePackage}, {@link deserializePackage}, {@link describePackage}.
 *
 * @packageDocumentation
 */
export { WirePackageError, type WirePackageProblem } from './errors.js';
export { MAX_BITS, allocateIndices, dequantize, layerRange, quantize, type LayerRange, type QuantizedIndices } from './quantize.js';
export { entropy, entropySampleSize, estimateDistribution, estimateEntropy, histogram, type EntropyEstimateOptions } from './entropy.js';
export { sampleIndices } from './sampling.js';
export { bitsForLayer, bitsFromGradientRms, type BitRounding, type GradientBitOptions } from './bit-depth.js';
export {
  MAX_CODE_LENGTH,
  canonicalCodebook,
  huffmanBitLength,
  huffmanCodeLengths,
  huffmanCodebook,
  huffmanDecode,
  huffmanEncode,
  type BitStream,
  type HuffmanCodebook,
} from './huffman.js';
export { packBits, unpackBits } from './bit-packing.js';
export {
  DEFAULT_DYNAMIC_BITS,
  MAX_COMPRESSION,
  compressFixed,
  compressLayer,
  compressLayerFixed,
  compressRaw,
  compressWeights,
  decompressLayer,
  decompressWeights,
  payloadBits,
  type CompressedLayer,
  type DynamicBitOptions,
} from './weight-compression.js';
export {
  DEFAULT_MAX_DECODED_VALUES,
  WIRE_FORMAT_VERSION,
  crc32,
  describePackage,
  deserializePackage,
  serializePackage,
  type DecodeLimits,
  type LayerSummary,
  type PackageSummary,
} from './wire-format.js';
export {
  CODEC_NAMES,
  compressLayers,
  createWeightCodec,
  encodeWeights,
  type CodecName,
  type CompressionOptions,
  type EncodedWeights,
  type WeightCodec,
} from './weight-codec.js';
export { bitsPerParameter, compressionRatio, cosineSimilarity, gradientRms, pearson, weightEntropy } from './measurements.js';
