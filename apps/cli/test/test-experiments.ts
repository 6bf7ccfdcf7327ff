/**
 * Small experiments and data-set folders the CLI tests generate: conv-sized images, IDX files, an aclImdb tree.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@beyond-backprop/core-linalg';
import type { Experiment } from '../src/index.js';

/** Tiny images, horizontal vs vertical bars with noise: exercises the conv architecture; a few labels are -1. */
export const barsExperiment: Experiment = {
  name: 'test-bars',
  description: 'test: 8×8 horizontal vs vertical bars',
  source: 'test',
  task: 'classification',
  load: (seed) => {
    const make = (n: number, rng: ReturnType<typeof createRng>, unscored: boolean) => {
      const x = new Float32Array(n * 64);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const c = i % 2;
        const line = rng.int(8);
        for (let p = 0; p < 64; p++) {
          const [r, q] = [Math.floor(p / 8), p % 8];
          x[i * 64 + p] = ((c === 0 ? r : q) === line ? 1 : 0) + 0.2 * rng.normal();
        }
        y[i] = unscored && i % 10 === 9 ? -1 : c;
      }
      return { x, xShape: [n, 8, 8, 1], y, yShape: [n] };
    };
    const rng = createRng(seed);
    return { name: 'test-bars', train: make(40, rng, true), test: make(20, rng, false), numClasses: 2, source: 'test' };
  },
  architecture: { kind: 'conv', conv: [{ kernel: 3, channels: 4, pool: 2 }], dense: [8], activation: 'relu' },
  defaults: { epochs: 30, method: 'exp-ga', batchSize: 10, learningRate: 0.02, optimizer: 'adam' },
};

/** Big-endian IDX bytes (magic 0x08 = ubyte) for `shape` and `values`. */
function idx(shape: number[], values: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(header.buffer);
  view.setUint8(2, 0x08);
  view.setUint8(3, shape.length);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length);
  return out;
}

const scratch: string[] = [];

/** A fresh folder under the OS temp directory, removed by {@link removeScratchDirs}. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Removes every folder made by {@link scratchDir} (call from `afterAll`). */
export function removeScratchDirs(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A folder with the four MNIST-named IDX files of 28×28 images: class c is a bright horizontal bar at row 3c
 * (learnable in a few updates). Returns the folder.
 */
export function writeIdxImageFolder(train: number, test: number, seed = 0): string {
  const dir = scratchDir('bbp-idx-');
  const rng = createRng(seed);
  const write = (prefix: string, n: number) => {
    const pixels = new Uint8Array(n * 784);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 10;
      for (let p = 0; p < 784; p++) pixels[i * 784 + p] = Math.floor(p / 28) === 3 * labels[i] ? 255 : rng.int(40);
    }
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idx([n, 28, 28], pixels));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx([n], labels));
  };
  write('train', train);
  write('t10k', test);
  return dir;
}

/**
 * An `aclImdb` tree with `perClass` reviews per split and sentiment: positive reviews use words from one list,
 * negative from another, so the sentiment is learnable. Returns the folder that contains `aclImdb/`.
 */
export function writeImdbFolder(perClass: number, seed = 0): string {
  const root = scratchDir('bbp-imdb-');
  const rng = createRng(seed);
  const good = ['great', 'wonderful', 'superb', 'moving', 'brilliant'];
  const bad = ['awful', 'boring', 'dreadful', 'clumsy', 'tedious'];
  const filler = ['the', 'film', 'a', 'plot', 'was', 'and', 'actors', 'story'];
  for (const split of ['train', 'test']) {
    for (const [folder, words] of [
      ['pos', good],
      ['neg', bad],
    ] as const) {
      const dir = join(root, 'aclImdb', split, folder);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < perClass; i++) {
        const text = Array.from({ length: 8 + rng.int(6) }, (_, k) => (k % 3 === 1 ? words[rng.int(words.length)] : filler[rng.int(filler.length)])).join(' ');
        writeFileSync(join(dir, `${i}_${folder === 'pos' ? 8 : 2}.txt`), `${text}.`);
      }
    }
  }
  return root;
}
