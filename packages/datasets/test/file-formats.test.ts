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
  idxDeclaredLength,
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

  /** Records with the given label bytes and pixel byte `(r·97 + c·31 + p·7) mod 251` at channel `c`, position `p`. */
  function patterned(labels: number[][], offset = 0): Uint8Array {
    const labelBytes = labels[0].length;
    const record = labelBytes + 3072;
    const out = new Uint8Array(labels.length * record);
    labels.forEach((l, r) => {
      out.set(l, r * record);
      for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[r * record + labelBytes + c * 1024 + p] = ((r + offset) * 97 + c * 31 + p * 7) % 251;
    });
    return out;
  }
  /** The NHWC bytes of `patterned`'s records: channel `c` of pixel `p` at `3p + c`. */
  function patternedNhwc(n: number, offset = 0): Uint8Array {
    const out = new Uint8Array(n * 3072);
    for (let r = 0; r < n; r++)
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[r * 3072 + 3 * p + c] = ((r + offset) * 97 + c * 31 + p * 7) % 251;
    return out;
  }
  /** The DatasetFileError `fn` throws: its file and message. */
  function fileError(fn: () => unknown): { file: string; message: string } {
    try {
      fn();
    } catch (e) {
      expect(DatasetFileError.isInstance(e)).toBe(true);
      return { file: (e as DatasetFileError).file, message: (e as DatasetFileError).message };
    }
    return { file: 'accepted', message: '' };
  }

  it('moves every byte of the planar R, G, B records to its NHWC place, for both variants', () => {
    const ten = parseCifarBatch(patterned([[9], [0], [5]]));
    expect(ten.count).toBe(3);
    expect(Array.from(ten.labels)).toEqual([9, 0, 5]);
    expect(ten.images).toEqual(patternedNhwc(3));
    const hundred = parseCifarBatch(
      patterned([
        [19, 99],
        [0, 0],
      ]),
      { variant: 'cifar-100' },
    );
    expect(Array.from(hundred.labels)).toEqual([99, 0]);
    expect(hundred.images).toEqual(patternedNhwc(2));
    const coarse = parseCifarBatch(
      patterned([
        [19, 99],
        [3, 42],
      ]),
      { variant: 'cifar-100', label: 'coarse' },
    );
    expect(Array.from(coarse.labels)).toEqual([19, 3]);
  });

  it('checks each label byte against its range (10 classes, 20 coarse, 100 fine), whichever label is kept', () => {
    expect(fileError(() => parseCifarBatch(patterned([[0], [10]]), { file: 'd.bin' }))).toEqual({
      file: 'd.bin',
      message: 'd.bin: record 1 has label 10, outside 0–9: corrupt, or not a cifar-10 batch',
    });
    expect(fileError(() => parseCifarBatch(patterned([[10]])))).toEqual({
      file: '<bytes>',
      message: '<bytes>: record 0 has label 10, outside 0–9: corrupt, or not a cifar-10 batch',
    });
    expect(fileError(() => parseCifarBatch(patterned([[20, 5]]), { variant: 'cifar-100', file: 'train.bin' })).message).toBe(
      'train.bin: record 0 has coarse label 20, outside 0–19: corrupt, or not a cifar-100 batch',
    );
    expect(
      fileError(() =>
        parseCifarBatch(
          patterned([
            [1, 1],
            [2, 100],
          ]),
          { variant: 'cifar-100', label: 'coarse' },
        ),
      ).message,
    ).toBe('<bytes>: record 1 has fine label 100, outside 0–99: corrupt, or not a cifar-100 batch');
    expect(fileError(() => parseCifarBatch([1, 2, 3] as unknown as Uint8Array, { file: 'x.bin' }))).toEqual({
      file: 'x.bin',
      message: 'x.bin: expected the file contents as a Uint8Array',
    });
    expect(fileError(() => parseCifarBatch(new Uint8Array(3074 * 2 + 5), { variant: 'cifar-100' })).message).toBe(
      '<bytes>: truncated or not a cifar-100 binary batch: 6153 bytes is not a whole number of 3074-byte records (2 records and 5 bytes left over)',
    );
  });

  it('concatenates the training batches in order and names each variant, its classes and files', () => {
    const ds = cifarFromBatches({ train: [patterned([[1], [2]]), patterned([[3]], 2)], test: patterned([[4]], 5) });
    expect(ds.name).toBe('cifar-10');
    expect(ds.numClasses).toBe(10);
    expect(ds.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect(ds.source).toContain('Krizhevsky (2009)');
    expect(ds.train.x).toEqual(Float32Array.from(patternedNhwc(3), (v) => v / 255));
    expect(Array.from(ds.train.y)).toEqual([1, 2, 3]);
    expect(ds.train.yShape).toEqual([3]);
    expect(ds.test.x).toEqual(Float32Array.from(patternedNhwc(1, 5), (v) => v / 255));
    expect(ds.test.xShape).toEqual([1, 32, 32, 3]);
    expect(Array.from(ds.test.y)).toEqual([4]);
    expect(ds.test.yShape).toEqual([1]);
    const coarse = cifarFromBatches(
      {
        train: [
          patterned([
            [7, 70],
            [8, 80],
          ]),
        ],
        test: patterned([[9, 90]]),
      },
      { variant: 'cifar-100', label: 'coarse', scale: false, classNames: ['c0'] },
    );
    expect(coarse.name).toBe('cifar-100-coarse');
    expect(coarse.numClasses).toBe(20);
    expect(coarse.classNames).toEqual(['c0']);
    expect(Array.from(coarse.train.y)).toEqual([7, 8]);
    expect(coarse.train.x).toEqual(Float32Array.from(patternedNhwc(2)));
    const fine = cifarFromBatches({ train: [patterned([[7, 70]])], test: patterned([[9, 90]]) }, { variant: 'cifar-100' });
    expect(fine.name).toBe('cifar-100-fine');
    expect(fine.numClasses).toBe(100);
    expect('classNames' in fine).toBe(false);
    expect(Array.from(fine.test.y)).toEqual([90]);
  });

  it('names the failing batch by its standard file name, a given name, or its position', () => {
    const good = patterned([[1]]);
    const bad = patterned([[11]]);
    const c100 = patterned([[1, 1]]);
    const bad100 = patterned([[1, 101]]);
    const at = (fn: () => unknown) => fileError(fn).file;
    expect(at(() => cifarFromBatches({ train: [good, good, good, good, bad], test: good }))).toBe('data_batch_5.bin');
    expect(at(() => cifarFromBatches({ train: [good, good, good, good, good, bad], test: good }))).toBe('train batch 6');
    expect(at(() => cifarFromBatches({ train: [good], test: bad }))).toBe('test_batch.bin');
    expect(at(() => cifarFromBatches({ train: [bad100], test: c100 }, { variant: 'cifar-100' }))).toBe('train.bin');
    expect(at(() => cifarFromBatches({ train: [c100, bad100], test: c100 }, { variant: 'cifar-100' }))).toBe('train batch 2');
    expect(at(() => cifarFromBatches({ train: [c100], test: bad100 }, { variant: 'cifar-100' }))).toBe('test.bin');
    expect(at(() => cifarFromBatches({ train: [good, bad], test: bad }, { names: { train: ['a', 'b'], test: 't' } }))).toBe('b');
    expect(at(() => cifarFromBatches({ train: [good], test: bad }, { names: { train: ['a'], test: 't' } }))).toBe('t');
    expect(fileError(() => cifarFromBatches({ train: [], test: good }, { names: { train: [] } }))).toEqual({
      file: 'train',
      message: 'train: missing: pass the training batches as files.train',
    });
    expect(at(() => cifarFromBatches({ train: good as unknown as Uint8Array[], test: good }, { variant: 'cifar-100' }))).toBe('train.bin');
    expect(at(() => cifarFromBatches(undefined as unknown as { train: Uint8Array[]; test: Uint8Array }))).toBe('data_batch_1.bin');
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

describe('IDX and gzip decoder checks', () => {
  const problem = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(DatasetFileError.isInstance(e)).toBe(true);
      return (e as DatasetFileError).message;
    }
    return 'accepted';
  };

  it('parseIdx checks the input type, the magic bytes one by one, the rank and the header length', () => {
    expect(problem(() => parseIdx([0, 0, 8, 1] as unknown as Uint8Array))).toBe('<bytes>: expected the file contents as a Uint8Array');
    expect(problem(() => parseIdx(new Uint8Array([0, 0, 8, 1]), { file: 'f' }))).toBe('f: truncated header: rank 1 needs 8 bytes, the file has 4');
    expect(problem(() => parseIdx(new Uint8Array([0, 0, 8])))).toBe('<bytes>: truncated: 3 bytes, shorter than the 4-byte magic number');
    const good = encodeIdx('ubyte', [2], [5, 6]);
    for (const [i, v] of [
      [0, 1],
      [1, 1],
      [2, 10],
      [3, 0],
    ]) {
      const bad = good.slice();
      bad[i] = v;
      expect(problem(() => parseIdx(bad, { file: 'f' }))).toMatch(/^f: wrong magic number 0x[0-9a-f]{8}: not an IDX file \(expected 0x000008NN/);
    }
    expect(problem(() => parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0])))).toBe(
      '<bytes>: truncated header: rank 2 needs 12 bytes, the file has 11',
    );
    expect(problem(() => parseIdx(encodeIdx('short', [2, 0], [])))).toMatch(/zero dimension \(2×0\)/);
    expect(problem(() => parseIdx(encodeIdx('int', [3], [1, 2, 3]).subarray(0, 19)))).toBe(
      '<bytes>: truncated: the header declares 3 int values (20 bytes), the file has 19 bytes',
    );
    expect(problem(() => parseIdx(new Uint8Array([...encodeIdx('double', [1], [1]), 0])))).toBe(
      '<bytes>: corrupt: 1 bytes after the 1 double values the header declares',
    );
  });

  it('parseIdx checks the expected type and rank separately, with or without a description', () => {
    const labels = encodeIdx('ubyte', [3], [1, 2, 3]);
    expect(parseIdx(labels, { expect: { type: 'ubyte', rank: 1 } }).shape).toEqual([3]);
    expect(parseIdx(labels, { expect: {} }).shape).toEqual([3]);
    expect(problem(() => parseIdx(labels, { file: 'l', expect: { type: 'float' } }))).toBe(
      'l: wrong magic number 0x00000801 (ubyte, rank 1) where 0x00000d01 was expected',
    );
    expect(problem(() => parseIdx(labels, { file: 'l', expect: { rank: 2 } }))).toBe(
      'l: wrong magic number 0x00000801 (ubyte, rank 1) where 0x00000802 was expected',
    );
    expect(problem(() => parseIdx(labels, { file: 'l', expect: { type: 'ubyte', rank: 2 } }))).toMatch(/where 0x00000802 was expected$/);
    expect(problem(() => parseIdx(encodeIdx('double', [1, 1], [1]), { expect: { type: 'double', rank: 1, what: 'labels' } }))).toMatch(
      /0x00000e02 \(double, rank 2\) where 0x00000e01 \(labels\) was expected$/,
    );
  });

  it('parseIdx reads bytes that are a view into a larger buffer; ubyte data stay a view, others are copies', () => {
    for (const [type, values] of [
      ['ubyte', [1, 200]],
      ['sbyte', [-3, 4]],
      ['short', [-300, 7]],
      ['int', [-70000, 9]],
      ['float', [0.5, -2]],
      ['double', [0.1, -1e-300]],
    ] as const) {
      const raw = encodeIdx(type, [2], values);
      const big = new Uint8Array(raw.length + 3);
      big.set(raw, 3);
      const parsed = parseIdx(big.subarray(3), { file: type });
      expect(parsed.type).toBe(type);
      expect(Array.from(parsed.data)).toEqual(values);
      expect(parsed.data.buffer === big.buffer).toBe(type === 'ubyte');
      expect(parsed.data.length).toBe(2);
    }
  });

  it('encodeIdx writes the type code and the rank, and names a size mismatch', () => {
    expect(Array.from(encodeIdx('double', [1, 1, 1], [0]).subarray(0, 4))).toEqual([0, 0, 0x0e, 3]);
    expect(Array.from(encodeIdx('sbyte', [1], [-1]))).toEqual([0, 0, 9, 1, 0, 0, 0, 1, 255]);
    expect(() => encodeIdx('float', [2, 2], [1])).toThrow('encodeIdx: argument \'data\' must hold 4 values for shape [2, 2], got "1 values"');
  });

  it('idxDeclaredLength waits for the whole header, checks the magic and caps the length at 2^31 - 1 bytes', () => {
    const head = encodeIdx('short', [2, 3], new Array(6).fill(0));
    expect(idxDeclaredLength(head.subarray(0, 3))).toBeUndefined();
    expect(idxDeclaredLength(head.subarray(0, 11))).toBeUndefined();
    expect(idxDeclaredLength(head.subarray(0, 12))).toBe(12 + 2 * 6);
    const shifted = new Uint8Array(head.length + 1);
    shifted.set(head, 1);
    expect(idxDeclaredLength(shifted.subarray(1, 13))).toBe(24);
    for (const [i, v] of [
      [0, 1],
      [1, 1],
      [2, 10],
      [3, 0],
    ]) {
      const bad = head.slice();
      bad[i] = v;
      expect(problem(() => idxDeclaredLength(bad, 'g'))).toMatch(/^g: wrong magic number 0x[0-9a-f]{8}: not an IDX file/);
    }
    expect(problem(() => idxDeclaredLength(new Uint8Array([1, 0, 8, 1])))).toBe(
      '<bytes>: wrong magic number 0x01000801: not an IDX file (expected 0x000008NN for unsigned bytes, or another IDX type code and a rank ≥ 1)',
    );
    const claim = (n: number) => {
      const h = new Uint8Array(8);
      h.set([0, 0, 8, 1]);
      new DataView(h.buffer).setUint32(4, n);
      return h;
    };
    expect(idxDeclaredLength(claim(2 ** 31 - 9))).toBe(2 ** 31 - 1);
    expect(problem(() => idxDeclaredLength(claim(2 ** 31 - 8), 'h'))).toBe(
      'h: corrupt: the header declares 2147483648 bytes, more than the 2147483647 a typed array can hold',
    );
  });

  it('isGzip needs both magic bytes', () => {
    expect([
      isGzip(new Uint8Array([0x1f])),
      isGzip(new Uint8Array([0x1f, 0x8b])),
      isGzip(new Uint8Array([0x1e, 0x8b])),
      isGzip(new Uint8Array([0x1f, 0x8c])),
    ]).toEqual([false, true, false, false]);
    expect(isGzip(new Uint8Array(0))).toBe(false);
  });

  it('gunzip joins many output chunks exactly and consults declaredLength with at most 1024 bytes until it answers', async () => {
    const raw = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24);
    const heads: number[] = [];
    const out = await gunzip(gzip(raw), 'big', (head) => {
      heads.push(head.length);
      return heads.length < 3 ? undefined : raw.length;
    });
    expect(out.length).toBe(raw.length);
    expect(Buffer.from(out).equals(Buffer.from(raw))).toBe(true);
    expect(heads.length).toBe(3);
    expect(Math.max(...heads)).toBe(1024);
    const first = await gunzip(gzip(raw.subarray(0, 100)), 'small', (head) => (heads.push(-head.length), 100));
    expect([first.length, heads.at(-1)]).toEqual([100, -100]);
    expect(Array.from(await gunzip(gzip(raw.subarray(0, 10)), 'exact', () => 10))).toEqual(Array.from(raw.subarray(0, 10)));
    await expect(gunzip(gzip(raw.subarray(0, 10)), 'over', () => 9)).rejects.toThrow(
      'over: corrupt: decompresses to more than the 9 bytes its header declares',
    );
    await expect(gunzip(gzip(raw), 'over', () => 1000)).rejects.toThrow(DatasetFileError);
    expect(Array.from(await gunzip(gzip(new Uint8Array(0))))).toEqual([]);
  });

  it('gunzip names the file when the platform has no DecompressionStream, and for corrupt data', async () => {
    const saved = globalThis.DecompressionStream;
    try {
      (globalThis as { DecompressionStream?: unknown }).DecompressionStream = undefined;
      await expect(gunzip(gzip(new Uint8Array(3)), 'x.gz')).rejects.toThrow(
        'x.gz: is gzip-compressed and this platform has no DecompressionStream; decompress it first',
      );
    } finally {
      globalThis.DecompressionStream = saved;
    }
    await expect(gunzip(new Uint8Array([0x1f]))).rejects.toThrow('<bytes>: not gzip data (the first two bytes are not 1f 8b)');
    const corrupt = gzip(new Uint8Array(100));
    corrupt[corrupt.length - 5] ^= 0xff;
    await expect(gunzip(corrupt, 'c.gz')).rejects.toThrow(/^c\.gz: corrupt or truncated gzip data \(.+\)$/);
  });

  it('gunzip joins small output chunks when it hands the first 1024 bytes to declaredLength', async () => {
    // A stand-in DecompressionStream that passes the bytes through in 300-byte chunks.
    class Chunked extends TransformStream<Uint8Array, Uint8Array> {
      constructor() {
        super({
          transform(chunk, controller) {
            for (let at = 0; at < chunk.length; at += 300) controller.enqueue(chunk.slice(at, at + 300));
          },
        });
      }
    }
    const input = Uint8Array.from({ length: 2000 }, (_, i) => (i * 31 + 7) % 251);
    input.set([0x1f, 0x8b]);
    const heads: number[][] = [];
    const saved = globalThis.DecompressionStream;
    try {
      (globalThis as { DecompressionStream?: unknown }).DecompressionStream = Chunked;
      const out = await gunzip(input, 'chunked', (head) => void heads.push(Array.from(head)));
      expect(Array.from(out)).toEqual(Array.from(input));
    } finally {
      globalThis.DecompressionStream = saved;
    }
    expect(heads.map((h) => h.length)).toEqual([300, 600, 900, 1024, 1024, 1024, 1024]);
    for (const h of heads) expect(h).toEqual(Array.from(input.subarray(0, h.length)));
  });

  it('decodeIdx stops a gzip stream at the length the IDX header declares', async () => {
    const raw = encodeIdx('ubyte', [4], [1, 2, 3, 4]);
    const padded = gzip(new Uint8Array([...raw, 0, 0]));
    await expect(decodeIdx(padded, { file: 'p.gz' })).rejects.toThrow('p.gz: corrupt: decompresses to more than the 12 bytes its header declares');
    expect(Array.from((await decodeIdx(gzip(raw))).data)).toEqual([1, 2, 3, 4]);
  });
});
