/**
 * Command-line options that several experiments share (data sizes, data folder) and how they are read.
 */
import { checkNumber } from '@beyond-backprop/core-linalg';
import { selectExamples, type Dataset } from '@beyond-backprop/datasets';
import type { MethodOption, OptionValues } from '../registry.js';

/** `--train-size` and `--test-size`: the first n examples of each split. */
export const SIZE_OPTIONS: MethodOption[] = [
  { flag: '--train-size <n>', description: 'training examples: the first n (default: the experiment’s)' },
  { flag: '--test-size <n>', description: 'test examples: the first n (default: the experiment’s)' },
];

/** `--data-dir`: where a real data set's files are. */
export const DATA_DIR_OPTION: MethodOption = {
  flag: '--data-dir <dir>',
  description: 'folder with the data set’s files (default: $BBP_DATA_DIR, then an installed data package)',
};

/** `{ dir }` from `--data-dir`, or nothing: spread into a loader's options. */
export function dataDirectory(options: OptionValues): { dir?: string } {
  return options.dataDir === undefined ? {} : { dir: String(options.dataDir) };
}

/** An integer option's value (or `fallback`), checked against `min`; errors name the flag. */
export function integerOption(options: OptionValues, key: string, fallback: number, min: number): number {
  const raw = options[key];
  const value = raw === undefined ? fallback : Number(raw);
  checkNumber('bbp run', `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value, { min, integer: true });
  return value;
}

/**
 * The first `--train-size` / `--test-size` examples of each split (the loaders already shuffle with the seed), so a
 * CPU-sized run uses a fixed, reproducible subset; sizes larger than a split keep all of it.
 */
export function limitSizes<Y extends Int32Array | Float32Array>(
  data: Dataset<Y>,
  options: OptionValues,
  defaults: { train?: number; test?: number } = {},
): Dataset<Y> {
  const train = data.train.xShape[0];
  const test = data.test.xShape[0];
  const nTrain = Math.min(train, integerOption(options, 'trainSize', defaults.train ?? train, 1));
  const nTest = Math.min(test, integerOption(options, 'testSize', defaults.test ?? test, 1));
  const first = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  return {
    ...data,
    train: nTrain === train ? data.train : selectExamples(data.train, first(nTrain)),
    test: nTest === test ? data.test : selectExamples(data.test, first(nTest)),
  };
}
