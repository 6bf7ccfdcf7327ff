import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import {
  DatasetFileError,
  OOV_ID,
  START_ID,
  buildVocabulary,
  cifarFromBatches,
  decodeIdx,
  encodeIdx,
  encodeTokens,
  gunzip,
  imdbFromReviews,
  isGzip,
  mnistFromIdx,
  padSequences,
  parseCifarBatch,
  parseIdx,
  tokenize,
  type MnistFiles,
} from '../src/index.js';

const gzip = (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes));

/** A tiny MNIST-format set: `n` images of 3×2 whose pixels encode (example, position), labels `e mod 10`. */
function tinyMnist(nTrain = 5, nTest = 3): MnistFiles {
  const images = (n: number) =>
    encodeIdx(
      'ubyte',
      [n, 3, 2],
      Array.from({ length: n * 6 }, (_, i) => (i * 7) % 256),
    );
  const labels = (n: number) =>
    encodeIdx(
      'ubyte',
      [n],
      Array.from({ length: n }, (_, i) => i % 10),
    );
  return { trainImages: images(nTrain), trainLabels: labels(nTrain), testImages: images(nTest), testLabels: labels(nTest) };
}

/** A CIFAR binary batch of `n` records whose R, G, B planes hold 1, 2, 3 (+ record index) and labels `r mod classes`. */
function cifarBatch(n: number, variant: 'cifar-10' | 'cifar-100' = 'cifar-10'): Uint8Array {
  const labelBytes = variant === 'cifar-10' ? 1 : 2;
  const record = labelBytes + 3072;
  const out = new Uint8Array(n * record);
  for (let r = 0; r < n; r++) {
    if (variant === 'cifar-10') out[r * record] = r % 10;
    else {
      out[r * record] = r % 20;
      out[r * record + 1] = (r * 7) % 100;
    }
    for (let c = 0; c < 3; c++) out.fill(c + 1 + r, r * record + labelBytes + c * 1024, r * record + labelBytes + (c + 1) * 1024);
  }
  return out;
}

describe('IDX files', () => {
  it('round-trips every IDX type with its big-endian values and shape', () => {
    const cases = [
      ['ubyte', [2, 3], [0, 1, 2, 253, 254, 255]],
      ['sbyte', [4], [-128, -1, 0, 127]],
      ['short', [2, 2], [-32768, -2, 300, 32767]],
      ['int', [3], [-2147483648, 65536, 2147483647]],
      ['float', [2], [1.5, -0.25]],
      ['double', [1, 2], [Math.PI, -1e300]],
    ] as const;
    for (const [type, shape, values] of cases) {
      const parsed = parseIdx(encodeIdx(type, shape, values), { file: `x.${type}` });
      expect(parsed.type).toBe(type);
      expect(parsed.shape).toEqual(shape);
      expect(Array.from(parsed.data)).toEqual(values);
    }
    const header = encodeIdx('ubyte', [2], [3, 7]);
    expect(Array.from(header)).toEqual([0, 0, 8, 1, 0, 0, 0, 2, 3, 7]);
  });

  it('decodes gzip-compressed IDX through DecompressionStream', async () => {
    const raw = encodeIdx('ubyte', [2, 2], [1, 2, 3, 4]);
    const packed = gzip(raw);
    expect(isGzip(packed)).toBe(true);
    expect(isGzip(raw)).toBe(false);
    expect(Array.from(await gunzip(packed))).toEqual(Array.from(raw));
    const parsed = await decodeIdx(packed, { file: 'x.gz' });
    expect(parsed.shape).toEqual([2, 2]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4]);
  });

  it('names the file and the problem for truncated, corrupt, gzip and wrong-magic input', async () => {
    const good = encodeIdx('ubyte', [10, 28, 28], new Uint8Array(7840));
    const attempt = (bytes: Uint8Array) => () => parseIdx(bytes, { file: 'train-images-idx3-ubyte' });
    expect(attempt(good.slice(0, 1000))).toThrow(DatasetFileError);
    expect(attempt(good.slice(0, 1000))).toThrow(
      'train-images-idx3-ubyte: truncated: the header declares 10×28×28 ubyte values (7856 bytes), the file has 1000 bytes',
    );
    expect(attempt(good.slice(0, 10))).toThrow(/truncated header: rank 3 needs 16 bytes, the file has 10/);
    expect(attempt(good.slice(0, 2))).toThrow(/truncated: 2 bytes/);
    expect(attempt(new Uint8Array(0))).toThrow(/train-images-idx3-ubyte: is empty/);
    expect(attempt(new Uint8Array([...good, 0, 0]))).toThrow(/corrupt: 2 bytes after the 10×28×28 ubyte values/);
    expect(attempt(new Uint8Array([1, 2, 8, 3, ...good.slice(4)]))).toThrow(/wrong magic number 0x01020803: not an IDX file/);
    expect(attempt(new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 0]))).toThrow(/wrong magic number 0x00004201/);
    expect(attempt(gzip(good))).toThrow(/is gzip-compressed; decompress it first/);
    const labels = encodeIdx('ubyte', [10], new Uint8Array(10));
    expect(() => parseIdx(labels, { file: 'imgs', expect: { type: 'ubyte', rank: 3, what: 'an image file' } })).toThrow(
      'imgs: wrong magic number 0x00000801 (ubyte, rank 1) where 0x00000803 (an image file) was expected',
    );
    await expect(gunzip(gzip(good).slice(0, 50), 'cut.gz')).rejects.toThrow(/cut.gz: corrupt or truncated gzip data/);
    await expect(gunzip(good, 'raw')).rejects.toThrow(/raw: not gzip data/);
    expect(() => encodeIdx('ubyte', [3], [1, 2])).toThrow(InvalidArgumentError);
  });
});

describe('MNIST-format data sets from bytes', () => {
  it('builds NHWC images scaled to [0, 1] with their labels, from raw or gzip files', async () => {
    const files = tinyMnist();
    const ds = await mnistFromIdx({ ...files, trainImages: gzip(files.trainImages) });
    expect(ds.name).toBe('mnist');
    expect(ds.numClasses).toBe(10);
    expect(ds.train.xShape).toEqual([5, 3, 2, 1]);
    expect(ds.test.xShape).toEqual([3, 3, 2, 1]);
    expect(Array.from(ds.train.y)).toEqual([0, 1, 2, 3, 4]);
    expect(ds.train.x[1]).toBeCloseTo(7 / 255, 7);
    const raw = await mnistFromIdx(files, { scale: false, flatten: true });
    expect(raw.train.xShape).toEqual([5, 6]);
    expect(raw.train.x[3]).toBe(21);
  });

  it('rejects a label/image count mismatch, bad labels, mismatched image sizes and a swapped file', async () => {
    const files = tinyMnist();
    await expect(mnistFromIdx({ ...files, trainLabels: encodeIdx('ubyte', [4], [0, 1, 2, 3]) })).rejects.toThrow(
      'train-labels-idx1-ubyte: has 4 labels but train-images-idx3-ubyte has 5 images',
    );
    await expect(mnistFromIdx({ ...files, testLabels: encodeIdx('ubyte', [3], [0, 10, 2]) })).rejects.toThrow(
      /t10k-labels-idx1-ubyte: label 1 is 10, outside 0–9/,
    );
    await expect(mnistFromIdx({ ...files, testImages: encodeIdx('ubyte', [3, 2, 3], new Uint8Array(18)) })).rejects.toThrow(
      /t10k-images-idx3-ubyte: images are 2×3 but the training images \(train-images-idx3-ubyte\) are 3×2/,
    );
    await expect(mnistFromIdx({ ...files, trainImages: files.trainLabels })).rejects.toThrow(/train-images-idx3-ubyte: wrong magic number 0x00000801/);
    await expect(mnistFromIdx({ ...files, testLabels: undefined as never })).rejects.toThrow(/t10k-labels-idx1-ubyte: missing/);
  });
});

describe('CIFAR binary batches', () => {
  it('converts planar RGB records to NHWC and reads CIFAR-10 and CIFAR-100 labels', () => {
    const batch = parseCifarBatch(cifarBatch(3), { file: 'data_batch_1.bin' });
    expect(batch.count).toBe(3);
    expect(Array.from(batch.labels)).toEqual([0, 1, 2]);
    expect(Array.from(batch.images.subarray(0, 6))).toEqual([1, 2, 3, 1, 2, 3]);
    expect(Array.from(batch.images.subarray(3072 * 2, 3072 * 2 + 3))).toEqual([3, 4, 5]);
    const fine = parseCifarBatch(cifarBatch(4, 'cifar-100'), { variant: 'cifar-100' });
    expect(Array.from(fine.labels)).toEqual([0, 7, 14, 21]);
    const coarse = parseCifarBatch(cifarBatch(4, 'cifar-100'), { variant: 'cifar-100', label: 'coarse' });
    expect(Array.from(coarse.labels)).toEqual([0, 1, 2, 3]);
  });

  it('builds a data set from several training batches and a test batch', () => {
    const ds = cifarFromBatches({ train: [cifarBatch(3), cifarBatch(2)], test: cifarBatch(4) });
    expect(ds.train.xShape).toEqual([5, 32, 32, 3]);
    expect(ds.test.xShape).toEqual([4, 32, 32, 3]);
    expect(Array.from(ds.train.y)).toEqual([0, 1, 2, 0, 1]);
    expect(ds.train.x[2]).toBeCloseTo(3 / 255, 7);
    expect(ds.classNames?.[0]).toBe('airplane');
    const c100 = cifarFromBatches(
      { train: [cifarBatch(2, 'cifar-100')], test: cifarBatch(1, 'cifar-100') },
      { variant: 'cifar-100', flatten: true, scale: false },
    );
    expect(c100.numClasses).toBe(100);
    expect(c100.train.xShape).toEqual([2, 3072]);
    expect(c100.train.x[0]).toBe(1);
  });

  it('names the file for empty, truncated and mislabelled batches', () => {
    expect(() => parseCifarBatch(new Uint8Array(0), { file: 'test_batch.bin' })).toThrow('test_batch.bin: is empty');
    expect(() => parseCifarBatch(cifarBatch(2).slice(0, 5000), { file: 'data_batch_2.bin' })).toThrow(
      'data_batch_2.bin: truncated or not a cifar-10 binary batch: 5000 bytes is not a whole number of 3073-byte records (1 records and 1927 bytes left over)',
    );
    const bad = cifarBatch(3);
    bad[3073] = 12;
    expect(() => parseCifarBatch(bad, { file: 'b.bin' })).toThrow(/b.bin: record 1 has label 12, outside 0–9/);
    // A CIFAR-100 file read as CIFAR-10 is caught by the record length.
    expect(() => parseCifarBatch(cifarBatch(10, 'cifar-100'), { file: 'train.bin' })).toThrow(/not a whole number of 3073-byte records/);
    expect(() => cifarFromBatches({ train: [], test: cifarBatch(1) })).toThrow(/data_batch_1.bin: missing/);
  });
});

describe('IMDB tokenizer', () => {
  it('lower-cases, drops HTML line breaks and punctuation, keeps in-word apostrophes', () => {
    expect(tokenize("It's <br /><br />GREAT, isn't it? 'Quoted' 10/10")).toEqual(["it's", 'great', "isn't", 'it', 'quoted', '10', '10']);
  });

  it('keeps the top words by frequency (ties alphabetical) below numWords, with reserved ids 0–2', () => {
    const vocab = buildVocabulary(
      [
        ['b', 'a', 'c', 'a'],
        ['c', 'd', 'b'],
      ],
      { numWords: 5 },
    );
    expect(vocab.words).toEqual(['<pad>', '<start>', '<oov>', 'a', 'b']);
    expect(encodeTokens(['a', 'b', 'c'], vocab)).toEqual([START_ID, 3, 4, OOV_ID]);
    expect(encodeTokens(['b'], vocab, { start: false })).toEqual([4]);
  });

  it('pads and truncates at the start by default, like Keras pad_sequences', () => {
    expect(
      Array.from(
        padSequences(
          [
            [1, 5, 6],
            [1, 7, 8, 9, 4],
          ],
          4,
        ),
      ),
    ).toEqual([0, 1, 5, 6, 7, 8, 9, 4]);
    expect(
      Array.from(
        padSequences(
          [
            [1, 5, 6],
            [1, 7, 8, 9, 4],
          ],
          4,
          { padding: 'post', truncating: 'post' },
        ),
      ),
    ).toEqual([1, 5, 6, 0, 1, 7, 8, 9]);
    expect(() => padSequences([[1]], 2, { padding: 'middle' as never })).toThrow(InvalidArgumentError);
  });

  it('builds the data set with a training-only vocabulary and seeded shuffling', () => {
    const reviews = {
      train: { texts: ['good good film', 'bad film', 'good plot'], labels: [1, 0, 1] },
      test: { texts: ['unknown good'], labels: [1] },
    };
    const ds = imdbFromReviews(reviews, { numWords: 6, maxLen: 4, seed: null });
    expect(ds.vocabulary.words).toEqual(['<pad>', '<start>', '<oov>', 'good', 'film', 'bad']);
    expect(ds.train.xShape).toEqual([3, 4]);
    expect(Array.from(ds.train.x.subarray(0, 4))).toEqual([1, 3, 3, 4]);
    expect(Array.from(ds.test.x)).toEqual([0, 1, 2, 3]);
    expect(Array.from(ds.train.y)).toEqual([1, 0, 1]);
    const shuffled = imdbFromReviews(reviews, { numWords: 6, maxLen: 4, seed: 3 });
    expect(shuffled).toEqual(imdbFromReviews(reviews, { numWords: 6, maxLen: 4, seed: 3 }));
    expect([...shuffled.train.y].sort()).toEqual([0, 1, 1]);
    expect(() => imdbFromReviews({ ...reviews, test: { texts: ['x'], labels: [2] } })).toThrow(/labels\[0\]' must be 0 or 1/);
  });
});

describe('the main entry', () => {
  it('is browser-safe: nothing reachable from src/index.ts imports a node: module', async () => {
    const { readFileSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const root = new URL('../src/index.ts', import.meta.url).pathname;
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      expect(source, file).not.toMatch(/from\s+['"]node:|import\(\s*['"]node:|require\(/);
      for (const m of source.matchAll(/from\s+'(\.[^']+)\.js'/g)) visit(join(dirname(file), `${m[1]}.ts`));
    };
    visit(root);
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].some((f) => f.includes('/node/'))).toBe(false);
  });
});
