/**
 * A small word-level tokenizer in the style of Keras' IMDB set: a vocabulary of the top-k training words, reserved
 * ids for padding, start and out-of-vocabulary, and `pad_sequences`-style padding/truncation. Browser-safe; the
 * Node.js `loadImdb` reads the `aclImdb` folder and calls {@link imdbFromReviews}.
 */
import { InvalidArgumentError, checkNumber, createRng } from '@beyond-backprop/core-linalg';
import type { Dataset, Split } from './split.js';

/** Id of the padding token. */
export const PAD_ID = 0;
/** Id of the start-of-review token (Keras' `start_char`). */
export const START_ID = 1;
/** Id of every out-of-vocabulary word (Keras' `oov_char`). */
export const OOV_ID = 2;
/** First id of a real word (the most frequent one). */
export const FIRST_WORD_ID = 3;

/** A word vocabulary: `words[id]` and its inverse. */
export interface Vocabulary {
  /** Token by id: `'<pad>'`, `'<start>'`, `'<oov>'`, then the kept words, most frequent first. */
  words: string[];
  /** Id by word (real words only). */
  ids: Map<string, number>;
}

/**
 * Splits a review into lower-case word tokens: HTML line breaks (`<br />`, which the IMDB reviews contain) become
 * spaces; a token is a run of letters, digits and apostrophes, with apostrophes trimmed from its ends.
 *
 * @example
 * ```ts
 * tokenize("It's <br /><br />GREAT, isn't it?");   // ["it's", 'great', "isn't", 'it']
 * ```
 */
export function tokenize(text: string): string[] {
  const words =
    text
      .toLowerCase()
      .replace(/<br\s*\/?>/g, ' ')
      .match(/[\p{L}\p{N}']+/gu) ?? [];
  const out: string[] = [];
  for (const w of words) {
    const trimmed = w.replace(/^'+|'+$/g, '');
    if (trimmed.length > 0) out.push(trimmed);
  }
  return out;
}

/**
 * The vocabulary of the `numWords − 3` most frequent tokens (ties broken by code-unit order, so it is deterministic),
 * with ids from 3 upward; ids 0, 1, 2 are padding, start and out-of-vocabulary, so every id is `< numWords` (Keras'
 * `num_words` convention).
 *
 * @example
 * ```ts
 * const vocab = buildVocabulary([['a', 'b', 'a']], { numWords: 5 });
 * vocab.words;   // ['<pad>', '<start>', '<oov>', 'a', 'b']
 * ```
 */
export function buildVocabulary(documents: Iterable<readonly string[]>, options: { numWords: number }): Vocabulary {
  checkNumber('buildVocabulary', 'numWords', options?.numWords, { min: FIRST_WORD_ID + 1, integer: true });
  const counts = new Map<string, number>();
  for (const doc of documents) for (const w of doc) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, options.numWords - FIRST_WORD_ID).map(([w]) => w);
  const words = ['<pad>', '<start>', '<oov>', ...kept];
  const ids = new Map(kept.map((w, i) => [w, i + FIRST_WORD_ID]));
  return { words, ids };
}

/**
 * Token ids of one document: `[START_ID, id(w₁), id(w₂), …]`, unknown words as {@link OOV_ID}.
 *
 * @example
 * ```ts
 * encodeTokens(['a', 'zebra'], vocab);   // [1, 3, 2]
 * ```
 */
export function encodeTokens(tokens: readonly string[], vocabulary: Vocabulary, options: { start?: boolean } = {}): number[] {
  const out = options.start === false ? [] : [START_ID];
  for (const w of tokens) out.push(vocabulary.ids.get(w) ?? OOV_ID);
  return out;
}

/**
 * Pads or truncates each sequence to `maxLen` (Keras `pad_sequences`): by default padding and truncation both happen
 * at the *start* (`'pre'`), which keeps the end of a long review next to the read-out — the target-space authors'
 * setting (Fairbank & Samothrakis §5.4).
 *
 * Returns `[n, maxLen]` ids, row-major.
 *
 * @example
 * ```ts
 * padSequences([[1, 5, 6], [1, 7, 8, 9, 4]], 4);   // Int32Array [0, 1, 5, 6,  7, 8, 9, 4]
 * ```
 */
export function padSequences(
  sequences: ReadonlyArray<ArrayLike<number>>,
  maxLen: number,
  options: { padding?: 'pre' | 'post'; truncating?: 'pre' | 'post'; value?: number } = {},
): Int32Array {
  checkNumber('padSequences', 'maxLen', maxLen, { min: 1, integer: true });
  const padding = options.padding ?? 'pre';
  const truncating = options.truncating ?? 'pre';
  for (const [name, v] of [
    ['padding', padding],
    ['truncating', truncating],
  ] as const) {
    if (v !== 'pre' && v !== 'post') throw new InvalidArgumentError('padSequences', name, "must be 'pre' or 'post'", v);
  }
  const out = new Int32Array(sequences.length * maxLen).fill(options.value ?? PAD_ID);
  sequences.forEach((seq, i) => {
    const len = Math.min(seq.length, maxLen);
    const from = truncating === 'pre' ? seq.length - len : 0;
    const to = i * maxLen + (padding === 'pre' ? maxLen - len : 0);
    for (let k = 0; k < len; k++) out[to + k] = seq[from + k];
  });
  return out;
}

/** Reviews of one split: texts and their labels (0 = negative, 1 = positive). */
export interface Reviews {
  texts: string[];
  labels: ArrayLike<number>;
  /** Where each text came from, for messages. */
  files?: string[];
}

/** Options of {@link imdbFromReviews} (and the Node.js `loadImdb`). */
export interface ImdbOptions {
  /** Vocabulary size including the 3 reserved ids. Default 5000 (the target-space paper, §5.4). */
  numWords?: number;
  /** Sequence length after padding/truncation. Default 500 (the target-space paper). */
  maxLen?: number;
  /** Where to pad and truncate. Default `'pre'` for both (Keras' defaults, which the authors' code used). */
  padding?: 'pre' | 'post';
  truncating?: 'pre' | 'post';
  /** Shuffle each split with this seed; `null` keeps the input order. Default 0. */
  seed?: number | null;
}

/** The IMDB data set plus its vocabulary. */
export interface ImdbDataset extends Dataset<Int32Array> {
  vocabulary: Vocabulary;
}

/**
 * The IMDB sentiment set (Maas et al. 2011) as token ids: the vocabulary is built from the training texts only, then
 * every review becomes `[START, ids…]`, padded/truncated to `maxLen`. Both splits are shuffled with `seed`.
 *
 * `x: [n, maxLen]` token ids stored as float32 (exact below 2²⁴), `y: [n]` (0 = negative, 1 = positive). The
 * target-space paper (§5.4) uses 25000/25000 reviews, 5000 words, length 500, an embedding of 32 and scores only the
 * last step.
 *
 * @example
 * ```ts
 * const imdb = imdbFromReviews({ train: { texts: ['good film', 'bad film'], labels: [1, 0] },
 *   test: { texts: ['good'], labels: [1] } }, { numWords: 10, maxLen: 4 });
 * ```
 */
export function imdbFromReviews(reviews: { train: Reviews; test: Reviews }, options: ImdbOptions = {}): ImdbDataset {
  const fn = 'imdbFromReviews';
  const numWords = options.numWords ?? 5000;
  const maxLen = options.maxLen ?? 500;
  checkNumber(fn, 'numWords', numWords, { min: FIRST_WORD_ID + 1, integer: true });
  checkNumber(fn, 'maxLen', maxLen, { min: 1, integer: true });
  const seed = options.seed === undefined ? 0 : options.seed;
  if (seed !== null) checkNumber(fn, 'seed', seed);
  for (const part of ['train', 'test'] as const) {
    const r = reviews?.[part];
    if (!r || !Array.isArray(r.texts)) throw new InvalidArgumentError(fn, `reviews.${part}.texts`, 'must be an array of strings', r?.texts);
    // No training text means an empty vocabulary and nothing to train on; an empty test split is allowed.
    if (part === 'train' && r.texts.length === 0) throw new InvalidArgumentError(fn, 'reviews.train.texts', 'must hold at least one review', 'an empty array');
    if (r.labels.length !== r.texts.length)
      throw new InvalidArgumentError(fn, `reviews.${part}.labels`, `must have one label per text (${r.texts.length})`, `${r.labels.length} labels`);
    for (let i = 0; i < r.labels.length; i++) {
      if (r.labels[i] !== 0 && r.labels[i] !== 1) throw new InvalidArgumentError(fn, `reviews.${part}.labels[${i}]`, 'must be 0 or 1', r.labels[i]);
    }
  }
  const trainTokens = reviews.train.texts.map(tokenize);
  const vocabulary = buildVocabulary(trainTokens, { numWords });
  const rng = seed === null ? null : createRng(seed);
  const toSplit = (tokens: string[][], labels: ArrayLike<number>, label: string): Split<Int32Array> => {
    const n = tokens.length;
    const order = rng ? rng.fork(label).permutation(n) : Array.from({ length: n }, (_, i) => i);
    const ids = order.map((i) => encodeTokens(tokens[i], vocabulary));
    const padded = padSequences(ids, maxLen, { padding: options.padding ?? 'pre', truncating: options.truncating ?? 'pre' });
    return { x: Float32Array.from(padded), xShape: [n, maxLen], y: Int32Array.from(order, (i) => labels[i]), yShape: [n] };
  };
  return {
    name: 'imdb',
    train: toSplit(trainTokens, reviews.train.labels, 'train'),
    test: toSplit(reviews.test.texts.map(tokenize), reviews.test.labels, 'test'),
    numClasses: 2,
    classNames: ['negative', 'positive'],
    source: 'Maas et al. (2011), Large Movie Review Dataset; target-space §5.4 (5000 words, length 500)',
    vocabulary,
  };
}
