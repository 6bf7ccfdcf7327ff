/**
 * The checkpoint contract every beyond-backprop trainer follows: one envelope (`{format, version, kind, …}`), a
 * typed {@link CheckpointError} naming the offending field, a {@link CheckpointReader} that validates what a
 * `fromCheckpoint` is about to build from, and a compact binary form ({@link encodeCheckpoint} /
 * {@link decodeCheckpoint}) that keeps every float bit (NaN included, which JSON turns into `null`).
 */
import { BbpError } from '@beyond-backprop/core-linalg';

/** The `format` tag of every trainer checkpoint. */
export const CHECKPOINT_FORMAT = 'beyond-backprop/checkpoint';
/** The checkpoint layout version this release writes and reads. */
export const CHECKPOINT_VERSION = 1;

/**
 * What every trainer checkpoint starts with. `kind` names the trainer class (`'TargetSpaceMlp'`, `'RecLraNetwork'`,
 * …); the rest is the trainer's own JSON-compatible state (numbers, strings, arrays, plain objects).
 *
 * @example
 * ```ts
 * const ckpt = await net.checkpoint(); // { format: 'beyond-backprop/checkpoint', version: 1, kind: 'TargetSpaceMlp', … }
 * ```
 */
export interface CheckpointEnvelope<K extends string = string> {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  kind: K;
}

/** The envelope fields of a checkpoint of `kind`. */
export function checkpointEnvelope<K extends string>(kind: K): CheckpointEnvelope<K> {
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, kind };
}

/**
 * A checkpoint (or its file) is malformed: wrong format or version, a missing field, a shape that does not match the
 * architecture, a non-finite value, a non-integer counter, or truncated / inconsistent binary data. `field` is the
 * path of the offending value (`'state.params[2].data'`).
 *
 * @example
 * ```ts
 * try { await TargetSpaceMlp.fromCheckpoint(c); } catch (e) { if (CheckpointError.isInstance(e)) console.log(e.field); }
 * ```
 */
export class CheckpointError extends BbpError {
  readonly fn: string;
  readonly field: string;
  constructor(fn: string, field: string, requirement: string, received?: unknown) {
    super(
      'checkpoint',
      `${fn}: checkpoint field '${field}' ${requirement}${received === undefined && arguments.length < 4 ? '' : `, got ${describe(received)}`}`,
    );
    this.fn = fn;
    this.field = field;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}

/**
 * Validating accessors for `fromCheckpoint`: each returns the value with its type narrowed or throws
 * {@link CheckpointError} naming `fn` and the field.
 *
 * @example
 * ```ts
 * const r = new CheckpointReader('MyNet.fromCheckpoint');
 * const body = r.envelope(ckpt, 'MyNet');
 * const iterations = r.integer('iterations', body.iterations);
 * const w = r.finiteArray('params[0].data', body.params[0].data, 12);
 * ```
 */
export class CheckpointReader {
  constructor(readonly fn: string) {}

  /** Throws {@link CheckpointError} for `field`. */
  fail(field: string, requirement: string, received: unknown): never {
    throw new CheckpointError(this.fn, field, requirement, received);
  }

  /** Checks `format`, `version` and `kind`; returns the checkpoint as a record. */
  envelope(value: unknown, kind: string): Record<string, unknown> {
    const body = this.object('checkpoint', value);
    if (body.format !== CHECKPOINT_FORMAT) this.fail('format', `must be '${CHECKPOINT_FORMAT}'`, body.format);
    if (body.version !== CHECKPOINT_VERSION) this.fail('version', `must be ${CHECKPOINT_VERSION} (the version this release reads)`, body.version);
    if (body.kind !== kind) this.fail('kind', `must be '${kind}'`, body.kind);
    return body;
  }

  /** A plain (non-array) object. */
  object(field: string, value: unknown): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'is required and must be an object', value);
    return value as Record<string, unknown>;
  }

  /** An array of `length` entries (any length when omitted). */
  array(field: string, value: unknown, length?: number): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'is required and must be an array', value);
    if (length !== undefined && value.length !== length) this.fail(field, `must have ${length} entries`, value);
    return value;
  }

  /** A finite number in `[min, max]`. */
  number(field: string, value: unknown, min = -Infinity, max = Infinity): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, 'is required and must be a finite number', value);
    if (value < min || value > max) this.fail(field, `must lie in [${min}, ${max}]`, value);
    return value;
  }

  /** An integer ≥ `min` (counters, sizes, seeds). */
  integer(field: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(field, 'is required and must be an integer', value);
    if (value < min || value > max) this.fail(field, `must lie in [${min}, ${max}]`, value);
    return value;
  }

  /** A string, one of `allowed` when given. */
  string<S extends string>(field: string, value: unknown, allowed?: readonly S[]): S {
    if (typeof value !== 'string') this.fail(field, 'is required and must be a string', value);
    if (allowed && !allowed.includes(value as S)) this.fail(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
    return value as S;
  }

  /** A boolean. */
  boolean(field: string, value: unknown): boolean {
    if (typeof value !== 'boolean') this.fail(field, 'is required and must be a boolean', value);
    return value;
  }

  /** An array of exactly `length` finite numbers (a NaN that JSON saved as `null` fails here, never becomes 0). */
  finiteArray(field: string, value: unknown, length: number): number[] {
    const values = this.array(field, value, length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${field}[${i}]`, 'must be a finite number', v);
    }
    return values as number[];
  }

  /** A shape equal to `expected` (the architecture's). */
  shape(field: string, value: unknown, expected: readonly number[]): number[] {
    const shape = this.array(field, value);
    if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
      this.fail(field, `must be [${expected.join(', ')}] (the architecture's)`, `[${shape.map(String).join(', ')}]`);
    }
    return shape as number[];
  }

  /** `{rows, cols, data}` with the given size and finite data; returns the data as a Float64Array. */
  matrix(field: string, value: unknown, rows: number, cols: number): { rows: number; cols: number; data: Float64Array } {
    const m = this.object(field, value);
    this.shape(`${field}.[rows, cols]`, [m.rows, m.cols], [rows, cols]);
    return { rows, cols, data: Float64Array.from(this.finiteArray(`${field}.data`, m.data, rows * cols)) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Binary form

const MAGIC = [0x42, 0x42, 0x50, 0x43]; // "BBPC"
/** Version of the binary container (independent of the checkpoint layout version inside it). */
export const CHECKPOINT_BINARY_VERSION = 1;
const PREAMBLE_BYTES = 12;
const REF_KEY = '$array';

interface ArrayRef {
  dtype: 'float32' | 'float64';
  offset: number;
  length: number;
}

/**
 * A compact binary form of a checkpoint (or any JSON-compatible value): a preamble (`"BBPC"`, container version,
 * header length, little-endian u32s), a JSON header in which every numeric array is replaced by a reference, then
 * one little-endian blob holding the arrays — as float32 when every value of the array is exactly a float32
 * (NaN and ±∞ included), float64 otherwise. Every bit survives, NaN included, and a 156-parameter network takes a
 * few kilobytes instead of hundreds. Plain arrays and Float32Array/Float64Array values come back as `number[]`.
 *
 * @example
 * ```ts
 * const bytes = encodeCheckpoint(await net.checkpoint());
 * const again = await TargetSpaceMlp.fromCheckpoint(decodeCheckpoint(bytes) as TargetSpaceMlpCheckpoint);
 * ```
 */
export function encodeCheckpoint(value: unknown): Uint8Array {
  const arrays: Array<ArrayLike<number>> = [];
  const refs: ArrayRef[] = [];
  let blobBytes = 0;
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof Float32Array || v instanceof Float64Array || (Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'number'))) {
      const values = v as ArrayLike<number>;
      let f32 = true;
      for (let i = 0; i < values.length && f32; i++) f32 = Object.is(Math.fround(values[i]), values[i]) || Number.isNaN(values[i]);
      const dtype = f32 ? 'float32' : 'float64';
      const size = f32 ? 4 : 8;
      blobBytes = Math.ceil(blobBytes / size) * size;
      refs.push({ dtype, offset: blobBytes, length: values.length });
      arrays.push(values);
      blobBytes += size * values.length;
      return { [REF_KEY]: refs.length - 1 };
    }
    if (Array.isArray(v)) return v.map((e, i) => walk(e, `${path}[${i}]`));
    if (v !== null && typeof v === 'object') {
      if (REF_KEY in v) throw new CheckpointError('encodeCheckpoint', `${path}.${REF_KEY}`, 'is a reserved key');
      return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e, path ? `${path}.${k}` : k)]));
    }
    if (typeof v === 'number' && !Number.isFinite(v))
      throw new CheckpointError('encodeCheckpoint', path, 'must be finite (a scalar outside a numeric array)', v);
    return v;
  };
  const tree = walk(value, '');
  const header = new TextEncoder().encode(JSON.stringify({ blobBytes, arrays: refs, value: tree }));
  const blobStart = Math.ceil((PREAMBLE_BYTES + header.length) / 8) * 8;
  const bytes = new Uint8Array(blobStart + blobBytes);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, CHECKPOINT_BINARY_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, PREAMBLE_BYTES);
  header.fill(0);
  refs.forEach((ref, k) => {
    const values = arrays[k];
    const base = blobStart + ref.offset;
    for (let i = 0; i < values.length; i++) {
      if (ref.dtype === 'float32') view.setFloat32(base + 4 * i, values[i], true);
      else view.setFloat64(base + 8 * i, values[i], true);
    }
  });
  return bytes;
}

/**
 * Inverse of {@link encodeCheckpoint}. Checks the magic, the container version, the header length against the bytes
 * present, and every array's offset and length against the blob before allocating it; throws {@link CheckpointError}
 * naming what is wrong. The result still goes through the trainer's `fromCheckpoint` validation.
 *
 * @example
 * ```ts
 * const ckpt = decodeCheckpoint(new Uint8Array(await readFile('net.bbpc')));
 * ```
 */
export function decodeCheckpoint(bytes: Uint8Array): unknown {
  const fn = 'decodeCheckpoint';
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError(fn, 'bytes', 'must be a Uint8Array', bytes);
  if (bytes.length < PREAMBLE_BYTES || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new CheckpointError(fn, 'magic', "must be 'BBPC' (not a binary beyond-backprop checkpoint)", `${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_BINARY_VERSION) throw new CheckpointError(fn, 'binaryVersion', `must be ${CHECKPOINT_BINARY_VERSION}`, version);
  const headerLength = view.getUint32(8, true);
  if (headerLength > bytes.length - PREAMBLE_BYTES)
    throw new CheckpointError(fn, 'headerLength', `must fit in the ${bytes.length - PREAMBLE_BYTES} bytes present`, headerLength);
  let header: { blobBytes?: unknown; arrays?: unknown; value?: unknown };
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength)));
  } catch (error) {
    throw new CheckpointError(fn, 'header', 'must be UTF-8 JSON', (error as Error).message);
  }
  const r = new CheckpointReader(fn);
  const h = r.object('header', header);
  const blobStart = Math.ceil((PREAMBLE_BYTES + headerLength) / 8) * 8;
  const blobBytes = r.integer('header.blobBytes', h.blobBytes);
  if (blobStart + blobBytes !== bytes.length)
    throw new CheckpointError(fn, 'header.blobBytes', `must equal the ${Math.max(0, bytes.length - blobStart)} bytes present`, blobBytes);
  const refs = r.array('header.arrays', h.arrays).map((raw, k) => {
    const ref = r.object(`header.arrays[${k}]`, raw);
    const dtype = r.string(`header.arrays[${k}].dtype`, ref.dtype, ['float32', 'float64'] as const);
    const size = dtype === 'float32' ? 4 : 8;
    const offset = r.integer(`header.arrays[${k}].offset`, ref.offset, 0, blobBytes);
    const length = r.integer(`header.arrays[${k}].length`, ref.length, 0, Math.floor((blobBytes - offset) / size));
    if (offset % size !== 0) r.fail(`header.arrays[${k}].offset`, `must be a multiple of ${size}`, offset);
    return { dtype, offset, length } satisfies ArrayRef;
  });
  const used = new Set<number>();
  const rebuild = (v: unknown, path: string): unknown => {
    if (Array.isArray(v)) return v.map((e, i) => rebuild(e, `${path}[${i}]`));
    if (v === null || typeof v !== 'object') return v;
    if (REF_KEY in v) {
      const raw = (v as Record<string, unknown>)[REF_KEY];
      const k = typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw < refs.length && !used.has(raw) ? raw : -1;
      if (k < 0) r.fail(`${path}.${REF_KEY}`, `must be an unused array index below ${refs.length}`, raw);
      used.add(k);
      const ref = refs[k];
      const out = new Array<number>(ref.length);
      const base = blobStart + ref.offset;
      for (let i = 0; i < ref.length; i++) out[i] = ref.dtype === 'float32' ? view.getFloat32(base + 4 * i, true) : view.getFloat64(base + 8 * i, true);
      return out;
    }
    return Object.fromEntries(Object.entries(v).map(([key, e]) => [key, rebuild(e, path ? `${path}.${key}` : key)]));
  };
  return rebuild(h.value, '');
}
