import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import {
  WirePackageError,
  canonicalCodebook,
  entropy,
  histogram,
  huffmanBitLength,
  huffmanCodeLengths,
  huffmanCodebook,
  huffmanDecode,
  huffmanEncode,
  packBits,
  unpackBits,
} from '../src/index.js';
import { uniforms } from './fixtures.js';

function kraft(lengths: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < lengths.length; i++) if (lengths[i] > 0) s += 2 ** -lengths[i];
  return s;
}

function roundTrip(q: Uint16Array | Uint32Array, alphabet: number): { bits: number; counts: Uint32Array } {
  const bits = Math.max(1, Math.ceil(Math.log2(alphabet)));
  const counts = histogram(q, bits);
  const book = huffmanCodebook(counts);
  const stream = huffmanEncode(q, book);
  expect(stream.bitLength).toBe(huffmanBitLength(counts, book));
  // The receiver rebuilds the code from the lengths alone.
  const rebuilt = canonicalCodebook(book.symbols, book.lengths, book.alphabetSize);
  expect(rebuilt).toEqual(book);
  const back = huffmanDecode(stream.bytes, stream.bitLength, q.length, rebuilt);
  expect(Array.from(back)).toEqual(Array.from(q));
  const again = huffmanEncode(q, book);
  expect(Buffer.from(again.bytes).equals(Buffer.from(stream.bytes))).toBe(true);
  return { bits: stream.bitLength, counts };
}

function stream(n: number, alphabet: number, seed: number, pick: (u: number) => number): Uint16Array | Uint32Array {
  const u = uniforms(n, seed);
  const q = alphabet > 65536 ? new Uint32Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) q[i] = Math.min(alphabet - 1, pick(u[i]));
  return q;
}

describe('Huffman code lengths (thesis §3.4, §3.6)', () => {
  it('are optimal on hand-checked vectors', () => {
    expect(Array.from(huffmanCodeLengths([4, 2, 1, 1]))).toEqual([1, 2, 3, 3]);
    expect(Array.from(huffmanCodeLengths([40, 30, 20, 10]))).toEqual([1, 2, 3, 3]);
    expect(Array.from(huffmanCodeLengths([9, 1]))).toEqual([1, 1]);
    const l = huffmanCodeLengths([40, 30, 20, 10]);
    expect((40 * l[0] + 30 * l[1] + 20 * l[2] + 10 * l[3]) / 100).toBeCloseTo(1.9, 12);
  });

  it('satisfy the Kraft equality for two or more symbols and skip zero counts', () => {
    const counts = new Uint32Array(1024);
    const u = uniforms(1024, 3);
    for (let i = 0; i < 1024; i += 3) counts[i] = Math.floor(u[i] * 1000) + 1;
    const lengths = huffmanCodeLengths(counts);
    expect(kraft(lengths)).toBe(1);
    for (let i = 0; i < 1024; i++) expect(lengths[i] > 0).toBe(counts[i] > 0);
  });

  it('give codes longer than 32 bits for Fibonacci counts, and such streams round-trip', () => {
    const fib = [1, 1];
    while (fib.length < 40) fib.push(fib[fib.length - 1] + fib[fib.length - 2]);
    const book = huffmanCodebook(fib);
    expect(book.maxLength).toBe(39);
    expect(kraft(book.lengths)).toBe(1);
    const q = stream(5000, 40, 4, (u) => Math.floor(u * 40));
    const s = huffmanEncode(q, book);
    expect(Array.from(huffmanDecode(s.bytes, s.bitLength, q.length, book))).toEqual(Array.from(q));
  });

  it('reject negative and fractional counts', () => {
    expect(() => huffmanCodeLengths([1, -1])).toThrow(/huffmanCodeLengths: argument 'counts'/);
    expect(() => huffmanCodeLengths([1.5, 1])).toThrow(InvalidArgumentError);
  });
});

describe('canonical Huffman round trip', () => {
  it('is lossless and bit-exact for 1, 2, 3 and 2^10 symbols, sparse alphabets and skewed streams up to 10^6', () => {
    const one = new Uint16Array(1000).fill(5);
    expect(roundTrip(one, 8).bits).toBe(0);
    roundTrip(
      stream(1001, 2, 5, (u) => (u < 0.5 ? 0 : 1)),
      2,
    );
    roundTrip(
      stream(999, 3, 6, (u) => Math.floor(u * 3)),
      4,
    );
    roundTrip(
      stream(100000, 1024, 7, (u) => Math.floor(u * 1024)),
      1024,
    );
    roundTrip(
      stream(50000, 1024, 8, (u) => 7 * Math.floor(u * 100)),
      1024,
    ); // 100 of 1024 symbols used
    roundTrip(
      stream(1_000_000, 1024, 9, (u) => Math.floor(-Math.log2(u))),
      1024,
    ); // geometric
    roundTrip(
      stream(20000, 2 ** 20, 10, (u) => Math.floor(u * u * 2 ** 20)),
      2 ** 20,
    );
    roundTrip(new Uint16Array(0), 16);
  });

  it('stays within one bit per symbol of the stream entropy: n H <= bits < n (H + 1)', () => {
    for (const [seed, pick] of [
      [11, (u: number) => Math.floor(-Math.log2(u))],
      [12, (u: number) => Math.floor(u * 37)],
      [13, (u: number) => (u < 0.99 ? 0 : 1 + Math.floor((u - 0.99) * 1000))],
    ] as const) {
      const q = stream(30000, 64, seed, pick);
      const { bits, counts } = roundTrip(q, 64);
      const h = entropy(counts);
      expect(bits).toBeGreaterThanOrEqual(q.length * h - 1e-6);
      expect(bits).toBeLessThan(q.length * (h + 1));
    }
  });

  it('rebuilds a complete code only: lengths violating Kraft are rejected', () => {
    expect(() => canonicalCodebook([0, 1, 2], [1, 1, 1], 4)).toThrow(/Kraft/);
    expect(() => canonicalCodebook([0, 1, 2], [1, 2, 3], 4)).toThrow(/complete prefix code/);
    expect(() => canonicalCodebook([0, 0], [1, 1], 4)).toThrow(/distinct/);
    expect(() => canonicalCodebook([0, 5], [1, 1], 4)).toThrow(InvalidArgumentError);
    expect(canonicalCodebook([3, 1, 2, 0], [3, 2, 3, 1], 4).codes).toEqual(new Float64Array([0b0, 0b10, 0b110, 0b111]));
  });

  it('decoding a truncated or over-long stream throws a typed error', () => {
    const q = stream(1000, 16, 14, (u) => Math.floor(u * u * 16));
    const book = huffmanCodebook(histogram(q, 4));
    const s = huffmanEncode(q, book);
    expect(() => huffmanDecode(s.bytes, s.bitLength - 1, q.length, book)).toThrow(WirePackageError);
    expect(() => huffmanDecode(s.bytes, s.bitLength, q.length - 1, book)).toThrow(WirePackageError);
    expect(() => huffmanDecode(s.bytes, s.bitLength + 9, q.length, book)).toThrow(InvalidArgumentError);
    expect(() => huffmanEncode(new Uint16Array([15, 99]), huffmanCodebook([1, 1]))).toThrow(/huffmanEncode: argument 'indices'/);
  });
});

describe('fixed-width bit packing (the fixed-N baseline payload)', () => {
  it('round-trips every width from 1 to 24 bits', () => {
    for (let bits = 1; bits <= 24; bits++) {
      const q = stream(1237, 2 ** bits, 20 + bits, (u) => Math.floor(u * 2 ** bits));
      const packed = packBits(q, bits);
      expect(packed.length).toBe(Math.ceil((1237 * bits) / 8));
      expect(Array.from(unpackBits(packed, bits, 1237))).toEqual(Array.from(q));
    }
    expect(Array.from(packBits(new Uint16Array([1, 2, 3]), 2))).toEqual([0b01101100]);
  });

  it('rejects out-of-range indices and short payloads', () => {
    expect(() => packBits(new Uint16Array([4]), 2)).toThrow(/packBits: argument 'indices'/);
    expect(() => unpackBits(new Uint8Array(1), 8, 2)).toThrow(/unpackBits: argument 'bytes'/);
  });
});
