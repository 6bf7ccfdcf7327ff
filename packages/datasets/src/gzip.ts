/**
 * Gzip detection and browser-safe decompression (the `DecompressionStream` web API, available in Node.js ≥ 18 and
 * every current browser). The Node.js loaders use `node:zlib` instead.
 */
import { DatasetFileError } from './dataset-errors.js';

/**
 * Whether `bytes` start with the gzip magic number `1f 8b`.
 *
 * @example
 * ```ts
 * isGzip(new Uint8Array([0x1f, 0x8b, 8, 0]));   // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip `bytes` with `DecompressionStream('gzip')`. Throws {@link DatasetFileError} naming `file` when the
 * data are not gzip, are corrupt or truncated, or when the platform has no `DecompressionStream`. With
 * `declaredLength` (given the first decompressed bytes, the total the file's header declares, or `undefined` until
 * there are enough of them) decompression stops with that error as soon as the output outgrows the declared length.
 *
 * @example
 * ```ts
 * const raw = await gunzip(new Uint8Array(await (await fetch('train-labels-idx1-ubyte.gz')).arrayBuffer()));
 * ```
 */
export async function gunzip(bytes: Uint8Array, file = '<bytes>', declaredLength?: (head: Uint8Array) => number | undefined): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new DatasetFileError(file, 'not gzip data (the first two bytes are not 1f 8b)');
  const Stream = (globalThis as { DecompressionStream?: new (format: string) => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream;
  if (!Stream) throw new DatasetFileError(file, 'is gzip-compressed and this platform has no DecompressionStream; decompress it first');
  const chunks: Uint8Array[] = [];
  let total = 0;
  let limit: number | undefined;
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new Stream('gzip')).getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new DatasetFileError(file, `corrupt or truncated gzip data (${error instanceof Error ? error.message : String(error)})`);
      }
      if (next.done) break;
      chunks.push(next.value);
      total += next.value.length;
      if (declaredLength && limit === undefined) limit = declaredLength(concat(chunks, Math.min(total, 1024)));
      if (limit !== undefined && total > limit) throw new DatasetFileError(file, `corrupt: decompresses to more than the ${limit} bytes its header declares`);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return concat(chunks, total);
}

/** The first `length` bytes of `chunks`, joined. */
function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0].subarray(0, length);
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    if (at >= length) break;
    const part = c.subarray(0, length - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}
