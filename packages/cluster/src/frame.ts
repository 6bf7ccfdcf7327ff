/**
 * Framing of tensors for every transport: a message is a JSON header (kind, metadata, and each tensor's dtype and
 * shape) plus one binary buffer per tensor. Thread transports post the buffers as transferables (zero-copy); byte
 * transports (Redis) use the single-buffer encoding {@link encodeFrame} / {@link decodeFrame}.
 *
 * Wire format, version 1 (little-endian):
 * `"BBPF"` · u8 version · 3 reserved bytes · u32 header length · header JSON (UTF-8) · zero padding to 8 bytes ·
 * for each tensor its bytes, each padded to a multiple of 8.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { FrameError } from './errors.js';

/** Element types a frame carries. */
export type FrameDType = 'float32' | 'int32' | 'uint8';

/** The typed array of each {@link FrameDType}. */
export type FrameData = Float32Array | Int32Array | Uint8Array;

/** A tensor on the wire: row-major values with their shape (batch-first, as in tfjs). */
export interface TensorFrame {
  readonly dtype: FrameDType;
  readonly shape: readonly number[];
  readonly data: FrameData;
}

/** JSON-serialisable metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One message between two ends of a link. Sending hands the tensors' buffers over: a sender must not use or reuse
 * `data` after `send` (thread links transfer them and leave them detached).
 */
export interface Message {
  /** What the message is, e.g. `'upload'`, `'weights'`, `'features'`. */
  readonly kind: string;
  readonly meta?: JsonValue;
  readonly tensors?: readonly TensorFrame[];
}

const MAGIC = [0x42, 0x42, 0x50, 0x46]; // "BBPF"
const VERSION = 1;
const PREAMBLE = 12;
/** Headers above this size are rejected before parsing. */
const MAX_HEADER_BYTES = 1 << 24;
const BYTES_PER_ELEMENT: Record<FrameDType, number> = { float32: 4, int32: 4, uint8: 1 };

function dtypeOf(data: unknown): FrameDType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  return undefined;
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * A {@link TensorFrame} of `data` with `shape` (default `[data.length]`), validated: the dtype follows the array type
 * and the shape's product must equal `data.length`.
 *
 * @example
 * ```ts
 * const frame = tensorFrame(new Float32Array(6), [2, 3]);
 * ```
 */
export function tensorFrame(data: FrameData, shape: readonly number[] = [data.length]): TensorFrame {
  const dtype = dtypeOf(data);
  if (!dtype) throw new InvalidArgumentError('tensorFrame', 'data', 'must be a Float32Array, Int32Array or Uint8Array', data);
  checkShape('tensorFrame', shape, data.length);
  return { dtype, shape: [...shape], data };
}

function checkShape(fn: string, shape: readonly number[], length: number): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InvalidArgumentError(fn, 'shape', 'must be an array of non-negative integers', shape);
  }
  const size = shape.reduce((p, d) => p * d, 1);
  if (size !== length) throw new InvalidArgumentError(fn, 'shape', `must have ${length} elements (the data's length)`, shape);
}

/** Checks a message before it is sent: a string kind, tensors whose dtype, shape and data agree. */
export function checkMessage(fn: string, message: Message): void {
  if (typeof message !== 'object' || message === null || typeof message.kind !== 'string' || message.kind.length === 0) {
    throw new InvalidArgumentError(fn, 'message', "must be an object with a non-empty string 'kind'", message);
  }
  for (const [i, t] of (message.tensors ?? []).entries()) {
    const dtype = dtypeOf(t?.data);
    if (!dtype || dtype !== t.dtype) {
      throw new InvalidArgumentError(fn, `message.tensors[${i}]`, `must hold a typed array matching dtype '${String(t?.dtype)}'`, t?.data);
    }
    checkShape(fn, t.shape, t.data.length);
  }
}

/** Payload bytes of a message: the sum of its tensors' byte lengths (headers excluded). */
export function payloadBytes(message: Message): number {
  let n = 0;
  for (const t of message.tensors ?? []) n += t.data.byteLength;
  return n;
}

/**
 * Encodes a message into one contiguous buffer (the byte form used by Redis).
 *
 * @example
 * ```ts
 * const bytes = encodeFrame({ kind: 'weights', meta: { round: 3 }, tensors: [tensorFrame(w, [784, 392])] });
 * const back = decodeFrame(bytes); // same kind, meta, shapes and values
 * ```
 */
export function encodeFrame(message: Message): Uint8Array {
  checkMessage('encodeFrame', message);
  const tensors = message.tensors ?? [];
  const header = JSON.stringify({
    kind: message.kind,
    meta: message.meta ?? null,
    tensors: tensors.map((t) => ({ dtype: t.dtype, shape: t.shape, byteLength: t.data.byteLength })),
  });
  const headerBytes = new TextEncoder().encode(header);
  let total = pad8(PREAMBLE + headerBytes.length);
  for (const t of tensors) total += pad8(t.data.byteLength);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE);
  let offset = pad8(PREAMBLE + headerBytes.length);
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), offset);
    offset += pad8(t.data.byteLength);
  }
  return out;
}

interface RawHeader {
  kind: unknown;
  meta: unknown;
  tensors: unknown;
}

/**
 * Decodes a buffer written by {@link encodeFrame}. Every length the header claims is checked against the bytes
 * actually present before anything is allocated; the tensors are fresh, aligned copies the caller owns.
 *
 * @throws {@link FrameError} on a wrong magic or version, a malformed header, an unknown dtype, a shape that does not
 *   match its byte length, or lengths that run past the end of the buffer.
 */
export function decodeFrame(bytes: Uint8Array): Message {
  const fn = 'decodeFrame';
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(fn, 'bytes', 'must be a Uint8Array', bytes);
  if (bytes.length < PREAMBLE) throw new FrameError(fn, `frame of ${bytes.length} bytes is shorter than the ${PREAMBLE}-byte preamble`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) throw new FrameError(fn, 'bad magic (not a beyond-backprop frame)');
  if (bytes[4] !== VERSION) throw new FrameError(fn, `unsupported frame version ${bytes[4]} (this build reads ${VERSION})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (headerLength > MAX_HEADER_BYTES || PREAMBLE + headerLength > bytes.length) {
    throw new FrameError(fn, `header claims ${headerLength} bytes, only ${bytes.length - PREAMBLE} present`);
  }
  let raw: RawHeader;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength))) as RawHeader;
  } catch (e) {
    throw new FrameError(fn, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || typeof raw.kind !== 'string' || !Array.isArray(raw.tensors)) {
    throw new FrameError(fn, "header must be an object with a string 'kind' and a 'tensors' array");
  }
  // Validate every tensor entry and the total length before allocating anything.
  let offset = pad8(PREAMBLE + headerLength);
  const entries: Array<{ dtype: FrameDType; shape: number[]; byteLength: number; offset: number }> = [];
  for (const [i, e] of (raw.tensors as unknown[]).entries()) {
    const entry = e as { dtype?: unknown; shape?: unknown; byteLength?: unknown };
    const dtype = entry?.dtype as FrameDType;
    if (typeof dtype !== 'string' || !(dtype in BYTES_PER_ELEMENT)) throw new FrameError(fn, `tensor ${i}: unknown dtype ${JSON.stringify(entry?.dtype)}`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new FrameError(fn, `tensor ${i}: shape must be an array of non-negative integers`);
    }
    const byteLength = entry.byteLength;
    if (!Number.isSafeInteger(byteLength) || (byteLength as number) < 0) throw new FrameError(fn, `tensor ${i}: bad byteLength`);
    let size = 1;
    for (const d of shape as number[]) size *= d;
    if (size * BYTES_PER_ELEMENT[dtype] !== byteLength) {
      throw new FrameError(
        fn,
        `tensor ${i}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${size * BYTES_PER_ELEMENT[dtype]} bytes, header says ${String(byteLength)}`,
      );
    }
    if (offset + (byteLength as number) > bytes.length) {
      throw new FrameError(fn, `tensor ${i} claims ${String(byteLength)} bytes at offset ${offset}, the frame has ${bytes.length}`);
    }
    entries.push({ dtype, shape: shape as number[], byteLength: byteLength as number, offset });
    offset += pad8(byteLength as number);
  }
  const tensors: TensorFrame[] = entries.map((e) => {
    const copy = bytes.slice(e.offset, e.offset + e.byteLength).buffer;
    const data = e.dtype === 'float32' ? new Float32Array(copy) : e.dtype === 'int32' ? new Int32Array(copy) : new Uint8Array(copy);
    return { dtype: e.dtype, shape: e.shape, data };
  });
  return { kind: raw.kind, meta: (raw.meta ?? null) as JsonValue, tensors };
}
