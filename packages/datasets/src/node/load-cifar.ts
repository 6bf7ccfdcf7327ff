/**
 * CIFAR-10 and CIFAR-100 from the local "binary version" batches, for Node.js.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cifarFromBatches, type CifarFromBatchesOptions } from '../cifar.js';
import type { Dataset } from '../split.js';
import { findDataFile, readDataFile, readTextFile, type DataLocationOptions } from './data-directories.js';

/** Bytes of one CIFAR-10 batch file (10000 records of label + 3072 pixels): the cap on gzip-compressed batches. */
const CIFAR10_FILE_BYTES = 10000 * 3073;
/** Bytes of one CIFAR-100 record (coarse label, fine label, 3072 pixels). */
const CIFAR100_RECORD_BYTES = 3074;

/** Options of {@link loadCifar10}. */
export interface LoadCifarOptions extends DataLocationOptions, Pick<CifarFromBatchesOptions, 'scale' | 'flatten'> {}

/** Options of {@link loadCifar100}. */
export interface LoadCifar100Options extends LoadCifarOptions {
  /** Fine (100 classes) or coarse (20 superclasses) labels. Default `'fine'`. */
  label?: 'fine' | 'coarse';
}

const CIFAR10_HINT =
  'Provide it with loadCifar10({ dir }), or set BBP_DATA_DIR to a folder that contains cifar-10-batches-bin/ ' +
  '(the extracted "CIFAR-10 binary version" from https://www.cs.toronto.edu/~kriz/cifar.html).';
const CIFAR100_HINT =
  'Provide it with loadCifar100({ dir }), or set BBP_DATA_DIR to a folder that contains cifar-100-binary/ ' +
  '(the extracted "CIFAR-100 binary version" from https://www.cs.toronto.edu/~kriz/cifar.html).';

/**
 * CIFAR-10 (Krizhevsky 2009) from `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`, found in `dir` (or
 * `dir/cifar-10-batches-bin`), else `$BBP_DATA_DIR/cifar-10-batches-bin` or `$BBP_DATA_DIR`. Every batch is validated
 * before the data set is built; problems throw `DatasetFileError` / `DatasetNotFoundError` naming the file.
 *
 * `x: [n, 32, 32, 3]` NHWC (or `[n, 3072]` with `flatten`), float32 in [0, 1] (0–255 with `scale: false`);
 * `y: [n]` labels 0–9; 50000 train / 10000 test.
 *
 * @example
 * ```ts
 * import { loadCifar10 } from '@beyond-backprop/datasets/node';
 * const cifar = loadCifar10({ dir: '/data/cifar-10-batches-bin' });
 * ```
 */
export function loadCifar10(options: LoadCifarOptions = {}): Dataset<Int32Array> {
  const subfolders = ['cifar-10-batches-bin', 'cifar10', 'cifar-10'];
  const trainPaths = [1, 2, 3, 4, 5].map((i) => findDataFile([`data_batch_${i}.bin`], subfolders, options, CIFAR10_HINT));
  const testPath = findDataFile(['test_batch.bin'], subfolders, options, CIFAR10_HINT);
  return cifarFromBatches(
    { train: trainPaths.map((p) => readDataFile(p, () => CIFAR10_FILE_BYTES)), test: readDataFile(testPath, () => CIFAR10_FILE_BYTES) },
    { ...options, variant: 'cifar-10', names: { train: trainPaths, test: testPath } },
  );
}

/**
 * CIFAR-100 (Krizhevsky 2009) from `train.bin` and `test.bin`, found in `dir` (or `dir/cifar-100-binary`), else
 * `$BBP_DATA_DIR/cifar-100-binary` or `$BBP_DATA_DIR`. Class names come from `fine_label_names.txt` /
 * `coarse_label_names.txt` beside `train.bin` when present.
 *
 * `x: [n, 32, 32, 3]` NHWC (or `[n, 3072]`), float32 in [0, 1]; `y: [n]` fine labels 0–99 (or coarse 0–19);
 * 50000 train / 10000 test.
 *
 * @example
 * ```ts
 * const cifar100 = loadCifar100({ label: 'coarse' });   // 20 superclasses
 * ```
 */
export function loadCifar100(options: LoadCifar100Options = {}): Dataset<Int32Array> {
  const subfolders = ['cifar-100-binary', 'cifar100', 'cifar-100'];
  const label = options.label ?? 'fine';
  const trainPath = findDataFile(['train.bin'], subfolders, options, CIFAR100_HINT);
  const testPath = findDataFile(['test.bin'], subfolders, options, CIFAR100_HINT);
  const namesFile = join(dirname(trainPath), `${label}_label_names.txt`);
  const classNames = existsSync(namesFile)
    ? readTextFile(namesFile)
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : undefined;
  const expected = label === 'fine' ? 100 : 20;
  return cifarFromBatches(
    { train: [readDataFile(trainPath, () => 50000 * CIFAR100_RECORD_BYTES)], test: readDataFile(testPath, () => 10000 * CIFAR100_RECORD_BYTES) },
    {
      ...options,
      variant: 'cifar-100',
      label,
      names: { train: [trainPath], test: testPath },
      ...(classNames && classNames.length === expected ? { classNames } : {}),
    },
  );
}
