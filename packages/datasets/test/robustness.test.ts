import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BbpError, InvalidArgumentError, createRng } from '@beyond-backprop/core-linalg';
import { DatasetFileError, decodeIdx, encodeIdx, idxDeclaredLength, imdbFromReviews, parseCifarBatch, parseIdx } from '../src/index.js';
import { loadCifar100, readDataFile, readIdxFile } from '../src/node.js';

const scratch = mkdtempSync(join(tmpdir(), 'bbp-robust-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A gzip of an IDX header declaring 2×2 ubytes followed by `extra` zero bytes (a decompression bomb when large). */
const bomb = (extra: number) => gzipSync(Buffer.concat([Buffer.from(encodeIdx('ubyte', [2, 2], [1, 2, 3, 4])), Buffer.alloc(extra)]), { level: 9 });

describe('IDX files', () => {
  it('a gzip bomb (header + 64 MiB of zeros) is rejected after decompressing at most the declared length', async () => {
    const gz = bomb(64 * 2 ** 20);
    const path = join(scratch, 'bomb-idx1-ubyte.gz');
    writeFileSync(path, gz);
    const rss = process.memoryUsage().rss;
    expect(() => readIdxFile(path)).toThrow(/decompresses to more than the 16 bytes its header declares/);
    await expect(decodeIdx(new Uint8Array(gz), { file: 'bomb' })).rejects.toThrow(/decompresses to more than the 16 bytes/);
    // Without the cap the 64 MiB would be materialised (twice for a Buffer copy); allow the test runner's own growth.
    expect(process.memoryUsage().rss - rss).toBeLessThan(32 * 2 ** 20);
  });

  it('a header with a zero dimension is a DatasetFileError, not an empty data set', () => {
    const bytes = encodeIdx('ubyte', [0, 28, 28], []);
    expect(() => parseIdx(bytes, { file: 'empty-idx3' })).toThrow(DatasetFileError);
    expect(() => parseIdx(bytes, { file: 'empty-idx3' })).toThrow(/empty-idx3: corrupt: the header declares a zero dimension \(0×28×28\)/);
  });

  it('a header that claims 2^31 values is rejected from the header alone', () => {
    const head = new Uint8Array([0, 0, 8, 1, 0x80, 0, 0, 0]);
    expect(() => idxDeclaredLength(head, 'huge')).toThrow(/huge: corrupt: the header declares 2147483656 bytes/);
    const gz = gzipSync(head);
    const path = join(scratch, 'huge-idx1-ubyte.gz');
    writeFileSync(path, gz);
    expect(() => readIdxFile(path)).toThrow(DatasetFileError);
  });
});

describe('files that are not files', () => {
  it('a folder or a dangling link where a data file is expected is a DatasetFileError naming it', () => {
    const folder = join(scratch, 'a-folder.gz');
    mkdirSync(folder);
    expect(() => readDataFile(folder)).toThrow(DatasetFileError);
    expect(() => readDataFile(folder)).toThrow(/a-folder.gz: is not a file/);
    const link = join(scratch, 'dangling');
    symlinkSync(join(scratch, 'nowhere'), link);
    expect(() => readDataFile(link)).toThrow(/dangling: does not exist \(or is a link to a missing file\)/);
  });

  it('a folder named like the CIFAR-100 label-names file is a DatasetFileError', () => {
    const dir = join(scratch, 'cifar-100-binary');
    mkdirSync(dir);
    const record = new Uint8Array(3074);
    writeFileSync(join(dir, 'train.bin'), record);
    writeFileSync(join(dir, 'test.bin'), record);
    mkdirSync(join(dir, 'fine_label_names.txt'));
    expect(() => loadCifar100({ dir })).toThrow(/fine_label_names.txt: is not a file/);
  });
});

describe('an empty training split', () => {
  it('IMDB reviews without training texts are an InvalidArgumentError naming reviews.train.texts', () => {
    const reviews = { train: { texts: [], labels: [] }, test: { texts: ['good film'], labels: [1] } };
    expect(() => imdbFromReviews(reviews)).toThrow(InvalidArgumentError);
    expect(() => imdbFromReviews(reviews)).toThrow(/reviews.train.texts' must hold at least one review/);
  });
});

describe('decoder fuzzing (seeded)', () => {
  /** Corrupts `base` in one of several ways chosen by `rng`: flipped bytes, truncation, extension, header rewrites. */
  const corrupt = (rng: ReturnType<typeof createRng>, base: Uint8Array): Uint8Array => {
    const kind = rng.int(5);
    if (kind === 0) return base.subarray(0, rng.int(base.length));
    if (kind === 1) return Uint8Array.from([...base, ...Array.from({ length: 1 + rng.int(16) }, () => rng.int(256))]);
    const out = base.slice();
    const flips = 1 + rng.int(6);
    for (let i = 0; i < flips; i++) {
      const at = kind === 2 ? rng.int(Math.min(out.length, 16)) : rng.int(out.length);
      out[at] = kind === 4 ? [0, 0xff, 0x80, 1][rng.int(4)] : rng.int(256);
    }
    return out;
  };

  const onlyTypedErrors = (decode: () => unknown) => {
    try {
      decode();
    } catch (error) {
      if (!(error instanceof BbpError)) throw error;
    }
  };

  it('4000 corrupted IDX files (raw and gzip) give only typed errors, with bounded memory', async () => {
    const rng = createRng('fuzz-idx');
    const bases = [
      encodeIdx(
        'ubyte',
        [3, 4, 4],
        Array.from({ length: 48 }, (_, i) => i),
      ),
      encodeIdx('int', [5], [1, -2, 3, -4, 5]),
      encodeIdx('double', [2, 2], [0.5, 1, 2, 4]),
    ];
    const heap = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3000; i++) {
      const bytes = corrupt(rng, bases[i % bases.length]);
      onlyTypedErrors(() => parseIdx(bytes, { file: `fuzz-${i}` }));
      onlyTypedErrors(() => idxDeclaredLength(bytes, `fuzz-${i}`));
    }
    for (let i = 0; i < 1000; i++) {
      const gz = corrupt(rng, new Uint8Array(gzipSync(bases[i % bases.length])));
      try {
        await decodeIdx(gz, { file: `fuzz-gz-${i}` });
      } catch (error) {
        if (!(error instanceof BbpError)) throw error;
      }
    }
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 2 ** 20);
  });

  it('3000 corrupted CIFAR batches give only typed errors, with bounded memory', () => {
    const rng = createRng('fuzz-cifar');
    const record = (label: number) => Uint8Array.from({ length: 3073 }, (_, i) => (i === 0 ? label : (i * 7) & 255));
    const base = Uint8Array.from([...record(3), ...record(9)]);
    const heap = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3000; i++) {
      const bytes = corrupt(rng, base);
      onlyTypedErrors(() => parseCifarBatch(bytes, { file: `fuzz-${i}` }));
      onlyTypedErrors(() => parseCifarBatch(bytes, { file: `fuzz-${i}`, variant: 'cifar-100' }));
    }
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 2 ** 20);
  });
});
