/**
 * The versioned, self-describing wire package that carries a list of compressed layers (the thesis's
 * `Package_l = [E_l, wMin_l, wMax_l, P_l, N]` of Alg. 1, §3.6, for every layer, in one buffer). Instead of the
 * probability vector P_l it carries the canonical code lengths, from which the receiver rebuilds the sender's exact
 * codebook (float probabilities could round into a different tree).
 *
 * Layout (little-endian):
 * ```
 * header   'B' 'B' 'P' 'W' | u8 version (1) | u8 codec (0 none, 1 fixed8, 2 huffman) | u16 flags (0) | u32 layerCount
 * layer    u8 kind | u32 length, then by kind:
 *   0 raw       length × f32
 *   1 constant  f32 value
 *   2 packed    f32 min | f32 max | u8 N | ⌈length·N/8⌉ payload bytes
 *   3 huffman   f32 min | f32 max | u8 N | u32 symbolCount | symbolCount × LEB128 symbol gap
 *               | symbolCount × u8 code length | u32 payloadBytes | u8 padBits | payload
 * trailer  u32 CRC-32 (IEEE) of everything before it
 * ```
 * Decoding validates the checksum and every header field of every layer, and the total number of values against a
 * limit, before it allocates any output: a header cannot make the decoder allocate more than its bytes justify.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import { WirePackageError } from './errors.js';
import { MAX_CODE_LENGTH } from './huffman.js';
import { MAX_BITS } from './quantize.js';
import type { CompressedLayer } from './weight-compression.js';
import type { CodecName } from './weight-codec.js';

/** The wire-format version this build writes (and the only one it reads). */
export const WIRE_FORMAT_VERSION = 1;

/** Default decoder limit on the total number of values in one package (2^26 = 67 M float32, 256 MiB). */
export const DEFAULT_MAX_DECODED_VALUES = 2 ** 26;

const MAGIC = [0x42, 0x42, 0x50, 0x57]; // "BBPW"
const HEADER_BYTES = 12;
const TRAILER_BYTES = 4;
const CODEC_IDS: readonly CodecName[] = ['none', 'fixed8', 'huffman'];
const KINDS = ['raw', 'constant', 'packed', 'huffman'] as const;

// Slicing-by-4 tables: T0 is the classic byte table, Tk advances a byte k positions further.
const CRC_TABLES = (() => {
  const t = new Int32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 255];
  }
  return t;
})();

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a byte range.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  const t = CRC_TABLES;
  let c = -1;
  let i = 0;
  for (const end4 = bytes.length - 3; i < end4; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t[768 + (c & 255)] ^ t[512 + ((c >>> 8) & 255)] ^ t[256 + ((c >>> 16) & 255)] ^ t[c >>> 24];
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function varintSize(v: number): number {
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

function recordSize(layer: CompressedLayer): number {
  switch (layer.kind) {
    case 'raw':
      return 5 + 4 * layer.length;
    case 'constant':
      return 9;
    case 'packed':
      return 14 + layer.payload.length;
    case 'huffman': {
      let table = 0;
      let prev = -1;
      for (const s of layer.symbols) {
        table += varintSize(s - prev - 1) + 1;
        prev = s;
      }
      return 14 + 4 + table + 5 + layer.payload.length;
    }
  }
}

/**
 * Serialises compressed layers into one wire package (layout in the module comment). Deterministic.
 *
 * @param codec - the codec that produced the layers (recorded in the header).
 * @example
 * ```ts
 * const bytes = serializePackage('huffman', compressWeights(layers));
 * ```
 */
export function serializePackage(codec: CodecName, layers: readonly CompressedLayer[]): Uint8Array {
  const fn = 'serializePackage';
  const codecId = CODEC_IDS.indexOf(codec);
  if (codecId < 0) throw new InvalidArgumentError(fn, 'codec', "must be 'none', 'fixed8' or 'huffman'", codec);
  let size = HEADER_BYTES + TRAILER_BYTES;
  for (const layer of layers) size += recordSize(layer);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = WIRE_FORMAT_VERSION;
  out[5] = codecId;
  view.setUint16(6, 0, true);
  view.setUint32(8, layers.length, true);
  let p = HEADER_BYTES;
  for (const layer of layers) {
    out[p] = KINDS.indexOf(layer.kind);
    view.setUint32(p + 1, layer.length, true);
    p += 5;
    switch (layer.kind) {
      case 'raw':
        if (layer.values.length !== layer.length) throw new InvalidArgumentError(fn, 'layers', 'raw layer values must match their length', layer.values.length);
        if (LITTLE_ENDIAN) out.set(new Uint8Array(layer.values.buffer, layer.values.byteOffset, 4 * layer.length), p);
        else for (let i = 0; i < layer.length; i++) view.setFloat32(p + 4 * i, layer.values[i], true);
        p += 4 * layer.length;
        break;
      case 'constant':
        view.setFloat32(p, layer.value, true);
        p += 4;
        break;
      case 'packed':
      case 'huffman':
        view.setFloat32(p, layer.min, true);
        view.setFloat32(p + 4, layer.max, true);
        out[p + 8] = layer.bits;
        p += 9;
        if (layer.kind === 'huffman') {
          view.setUint32(p, layer.symbols.length, true);
          p += 4;
          let prev = -1;
          for (const s of layer.symbols) {
            let gap = s - prev - 1;
            prev = s;
            while (gap >= 128) {
              out[p++] = (gap & 127) | 128;
              gap = Math.floor(gap / 128);
            }
            out[p++] = gap;
          }
          out.set(layer.codeLengths, p);
          p += layer.codeLengths.length;
          view.setUint32(p, layer.payload.length, true);
          out[p + 4] = layer.payload.length * 8 - layer.payloadBits;
          p += 5;
        }
        out.set(layer.payload, p);
        p += layer.payload.length;
        break;
    }
  }
  view.setUint32(p, crc32(out.subarray(0, p)), true);
  return out;
}

/** One layer of a package, as read from its header. */
export interface LayerSummary {
  readonly kind: CompressedLayer['kind'];
  /** Number of values. */
  readonly length: number;
  /** Quantisation bits N (32 for raw layers, 0 for constants). */
  readonly bits: number;
  /** Payload bits (the thesis's accounting, headers excluded). */
  readonly payloadBits: number;
  /** Bytes of the layer's record in the package, header and payload. */
  readonly recordBytes: number;
}

/** A package's header, as read by {@link describePackage}. */
export interface PackageSummary {
  readonly version: number;
  readonly codec: CodecName;
  readonly layers: readonly LayerSummary[];
  readonly totalBytes: number;
  /** Σ values over all layers. */
  readonly values: number;
  /** Σ payload bits over all layers. */
  readonly payloadBits: number;
}

/** Options of {@link deserializePackage} and {@link describePackage}. */
export interface DecodeLimits {
  /** Largest total number of values accepted. Default 2^26. */
  readonly maxValues?: number;
}

interface ParsedPackage {
  readonly summary: PackageSummary;
  readonly layers: CompressedLayer[];
}

function parse(fn: string, bytes: Uint8Array, limits: DecodeLimits, copyRaw: boolean): ParsedPackage {
  const argument = 'bytes';
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(fn, argument, 'must be a Uint8Array', bytes);
  const maxValues = limits.maxValues ?? DEFAULT_MAX_DECODED_VALUES;
  if (!Number.isInteger(maxValues) || maxValues < 0) throw new InvalidArgumentError(fn, 'maxValues', 'must be a non-negative integer', maxValues);
  const fail = (problem: 'magic' | 'version' | 'truncated' | 'checksum' | 'structure' | 'limit', offset: number, detail: string): never => {
    throw new WirePackageError(fn, argument, problem, offset, detail);
  };
  if (bytes.length < HEADER_BYTES + TRAILER_BYTES)
    fail('truncated', -1, `${bytes.length} bytes is shorter than the ${HEADER_BYTES + TRAILER_BYTES}-byte minimum`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) fail('magic', i, "the package does not start with 'BBPW'");
  if (bytes[4] !== WIRE_FORMAT_VERSION) fail('version', 4, `version ${bytes[4]} is not supported (this build reads version ${WIRE_FORMAT_VERSION})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - TRAILER_BYTES;
  const stored = view.getUint32(end, true);
  const actual = crc32(bytes.subarray(0, end));
  if (stored !== actual) fail('checksum', end, `CRC-32 ${actual.toString(16)} does not match the stored ${stored.toString(16)}`);
  const codec = CODEC_IDS[bytes[5]];
  if (codec === undefined) fail('structure', 5, `unknown codec id ${bytes[5]}`);
  if (view.getUint16(6, true) !== 0) fail('structure', 6, 'reserved flags must be 0');
  const layerCount = view.getUint32(8, true);
  // Every layer record takes at least 5 bytes, so the count is bounded by the bytes present.
  if (layerCount * 5 > end - HEADER_BYTES) fail('truncated', 8, `${layerCount} layers cannot fit in ${end - HEADER_BYTES} bytes`);
  let p = HEADER_BYTES;
  const need = (n: number, what: string): void => {
    if (n > end - p) fail('truncated', p, `${what} needs ${n} bytes, ${end - p} are left`);
  };
  let totalValues = 0;
  let totalBits = 0;
  const summaries: LayerSummary[] = [];
  const layers: CompressedLayer[] = [];
  for (let l = 0; l < layerCount; l++) {
    const start = p;
    need(5, `layer ${l} header`);
    const kind = KINDS[bytes[p]];
    if (kind === undefined) fail('structure', p, `layer ${l} has unknown kind ${bytes[p]}`);
    const length = view.getUint32(p + 1, true);
    p += 5;
    totalValues += length;
    if (totalValues > maxValues) fail('limit', start + 1, `layer ${l} claims ${length} values, taking the package past the limit of ${maxValues} values`);
    let bits = 0;
    let layerBits = 0;
    if (kind === 'raw') {
      need(4 * length, `layer ${l} (${length} float32 values)`);
      // Copy into an aligned, little-endian buffer (describePackage needs no values).
      const values = new Float32Array(copyRaw ? length : 0);
      if (!copyRaw) {
        // Header only.
      } else if (LITTLE_ENDIAN) new Uint8Array(values.buffer).set(bytes.subarray(p, p + 4 * length));
      else for (let i = 0; i < length; i++) values[i] = view.getFloat32(p + 4 * i, true);
      p += 4 * length;
      bits = 32;
      layerBits = 32 * length;
      layers.push({ kind, length, values });
    } else if (kind === 'constant') {
      need(4, `layer ${l} value`);
      const value = view.getFloat32(p, true);
      if (!Number.isFinite(value)) fail('structure', p, `layer ${l} constant is ${value}`);
      p += 4;
      layers.push({ kind, length, value });
    } else {
      need(9, `layer ${l} range and bit depth`);
      const min = view.getFloat32(p, true);
      const max = view.getFloat32(p + 4, true);
      bits = bytes[p + 8];
      if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) fail('structure', p, `layer ${l} range [${min}, ${max}] is not a finite interval`);
      if (bits < 1 || bits > MAX_BITS) fail('structure', p + 8, `layer ${l} bit depth ${bits} is outside [1, ${MAX_BITS}]`);
      if (length === 0) fail('structure', start + 1, `layer ${l} is quantised but empty`);
      p += 9;
      if (kind === 'packed') {
        const payloadBytes = Math.ceil((length * bits) / 8);
        need(payloadBytes, `layer ${l} payload`);
        const payload = bytes.subarray(p, p + payloadBytes);
        const pad = payloadBytes * 8 - length * bits;
        if (pad > 0 && (payload[payloadBytes - 1] & ((1 << pad) - 1)) !== 0) fail('structure', p + payloadBytes - 1, `layer ${l} padding bits are not zero`);
        p += payloadBytes;
        layerBits = length * bits;
        layers.push({ kind, length, min, max, bits, payload });
      } else {
        need(4, `layer ${l} symbol count`);
        const symbolCount = view.getUint32(p, true);
        p += 4;
        if (symbolCount < 1 || symbolCount > 2 ** bits) fail('structure', p - 4, `layer ${l} has ${symbolCount} symbols for a ${bits}-bit alphabet`);
        // Each symbol takes at least two bytes (gap and length): bounded by the bytes present before allocating.
        need(2 * symbolCount, `layer ${l} symbol table`);
        const symbols = new Uint32Array(symbolCount);
        let prev = -1;
        for (let j = 0; j < symbolCount; j++) {
          let gap = 0;
          let scale = 1;
          for (;;) {
            need(1, `layer ${l} symbol table`);
            const b = bytes[p++];
            gap += (b & 127) * scale;
            scale *= 128;
            if (b < 128) break;
            if (scale > 2 ** 28) fail('structure', p, `layer ${l} symbol gap is too long`);
          }
          const s = prev + 1 + gap;
          if (s >= 2 ** bits) fail('structure', p - 1, `layer ${l} symbol ${s} is outside the ${bits}-bit alphabet`);
          symbols[j] = s;
          prev = s;
        }
        need(symbolCount, `layer ${l} code lengths`);
        const codeLengths = bytes.slice(p, p + symbolCount);
        p += symbolCount;
        let minLength = MAX_CODE_LENGTH;
        let maxLength = 0;
        let kraft = 0;
        for (let j = 0; j < symbolCount; j++) {
          const cl = codeLengths[j];
          if (symbolCount === 1 ? cl !== 0 : cl < 1 || cl > MAX_CODE_LENGTH) fail('structure', p - symbolCount + j, `layer ${l} code length ${cl} is invalid`);
          minLength = Math.min(minLength, cl);
          maxLength = Math.max(maxLength, cl);
          if (symbolCount > 1) kraft += 2 ** (MAX_CODE_LENGTH - cl);
        }
        if (symbolCount > 1 && kraft !== 2 ** MAX_CODE_LENGTH) fail('structure', p - symbolCount, `layer ${l} code lengths do not form a complete prefix code`);
        need(5, `layer ${l} payload size`);
        const payloadBytes = view.getUint32(p, true);
        const pad = bytes[p + 4];
        p += 5;
        if (pad > 7 || (payloadBytes === 0 && pad !== 0)) fail('structure', p - 1, `layer ${l} padding of ${pad} bits is invalid`);
        need(payloadBytes, `layer ${l} payload`);
        const bitLength = payloadBytes * 8 - pad;
        // Every symbol costs at least minLength bits: the value count is bounded by the payload present.
        if (symbolCount > 1 && (length * minLength > bitLength || length * maxLength < bitLength)) {
          fail('structure', start + 1, `layer ${l} claims ${length} values but its payload has ${bitLength} bits (code lengths ${minLength}..${maxLength})`);
        }
        if (symbolCount === 1 && payloadBytes !== 0) fail('structure', p - 5, `layer ${l} has one symbol and must have an empty payload`);
        const payload = bytes.subarray(p, p + payloadBytes);
        if (pad > 0 && (payload[payloadBytes - 1] & ((1 << pad) - 1)) !== 0) fail('structure', p + payloadBytes - 1, `layer ${l} padding bits are not zero`);
        p += payloadBytes;
        layerBits = bitLength;
        layers.push({ kind, length, min, max, bits, symbols, codeLengths, payload, payloadBits: bitLength });
      }
    }
    totalBits += layerBits;
    summaries.push({ kind, length, bits, payloadBits: layerBits, recordBytes: p - start });
  }
  if (p !== end) fail('structure', p, `${end - p} bytes follow the last layer`);
  return {
    summary: { version: WIRE_FORMAT_VERSION, codec: codec!, layers: summaries, totalBytes: bytes.length, values: totalValues, payloadBits: totalBits },
    layers,
  };
}

/**
 * Parses and validates a wire package into its layers without decoding payloads (raw layers are copied; payloads
 * are views into `bytes`). Throws {@link WirePackageError} on any corruption or when the package holds more than
 * `maxValues` values.
 *
 * @example
 * ```ts
 * const { codec, layers } = deserializePackage(bytes);
 * ```
 */
export function deserializePackage(bytes: Uint8Array, limits: DecodeLimits = {}): { codec: CodecName; layers: CompressedLayer[] } {
  const { summary, layers } = parse('deserializePackage', bytes, limits, true);
  return { codec: summary.codec, layers };
}

/**
 * Reads a package's header for accounting (codec, per-layer bit depth and payload bits, sizes) after validating it
 * like {@link deserializePackage}.
 *
 * @example
 * ```ts
 * const s = describePackage(bytes);
 * s.payloadBits / s.values; // bits per parameter
 * ```
 */
export function describePackage(bytes: Uint8Array, limits: DecodeLimits = {}): PackageSummary {
  return parse('describePackage', bytes, limits, false).summary;
}
