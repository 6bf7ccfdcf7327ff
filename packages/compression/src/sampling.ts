/**
 * Seeded sampling without replacement for the entropy estimate (thesis §3.5). The codec core must not import
 * TensorFlow.js, and core-linalg's `createRng` module does, so the core draws from its own splitmix32 stream: the
 * same seed gives the same sample in Node.js, worker threads and browsers.
 */

/** A splitmix32 stream of 32-bit unsigned integers. */
export function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Mixes integers into one 32-bit seed (order matters), so `(seed, epoch, layer)` gives independent streams. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const lo = part >>> 0;
    const hi = Math.floor(Math.abs(part) / 4294967296) >>> 0;
    h = Math.imul(h ^ lo, 0x01000193);
    h = Math.imul(h ^ hi, 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/**
 * `s` distinct indices drawn uniformly from `[0, n)` (Floyd's algorithm: `s` draws, memory O(s)), in draw order.
 *
 * @example
 * ```ts
 * sampleIndices(1000, 30, 42); // Uint32Array of 30 distinct indices, identical for seed 42 everywhere
 * ```
 */
export function sampleIndices(n: number, s: number, seed: number): Uint32Array {
  const next = splitmix32(seed);
  const out = new Uint32Array(s);
  // A byte per candidate is cheaper than a Set up to large layers; beyond 2^27 the Set's O(s) memory wins.
  const marks = n <= 2 ** 27 ? new Uint8Array(n) : null;
  const taken = marks ? null : new Set<number>();
  let k = 0;
  for (let j = n - s; j < n; j++) {
    // Uniform integer in [0, j] from 53 random bits.
    const u = ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
    const t = Math.floor(u * (j + 1));
    let pick: number;
    if (marks) {
      pick = marks[t] ? j : t;
      marks[pick] = 1;
    } else {
      pick = taken!.has(t) ? j : t;
      taken!.add(pick);
    }
    out[k++] = pick;
  }
  return out;
}
