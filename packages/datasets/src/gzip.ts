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
 * data are not gzip, are corrupt or truncated, or when the platform has no `DecompressionStream`.
 *
 * @example
 * ```ts
 * const raw = await gunzip(new Uint8Array(await (await fetch('train-labels-idx1-ubyte.gz')).arrayBuffer()));
 * ```
 */
export async function gunzip(bytes: Uint8Array, file = '<bytes>'): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new DatasetFileError(file, 'not gzip data (the first two bytes are not 1f 8b)');
  const Stream = (globalThis as { DecompressionStream?: new (format: string) => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream;
  if (!Stream) throw new DatasetFileError(file, 'is gzip-compressed and this platform has no DecompressionStream; decompress it first');
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new Stream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new DatasetFileError(file, `corrupt or truncated gzip data (${error instanceof Error ? error.message : String(error)})`);
  }
}
