/**
 * The IDX file format of MNIST and Fashion-MNIST (LeCun et al., "THE MNIST DATABASE of handwritten digits"): a
 * 4-byte magic number `00 00 <type> <rank>`, `rank` big-endian uint32 dimensions, then the values, big-endian,
 * row-major.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { DatasetFileError } from './dataset-errors.js';
import { gunzip, isGzip } from './gzip.js';

/** Element types an IDX file can hold, by their type byte. */
export type IdxType = 'ubyte' | 'sbyte' | 'short' | 'int' | 'float' | 'double';

/** A parsed IDX file. */
export interface IdxArray {
  type: IdxType;
  /** Dimensions from the header, e.g. `[60000, 28, 28]`. */
  shape: number[];
  /**
   * Values, row-major. `ubyte` data are a zero-copy view of the input bytes; the other types are decoded into new
   * arrays.
   */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** What {@link parseIdx} should insist on. */
export interface IdxExpectation {
  type?: IdxType;
  rank?: number;
  /** What the file should be, for the message (e.g. `'an image file'`). */
  what?: string;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  8: { type: 'ubyte', size: 1 },
  9: { type: 'sbyte', size: 1 },
  11: { type: 'short', size: 2 },
  12: { type: 'int', size: 4 },
  13: { type: 'float', size: 4 },
  14: { type: 'double', size: 8 },
};

const CODES: Record<IdxType, number> = { ubyte: 0x08, sbyte: 0x09, short: 0x0b, int: 0x0c, float: 0x0d, double: 0x0e };

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/**
 * Parses uncompressed IDX bytes. Throws {@link DatasetFileError} naming `file` for gzip input (use {@link decodeIdx}),
 * a wrong magic number, an unknown type, a truncated header or body, trailing bytes, or a type/rank other than
 * `expect`.
 *
 * @example
 * ```ts
 * const labels = parseIdx(bytes, { file: 't10k-labels-idx1-ubyte', expect: { type: 'ubyte', rank: 1 } });
 * labels.shape;   // [10000]
 * ```
 */
export function parseIdx(bytes: Uint8Array, options: { file?: string; expect?: IdxExpectation } = {}): IdxArray {
  const file = options.file ?? '<bytes>';
  if (!(bytes instanceof Uint8Array)) throw new DatasetFileError(file, 'expected the file contents as a Uint8Array');
  if (isGzip(bytes)) throw new DatasetFileError(file, 'is gzip-compressed; decompress it first (decodeIdx does)');
  if (bytes.length === 0) throw new DatasetFileError(file, 'is empty');
  if (bytes.length < 4) throw new DatasetFileError(file, `truncated: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const rank = bytes[3];
  const kind = TYPES[bytes[2]];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !kind || rank === 0) {
    throw new DatasetFileError(
      file,
      `wrong magic number ${hex(magic)}: not an IDX file (expected 0x000008NN for unsigned bytes, or another IDX type code and a rank ≥ 1)`,
    );
  }
  const expect = options.expect;
  if (expect && ((expect.type !== undefined && expect.type !== kind.type) || (expect.rank !== undefined && expect.rank !== rank))) {
    const want = (expect.type ? CODES[expect.type] : bytes[2]) * 256 + (expect.rank ?? rank);
    throw new DatasetFileError(
      file,
      `wrong magic number ${hex(magic)} (${kind.type}, rank ${rank}) where ${hex(want)}${expect.what ? ` (${expect.what})` : ''} was expected`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new DatasetFileError(file, `truncated header: rank ${rank} needs ${headerBytes} bytes, the file has ${bytes.length}`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i));
  if (shape.includes(0))
    throw new DatasetFileError(file, `corrupt: the header declares a zero dimension (${shape.join('×')}); a data set needs at least one value`);
  const count = shape.reduce((p, d) => p * d, 1);
  const expected = headerBytes + count * kind.size;
  if (bytes.length < expected) {
    throw new DatasetFileError(
      file,
      `truncated: the header declares ${shape.join('×')} ${kind.type} values (${expected} bytes), the file has ${bytes.length} bytes`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetFileError(file, `corrupt: ${bytes.length - expected} bytes after the ${shape.join('×')} ${kind.type} values the header declares`);
  }
  return { type: kind.type, shape, data: decode(kind.type, view, headerBytes, count, bytes) };
}

function decode(type: IdxType, view: DataView, at: number, count: number, bytes: Uint8Array): IdxArray['data'] {
  switch (type) {
    case 'ubyte':
      return bytes.subarray(at, at + count);
    case 'sbyte':
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, count).slice();
    case 'short': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i);
      return out;
    }
    case 'int': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i);
      return out;
    }
    case 'float': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i);
      return out;
    }
    case 'double': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i);
      return out;
    }
  }
}

/**
 * Parses IDX bytes that may be gzip-compressed (detected from the magic bytes, decompressed with
 * `DecompressionStream`). Browser-safe; the Node.js loaders use `node:zlib`.
 *
 * @example
 * ```ts
 * const images = await decodeIdx(new Uint8Array(await (await fetch('/data/train-images-idx3-ubyte.gz')).arrayBuffer()),
 *   { file: 'train-images-idx3-ubyte.gz' });
 * ```
 */
export async function decodeIdx(bytes: Uint8Array, options: { file?: string; expect?: IdxExpectation } = {}): Promise<IdxArray> {
  const raw = isGzip(bytes) ? await gunzip(bytes, options.file, (head) => idxDeclaredLength(head, options.file)) : bytes;
  return parseIdx(raw, options);
}

/**
 * IDX bytes for `data` of `shape` (the inverse of {@link parseIdx}): for writing test fixtures and caches.
 *
 * @example
 * ```ts
 * const bytes = encodeIdx('ubyte', [2], Uint8Array.from([3, 7]));   // 00 00 08 01 00 00 00 02 03 07
 * ```
 */
export function encodeIdx(type: IdxType, shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const size = Object.values(TYPES).find((t) => t.type === type)!.size;
  const count = shape.reduce((p, d) => p * d, 1);
  if (data.length !== count)
    throw new InvalidArgumentError('encodeIdx', 'data', `must hold ${count} values for shape [${shape.join(', ')}]`, `${data.length} values`);
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = CODES[type];
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < count; i++) {
    const v = data[i];
    const at = header + i * size;
    if (type === 'ubyte') view.setUint8(at, v);
    else if (type === 'sbyte') view.setInt8(at, v);
    else if (type === 'short') view.setInt16(at, v);
    else if (type === 'int') view.setInt32(at, v);
    else if (type === 'float') view.setFloat32(at, v);
    else view.setFloat64(at, v);
  }
  return out;
}

/**
 * The length in bytes (header + values) an IDX file declares, read from its first bytes, or `undefined` while `head`
 * is shorter than the header. Decompressors use it to stop a gzip stream as soon as it outgrows what the header
 * claims, so a small archive of a huge file never fills memory. Throws {@link DatasetFileError} on a wrong magic number
 * or a header declaring more than 2³¹ − 1 bytes (no typed array that large can be allocated).
 *
 * @example
 * ```ts
 * idxDeclaredLength(encodeIdx('ubyte', [2, 3], [1, 2, 3, 4, 5, 6]));   // 4 + 2·4 + 6 = 18
 * ```
 */
export function idxDeclaredLength(head: Uint8Array, file = '<bytes>'): number | undefined {
  if (head.length < 4) return undefined;
  const kind = TYPES[head[2]];
  const rank = head[3];
  if (head[0] !== 0 || head[1] !== 0 || !kind || rank === 0) {
    const magic = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
    throw new DatasetFileError(
      file,
      `wrong magic number ${hex(magic)}: not an IDX file (expected 0x000008NN for unsigned bytes, or another IDX type code and a rank ≥ 1)`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (head.length < headerBytes) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, headerBytes);
  let length = kind.size;
  for (let i = 0; i < rank; i++) length *= view.getUint32(4 + 4 * i);
  length += headerBytes;
  if (length > MAX_IDX_BYTES)
    throw new DatasetFileError(file, `corrupt: the header declares ${length} bytes, more than the ${MAX_IDX_BYTES} a typed array can hold`);
  return length;
}

/** Largest IDX file accepted: the largest byte length of one typed array everywhere (2³¹ − 1). */
const MAX_IDX_BYTES = 2 ** 31 - 1;
