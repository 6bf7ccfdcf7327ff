/**
 * `@beyond-backprop/training/node` — Node.js file helpers: checkpoints to and from disk in the binary form of
 * {@link encodeCheckpoint}, and a file IO handler for `tf.LayersModel` (`model.json` + `weights.bin`, the tfjs
 * format) that works without `@tensorflow/tfjs-node`.
 *
 * @packageDocumentation
 */
import { mkdir, readFile, stat, writeFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';

/**
 * Writes `checkpoint` (any trainer's `checkpoint()` result) to `path` in the binary form (creating the folder); the
 * file is written next to `path` first and renamed, so an interrupted save never leaves a truncated checkpoint.
 *
 * @example
 * ```ts
 * await saveCheckpoint('runs/net.bbpc', await net.checkpoint());
 * ```
 */
export async function saveCheckpoint(path: string, checkpoint: unknown): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new CheckpointError('saveCheckpoint', 'path', 'must be a non-empty string', path);
  const bytes = encodeCheckpoint(checkpoint);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint}; pass the result to the trainer's `fromCheckpoint`, which
 * validates it. A missing file, a directory or a corrupt file gives `CheckpointError` naming the path.
 *
 * @example
 * ```ts
 * const net = await TargetSpaceMlp.fromCheckpoint((await loadCheckpoint('runs/net.bbpc')) as TargetSpaceMlpCheckpoint);
 * ```
 */
export async function loadCheckpoint(path: string): Promise<unknown> {
  const fn = 'loadCheckpoint';
  if (typeof path !== 'string' || path === '') throw new CheckpointError(fn, 'path', 'must be a non-empty string', path);
  let bytes: Uint8Array;
  try {
    if (!(await stat(path)).isFile()) throw new CheckpointError(fn, 'path', 'must name a regular file', path);
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if (CheckpointError.isInstance(error)) throw error;
    throw new CheckpointError(fn, 'path', `must name a readable file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, path);
  }
  return decodeCheckpoint(bytes);
}
export { fileSystemHandler, loadLayersModel, saveLayersModel } from './model-files.js';
