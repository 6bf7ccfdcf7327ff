/**
 * Fixed-width bit packing of quantised indices: the payload of the fixed-N baseline (Øland, thesis §3.2, Fig. 3.1),
 * where every index costs exactly N bits. MSB-first, like the Huffman stream.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import { allocateIndices, checkBits, type QuantizedIndices } from './quantize.js';

/**
 * Packs `bits`-bit indices into `ceil(n · bits / 8)` bytes, MSB-first, zero-padded.
 *
 * @param indices - `[n]` integers in `[0, 2^bits − 1]`.
 * @example
 * ```ts
 * packBits(new Uint16Array([1, 2, 3]), 2); // Uint8Array [0b01101100]
 * ```
 */
export function packBits(indices: ArrayLike<number>, bits: number): Uint8Array {
  checkBits('packBits', 'bits', bits);
  const n = indices.length;
  const out = new Uint8Array(Math.ceil((n * bits) / 8));
  const levels = 2 ** bits;
  let acc = 0;
  let accBits = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    const q = indices[i];
    if (!(q >= 0 && q < levels)) throw new InvalidArgumentError('packBits', 'indices', `must hold integers in [0, ${levels - 1}] (at ${i})`, q);
    acc = (acc << bits) | q;
    accBits += bits;
    while (accBits >= 8) {
      accBits -= 8;
      out[p++] = (acc >>> accBits) & 255;
    }
    acc &= (1 << accBits) - 1;
  }
  if (accBits > 0) out[p] = (acc << (8 - accBits)) & 255;
  return out;
}

/**
 * Reads `count` indices of `bits` bits each from a {@link packBits} payload.
 *
 * @returns `[count]` indices; throws `InvalidArgumentError` when `bytes` is shorter than `ceil(count · bits / 8)`.
 * @example
 * ```ts
 * unpackBits(new Uint8Array([0b01101100]), 2, 3); // Uint16Array [1, 2, 3]
 * ```
 */
export function unpackBits(bytes: Uint8Array, bits: number, count: number): QuantizedIndices {
  checkBits('unpackBits', 'bits', bits);
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError('unpackBits', 'count', 'must be a non-negative integer', count);
  const need = Math.ceil((count * bits) / 8);
  if (bytes.length < need)
    throw new InvalidArgumentError('unpackBits', 'bytes', `must hold at least ${need} bytes for ${count} ${bits}-bit values`, bytes.length);
  const out = allocateIndices(count, bits);
  const mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
  let acc = 0;
  let accBits = 0;
  let p = 0;
  for (let i = 0; i < count; i++) {
    while (accBits < bits) {
      acc = ((acc << 8) | bytes[p++]) >>> 0;
      accBits += 8;
    }
    accBits -= bits;
    out[i] = (acc >>> accBits) & mask;
    acc &= (1 << accBits) - 1;
  }
  return out;
}
