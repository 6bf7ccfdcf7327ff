/**
 * Canonical Huffman coding of quantised indices (Øland, thesis §3.4 and §3.6: "standard algorithms"). Everything here
 * is deterministic so that a receiver rebuilds the sender's exact codebook from the code lengths alone: ties in the
 * merge break by (weight, smallest contained symbol), codes are assigned canonically in (length, symbol) order, and
 * bits are written MSB-first.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import { WirePackageError } from './errors.js';
import { allocateIndices, type QuantizedIndices } from './quantize.js';

/**
 * Longest code the coder handles. Codes are exact integers in doubles; a length above 52 needs counts beyond
 * Fibonacci(54) ≈ 8.6·10¹⁰, more than any layer of < 2³² weights.
 */
export const MAX_CODE_LENGTH = 52;

/** A canonical prefix code over the alphabet `[0, alphabetSize)`. Entries are in canonical (length, symbol) order. */
export interface HuffmanCodebook {
  readonly alphabetSize: number;
  /** Symbols with a code, sorted by (length, symbol). */
  readonly symbols: Uint32Array;
  /** Code length of each entry; 0 only for a single-symbol alphabet (the empty code). */
  readonly lengths: Uint8Array;
  /** Canonical code of each entry (an integer below 2^length). */
  readonly codes: Float64Array;
  readonly maxLength: number;
}

/** A bit stream: `bitLength` bits, MSB-first, in `ceil(bitLength / 8)` bytes (zero padding at the end). */
export interface BitStream {
  readonly bytes: Uint8Array;
  readonly bitLength: number;
}

/**
 * Huffman code lengths of a histogram by the classic two-smallest merge with a binary heap; ties break by
 * (weight ascending, smallest contained symbol), so the lengths are a function of the counts alone. Symbols with
 * zero count get length 0; a single used symbol gets length 0 (it is coded with no bits).
 *
 * @param counts - `[alphabetSize]` non-negative integer counts, e.g. {@link histogram}.
 * @returns `[alphabetSize]` code lengths.
 * @example
 * ```ts
 * huffmanCodeLengths([4, 2, 1, 1]); // Uint8Array [1, 2, 3, 3]
 * ```
 */
export function huffmanCodeLengths(counts: ArrayLike<number>): Uint8Array {
  const lengths = new Uint8Array(counts.length);
  const used: number[] = [];
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s];
    if (!(c >= 0) || !Number.isInteger(c)) {
      throw new InvalidArgumentError('huffmanCodeLengths', 'counts', `must hold non-negative integers (at ${s})`, c);
    }
    if (c > 0) used.push(s);
  }
  const k = used.length;
  if (k <= 1) return lengths;
  const total = 2 * k - 1;
  const weight = new Float64Array(total);
  const minSym = new Float64Array(total);
  const parent = new Int32Array(total);
  for (let i = 0; i < k; i++) {
    weight[i] = counts[used[i]];
    minSym[i] = used[i];
  }
  const less = (a: number, b: number): boolean => weight[a] < weight[b] || (weight[a] === weight[b] && minSym[a] < minSym[b]);
  const heap = new Int32Array(k);
  let size = 0;
  const push = (node: number): void => {
    let i = size++;
    heap[i] = node;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      const t = heap[i];
      heap[i] = heap[p];
      heap[p] = t;
      i = p;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    heap[0] = heap[--size];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(heap[l], heap[m])) m = l;
      if (r < size && less(heap[r], heap[m])) m = r;
      if (m === i) break;
      const t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
    return top;
  };
  for (let i = 0; i < k; i++) push(i);
  for (let next = k; next < total; next++) {
    const a = pop();
    const b = pop();
    weight[next] = weight[a] + weight[b];
    minSym[next] = Math.min(minSym[a], minSym[b]);
    parent[a] = next;
    parent[b] = next;
    push(next);
  }
  // Parents are created after their children, so one backward pass gives every depth.
  const depth = new Uint8Array(total);
  for (let node = total - 2; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
  for (let i = 0; i < k; i++) {
    if (depth[i] > MAX_CODE_LENGTH) {
      throw new InvalidArgumentError('huffmanCodeLengths', 'counts', `give a code longer than ${MAX_CODE_LENGTH} bits`, depth[i]);
    }
    lengths[used[i]] = depth[i];
  }
  return lengths;
}

/**
 * The canonical code for given code lengths: entries sorted by (length, symbol) get consecutive codes, shifted left
 * whenever the length grows. Validates that the lengths form a complete prefix code (Kraft sum exactly 1), or a
 * single symbol of length 0; anything else throws `InvalidArgumentError`.
 *
 * @param symbols - symbols that have a code (distinct, in `[0, alphabetSize)`).
 * @param lengths - their code lengths, same order.
 * @param alphabetSize - the number of possible symbols, `2^N`.
 * @example
 * ```ts
 * canonicalCodebook([0, 1, 2, 3], [1, 2, 3, 3], 4).codes; // [0b0, 0b10, 0b110, 0b111]
 * ```
 */
export function canonicalCodebook(symbols: ArrayLike<number>, lengths: ArrayLike<number>, alphabetSize: number): HuffmanCodebook {
  const fn = 'canonicalCodebook';
  if (!Number.isInteger(alphabetSize) || alphabetSize < 1) throw new InvalidArgumentError(fn, 'alphabetSize', 'must be a positive integer', alphabetSize);
  const k = symbols.length;
  if (lengths.length !== k) throw new InvalidArgumentError(fn, 'lengths', `must have one entry per symbol (${k})`, lengths.length);
  const order = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    const s = symbols[i];
    const l = lengths[i];
    if (!Number.isInteger(s) || s < 0 || s >= alphabetSize)
      throw new InvalidArgumentError(fn, 'symbols', `must be integers in [0, ${alphabetSize - 1}] (at ${i})`, s);
    const minLength = k === 1 ? 0 : 1;
    const maxLength = k === 1 ? 0 : MAX_CODE_LENGTH;
    if (!Number.isInteger(l) || l < minLength || l > maxLength) {
      throw new InvalidArgumentError(fn, 'lengths', `must be integers in [${minLength}, ${maxLength}] (at ${i})`, l);
    }
    order[i] = i;
  }
  order.sort((a, b) => lengths[a] - lengths[b] || symbols[a] - symbols[b]);
  const outSymbols = new Uint32Array(k);
  const outLengths = new Uint8Array(k);
  const codes = new Float64Array(k);
  let code = 0;
  let kraft = 0; // Σ 2^(52 − l), exact in doubles
  for (let j = 0; j < k; j++) {
    const i = order[j];
    outSymbols[j] = symbols[i];
    outLengths[j] = lengths[i];
    if (j > 0) {
      if (outSymbols[j] === outSymbols[j - 1]) throw new InvalidArgumentError(fn, 'symbols', 'must be distinct', outSymbols[j]);
      code = (code + 1) * 2 ** (outLengths[j] - outLengths[j - 1]);
    }
    codes[j] = code;
    if (k > 1) {
      kraft += 2 ** (MAX_CODE_LENGTH - outLengths[j]);
      if (kraft > 2 ** MAX_CODE_LENGTH)
        throw new InvalidArgumentError(fn, 'lengths', 'violate the Kraft inequality (not a prefix code)', Array.from(outLengths.subarray(0, j + 1)));
    }
  }
  if (k > 1 && kraft !== 2 ** MAX_CODE_LENGTH) {
    throw new InvalidArgumentError(fn, 'lengths', 'must form a complete prefix code (Kraft sum 1)', kraft / 2 ** MAX_CODE_LENGTH);
  }
  return { alphabetSize, symbols: outSymbols, lengths: outLengths, codes, maxLength: k > 0 ? outLengths[k - 1] : 0 };
}

/**
 * The canonical Huffman codebook of a histogram (thesis §3.6, Alg. 1 line 7).
 *
 * @param counts - `[2^N]` counts of each index.
 * @example
 * ```ts
 * const book = huffmanCodebook(histogram(q, 8));
 * ```
 */
export function huffmanCodebook(counts: ArrayLike<number>): HuffmanCodebook {
  const lengths = huffmanCodeLengths(counts);
  const symbols: number[] = [];
  const used: number[] = [];
  for (let s = 0; s < counts.length; s++) {
    if (counts[s] > 0) {
      symbols.push(s);
      used.push(lengths[s]);
    }
  }
  return canonicalCodebook(symbols, used, Math.max(1, counts.length));
}

/** The number of bits {@link huffmanEncode} writes for these counts: `Σ counts[s] · length(s)`. */
export function huffmanBitLength(counts: ArrayLike<number>, codebook: HuffmanCodebook): number {
  let bits = 0;
  for (let j = 0; j < codebook.symbols.length; j++) bits += counts[codebook.symbols[j]] * codebook.lengths[j];
  return bits;
}

/**
 * Writes the code of every index, MSB-first (thesis §3.6, Alg. 1 line 8). A single-symbol codebook writes nothing.
 * Indices without a code throw `InvalidArgumentError`.
 *
 * @param indices - `[n]` indices in the codebook's alphabet.
 * @returns the bit stream (`bitLength` < 2³²).
 * @example
 * ```ts
 * const { bytes, bitLength } = huffmanEncode(q, huffmanCodebook(histogram(q, 8)));
 * ```
 */
export function huffmanEncode(indices: ArrayLike<number>, codebook: HuffmanCodebook): BitStream {
  const fn = 'huffmanEncode';
  const size = codebook.alphabetSize;
  const lenOf = new Uint8Array(size).fill(255);
  const codeOf = new Float64Array(size);
  for (let j = 0; j < codebook.symbols.length; j++) {
    lenOf[codebook.symbols[j]] = codebook.lengths[j];
    codeOf[codebook.symbols[j]] = codebook.codes[j];
  }
  let bitLength = 0;
  for (let i = 0; i < indices.length; i++) {
    const q = indices[i];
    const l = q >= 0 && q < size ? lenOf[q] : 255;
    if (l === 255) throw new InvalidArgumentError(fn, 'indices', `must be symbols of the codebook (at ${i})`, q);
    bitLength += l;
  }
  if (bitLength >= 2 ** 32) throw new InvalidArgumentError(fn, 'indices', 'must code to fewer than 2^32 bits', bitLength);
  const out = new Uint8Array(Math.ceil(bitLength / 8));
  let acc = 0;
  let accBits = 0;
  let p = 0;
  for (let i = 0; i < indices.length; i++) {
    const q = indices[i];
    const l = lenOf[q];
    const code = codeOf[q];
    if (l <= 24) {
      acc = (acc << l) | code;
      accBits += l;
      while (accBits >= 8) {
        accBits -= 8;
        out[p++] = (acc >>> accBits) & 255;
      }
      acc &= (1 << accBits) - 1;
    } else {
      for (let rest = l; rest > 0; ) {
        const take = Math.min(rest, 24);
        const chunk = Math.floor(code / 2 ** (rest - take)) % 2 ** take;
        rest -= take;
        acc = (acc << take) | chunk;
        accBits += take;
        while (accBits >= 8) {
          accBits -= 8;
          out[p++] = (acc >>> accBits) & 255;
        }
        acc &= (1 << accBits) - 1;
      }
    }
  }
  if (accBits > 0) out[p++] = (acc << (8 - accBits)) & 255;
  return { bytes: out, bitLength };
}

const TABLE_BITS = 11;

/**
 * Decodes `count` symbols from a canonical Huffman bit stream (thesis §3.6, Alg. 2 line 3) with an 11-bit lookup
 * table and a canonical first-code walk for longer codes. The stream must be consumed exactly: running out of bits
 * or leaving bits over throws {@link WirePackageError}.
 *
 * @param bytes - the stream, MSB-first.
 * @param bitLength - the number of meaningful bits (≤ 8 · bytes.length).
 * @param count - the number of symbols to decode.
 * @param codebook - the sender's codebook, rebuilt with {@link canonicalCodebook}.
 * @returns `[count]` indices (`Uint16Array` when the alphabet fits 16 bits).
 * @example
 * ```ts
 * const q2 = huffmanDecode(bytes, bitLength, q.length, book);
 * ```
 */
export function huffmanDecode(bytes: Uint8Array, bitLength: number, count: number, codebook: HuffmanCodebook): QuantizedIndices {
  const fn = 'huffmanDecode';
  if (!Number.isInteger(bitLength) || bitLength < 0 || bitLength > bytes.length * 8 || bitLength >= 2 ** 32) {
    throw new InvalidArgumentError(fn, 'bitLength', `must be an integer in [0, ${bytes.length * 8}]`, bitLength);
  }
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError(fn, 'count', 'must be a non-negative integer', count);
  const k = codebook.symbols.length;
  const fail = (detail: string): never => {
    throw new WirePackageError(fn, 'bytes', 'structure', -1, detail);
  };
  if (count > 0 && k === 0) fail('the codebook is empty but symbols are expected');
  const maxLength = codebook.maxLength;
  if (k === 1 || maxLength === 0) {
    if (bitLength !== 0) fail(`a single-symbol code carries no bits, got ${bitLength}`);
    const out = allocateIndices(count, Math.ceil(Math.log2(codebook.alphabetSize)) || 1);
    out.fill(codebook.symbols[0] ?? 0);
    return out;
  }
  let minLength = 64;
  for (let j = 0; j < k; j++) minLength = Math.min(minLength, codebook.lengths[j]);
  if (count * minLength > bitLength || count * maxLength < bitLength) {
    fail(`${count} symbols need between ${count * minLength} and ${count * maxLength} bits, the stream has ${bitLength}`);
  }
  // Per-length first code, count and offset into the canonical symbol list.
  const first = new Float64Array(maxLength + 2);
  const perLength = new Float64Array(maxLength + 2);
  const offset = new Int32Array(maxLength + 2);
  for (let j = k - 1; j >= 0; j--) {
    const l = codebook.lengths[j];
    perLength[l]++;
    first[l] = codebook.codes[j];
    offset[l] = j;
  }
  const tableBits = Math.min(TABLE_BITS, maxLength);
  const table = new Int32Array(1 << tableBits);
  for (let j = 0; j < k; j++) {
    const l = codebook.lengths[j];
    if (l > tableBits) break;
    const start = codebook.codes[j] * (1 << (tableBits - l));
    table.fill(((codebook.symbols[j] + 1) << 6) | l, start, start + (1 << (tableBits - l)));
  }
  // Three zero bytes past the end let the lookup read whole bytes without bounds checks.
  const padded = new Uint8Array(Math.ceil(bitLength / 8) + 4);
  padded.set(bytes.subarray(0, Math.ceil(bitLength / 8)));
  const out = allocateIndices(count, Math.ceil(Math.log2(codebook.alphabetSize)) || 1);
  const mask = (1 << tableBits) - 1;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const b = pos >>> 3;
    const window = (padded[b] << 16) | (padded[b + 1] << 8) | padded[b + 2];
    const entry = table[(window >>> (24 - (pos & 7) - tableBits)) & mask];
    const l = entry & 63;
    if (l !== 0) {
      pos += l;
      if (pos > bitLength) fail(`the stream ends inside symbol ${i}`);
      out[i] = (entry >>> 6) - 1;
      continue;
    }
    let code = 0;
    let found = -1;
    for (let len = 1; len <= maxLength; len++) {
      if (pos >= bitLength) fail(`the stream ends inside symbol ${i}`);
      code = code * 2 + ((padded[pos >>> 3] >>> (7 - (pos & 7))) & 1);
      pos++;
      const d = code - first[len];
      if (perLength[len] > 0 && d >= 0 && d < perLength[len]) {
        found = codebook.symbols[offset[len] + d];
        break;
      }
    }
    if (found < 0) fail(`no code matches at symbol ${i}`);
    out[i] = found;
  }
  if (pos !== bitLength) fail(`${bitLength - pos} bits are left after ${count} symbols`);
  return out;
}
