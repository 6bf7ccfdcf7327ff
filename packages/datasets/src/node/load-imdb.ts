/**
 * The IMDB sentiment reviews (Maas et al. 2011) from the standard `aclImdb` folder layout, for Node.js.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetFileError, DatasetNotFoundError } from '../dataset-errors.js';
import { imdbFromReviews, type ImdbDataset, type ImdbOptions, type Reviews } from '../text-tokenizer.js';
import { dataDirectories, readTextFile, searchedDirectories, type DataLocationOptions } from './data-directories.js';

/** Options of {@link loadImdb}. */
export interface LoadImdbOptions extends DataLocationOptions, ImdbOptions {}

const HINT =
  'Provide it with loadImdb({ dir }), or set BBP_DATA_DIR to a folder that contains aclImdb/ ' +
  '(the extracted "Large Movie Review Dataset" from https://ai.stanford.edu/~amaas/data/sentiment/).';

/** Review files `<id>_<rating>.txt` of one folder, in id order. */
function reviewFiles(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch (error) {
    throw new DatasetFileError(folder, `cannot be read (${(error as Error).message})`);
  }
  const files = entries.filter((f) => f.endsWith('.txt'));
  if (files.length === 0)
    throw new DatasetFileError(folder, 'is empty: expected review files such as 0_3.txt (aclImdb layout: <split>/<neg|pos>/<id>_<rating>.txt)');
  const id = (f: string) => Number.parseInt(f, 10);
  return files.sort((a, b) => id(a) - id(b) || (a < b ? -1 : a > b ? 1 : 0)).map((f) => join(folder, f));
}

function readSplit(root: string, split: 'train' | 'test'): Reviews {
  const texts: string[] = [];
  const labels: number[] = [];
  const files: string[] = [];
  for (const [folder, label] of [
    ['neg', 0],
    ['pos', 1],
  ] as const) {
    for (const file of reviewFiles(join(root, split, folder))) {
      texts.push(readTextFile(file));
      labels.push(label);
      files.push(file);
    }
  }
  return { texts, labels, files };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * IMDB reviews from an `aclImdb` folder (`train/neg`, `train/pos`, `test/neg`, `test/pos`, each of `<id>_<rating>.txt`;
 * `train/unsup` is ignored), found as `dir` or `dir/aclImdb`, else `$BBP_DATA_DIR/aclImdb` or `$BBP_DATA_DIR/imdb/aclImdb`.
 * Tokenised with `tokenize` (from the main entry point); the vocabulary keeps the top `numWords` training words; reviews become
 * `[START, ids…]` padded/truncated at the start to `maxLen` (defaults 5000 and 500, the target-space paper §5.4), then
 * each split is shuffled with `seed`. Missing folders throw `DatasetNotFoundError`, empty ones `DatasetFileError`.
 *
 * `x: [n, maxLen]` token ids (float32), `y: [n]` (0 = negative, 1 = positive); 25000 / 25000 reviews.
 *
 * @example
 * ```ts
 * import { loadImdb } from '@beyond-backprop/datasets/node';
 * const imdb = loadImdb({ dir: '/data/aclImdb' });
 * imdb.vocabulary.words[3];   // the most frequent word
 * ```
 */
export function loadImdb(options: LoadImdbOptions = {}): ImdbDataset {
  const roots = dataDirectories(['aclImdb', join('imdb', 'aclImdb')], options).filter((d) => isDirectory(join(d, 'train')) || isDirectory(join(d, 'test')));
  const root = roots[0];
  if (!root)
    throw new DatasetNotFoundError('aclImdb', searchedDirectories(['aclImdb', join('imdb', 'aclImdb')], options), HINT, ['aclImdb/train', 'aclImdb/test']);
  for (const part of ['train/neg', 'train/pos', 'test/neg', 'test/pos']) {
    if (!isDirectory(join(root, part)))
      throw new DatasetFileError(join(root, part), `missing: an aclImdb folder needs train/neg, train/pos, test/neg and test/pos. ${HINT}`);
  }
  return imdbFromReviews({ train: readSplit(root, 'train'), test: readSplit(root, 'test') }, options);
}
