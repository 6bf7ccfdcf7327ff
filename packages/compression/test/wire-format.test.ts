import { describe, expect, it } from 'vitest';
import {
  WIRE_FORMAT_VERSION,
  WirePackageError,
  compressFixed,
  compressRaw,
  compressWeights,
  crc32,
  createWeightCodec,
  decompressWeights,
  describePackage,
  deserializePackage,
  serializePackage,
  type CodecName,
  type CompressedLayer,
} from '../src/index.js';
import { splitmix32 } from '../src/sampling.js';
import { normalLayer } from './fixtures.js';

function layersFor(seed: number): Float32Array[] {
  return [normalLayer(2000, seed, 0.05), normalLayer(300, seed + 1, 0.3), new Float32Array(0), new Float32Array(9).fill(-2), normalLayer(10, seed + 2)];
}

function withoutEntropy(layers: CompressedLayer[]): CompressedLayer[] {
  return layers.map((l) => {
    if (l.kind !== 'huffman') return l;
    const { entropy: _drop, ...rest } = l;
    return rest;
  });
}

function resealed(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** A valid package with one header-only layer of the given kind and claimed length. */
function claimPackage(kind: number, length: number, body: number[]): Uint8Array {
  const bytes = new Uint8Array(12 + 5 + body.length + 4);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x42, 0x50, 0x57, WIRE_FORMAT_VERSION, 2, 0, 0]);
  view.setUint32(8, 1, true);
  bytes[12] = kind;
  view.setUint32(13, length, true);
  bytes.set(body, 17);
  return resealed(bytes);
}

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof WirePackageError) return e.problem;
    throw e;
  }
  return 'decoded';
}

describe('wire package round trip', () => {
  it('checksums with CRC-32/IEEE (check value of "123456789" is cbf43926, any length)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('deserialize(serialize(layers)) equals the layers for every codec, and decoding gives Alg. 2 values', () => {
    for (const [name, layers] of [
      ['huffman', compressWeights(layersFor(1), { bitFloor: 5 }, 3)],
      ['fixed8', compressFixed(layersFor(2), 8)],
      ['none', compressRaw(layersFor(3))],
    ] as const) {
      const bytes = serializePackage(name, layers);
      const back = deserializePackage(bytes);
      expect(back.codec).toBe(name);
      expect(withoutEntropy(back.layers)).toEqual(withoutEntropy(layers));
      expect(decompressWeights(back.layers)).toEqual(decompressWeights(layers));
    }
  });

  it('describes each layer: kind, bit depth, payload bits and record size adding up to the package', () => {
    const layers = compressWeights(layersFor(4), {}, 0);
    const bytes = serializePackage('huffman', layers);
    const s = describePackage(bytes);
    expect(s.codec).toBe('huffman');
    expect(s.layers.map((l) => l.kind)).toEqual(['huffman', 'huffman', 'raw', 'constant', 'huffman']);
    expect(s.values).toBe(2000 + 300 + 0 + 9 + 10);
    expect(12 + 4 + s.layers.reduce((a, l) => a + l.recordBytes, 0)).toBe(bytes.length);
    const first = layers[0];
    expect(first.kind === 'huffman' && s.layers[0].payloadBits === first.payloadBits && s.layers[0].bits === first.bits).toBe(true);
  });

  it('round-trips adversarial layers: one value, all values equal, 2^N distinct values, empty lists', () => {
    const ramp = Float32Array.from({ length: 1024 }, (_, i) => i / 1023);
    for (const name of ['none', 'fixed8', 'huffman'] as CodecName[]) {
      const codec = createWeightCodec(name, { bitFloor: 10, preliminaryBits: 4 });
      expect(codec.decode(codec.encode([]))).toEqual([]);
      const [single, equal, spread] = codec.decode(codec.encode([new Float32Array([0.7]), new Float32Array(500).fill(0.1), ramp]));
      expect(single).toEqual(new Float32Array([0.7]));
      expect(equal).toEqual(new Float32Array(500).fill(0.1));
      expect(spread!.length).toBe(1024);
    }
    // At N = 10 (c = 10, H = 0 impossible here, so N >= 10) a 1024-step ramp fills every bin exactly once.
    const pkg = compressWeights([ramp], { bitFloor: 10, preliminaryBits: 1, rounding: 'floor' })[0];
    expect(pkg.kind === 'huffman' && pkg.symbols.length === 2 ** pkg.bits).toBe(true);
  });
});

describe('wire package decoder on bad input', () => {
  it('rejects wrong magic, unknown versions, bad checksums and truncation with the matching problem', () => {
    const bytes = createWeightCodec('huffman').encode(layersFor(5));
    const magic = bytes.slice();
    magic[0] = 0x41;
    expect(problemOf(() => deserializePackage(magic))).toBe('magic');
    const version = bytes.slice();
    version[4] = 2;
    expect(problemOf(() => deserializePackage(version))).toBe('version');
    const flipped = bytes.slice();
    flipped[100] ^= 0x10;
    expect(problemOf(() => deserializePackage(flipped))).toBe('checksum');
    expect(problemOf(() => deserializePackage(bytes.subarray(0, 10)))).toBe('truncated');
    expect(problemOf(() => deserializePackage(resealed(bytes.subarray(0, 60))))).not.toBe('decoded');
  });

  it('rejects a header claiming 2^31 values before allocating, whatever the layer kind', () => {
    for (const [kind, body] of [
      [0, [1, 2, 3, 4]],
      [1, [0, 0, 0, 0]],
      [2, [0, 0, 0, 0, 0, 0, 128, 63, 8]],
      [3, [0, 0, 0, 0, 0, 0, 128, 63, 4, 2, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]],
    ] as const) {
      const bytes = claimPackage(kind, 2 ** 31, [...body]);
      expect(problemOf(() => deserializePackage(bytes))).toBe('limit');
      // With the limit lifted, the bytes present still bound every kind that carries data (not the constant kind,
      // whose values legitimately expand, so only the limit guards it).
      if (kind !== 1) expect(problemOf(() => deserializePackage(bytes, { maxValues: 2 ** 32 }))).not.toBe('decoded');
    }
    const manyLayers = claimPackage(1, 1, [0, 0, 0, 0]);
    new DataView(manyLayers.buffer).setUint32(8, 2 ** 31, true);
    expect(problemOf(() => deserializePackage(resealed(manyLayers)))).toBe('truncated');
  });

  it('a huffman layer cannot claim more values than its payload has bits', () => {
    // 2 symbols with 1-bit codes, 1 payload byte = 8 bits: 9 claimed values are impossible.
    const ok = claimPackage(3, 8, [0, 0, 0, 0, 0, 0, 128, 63, 4, 2, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0b10110010]);
    expect(createWeightCodec('none').decode(ok)[0].length).toBe(8);
    const over = claimPackage(3, 9, [0, 0, 0, 0, 0, 0, 128, 63, 4, 2, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0b10110010]);
    expect(problemOf(() => deserializePackage(over))).toBe('structure');
  });

  it('fuzz: thousands of corrupted packages only ever raise WirePackageError', () => {
    const next = splitmix32(2024);
    const rand = (n: number): number => Math.floor((next() / 4294967296) * n);
    const sources = (['none', 'fixed8', 'huffman'] as CodecName[]).map((name) => createWeightCodec(name, { bitFloor: 3 }).encode(layersFor(6)));
    const codec = createWeightCodec('huffman', { maxDecodedValues: 1_000_000 });
    let checksum = 0;
    let deep = 0;
    let decoded = 0;
    for (let t = 0; t < 3000; t++) {
      const src = sources[t % 3];
      let bytes: Uint8Array = src.slice();
      const mode = rand(5);
      if (mode === 0) bytes[rand(bytes.length)] ^= 1 << rand(8);
      else if (mode === 1) for (let k = 0; k < 1 + rand(8); k++) bytes[rand(bytes.length)] = rand(256);
      else if (mode === 2) bytes = bytes.slice(0, rand(bytes.length));
      else if (mode === 3) {
        const at = rand(bytes.length);
        bytes = Uint8Array.from([...bytes.subarray(0, at), rand(256), ...bytes.subarray(at)]);
      } else bytes = Uint8Array.from({ length: rand(200) }, () => rand(256));
      // Half the cases get a valid checksum so the structural checks behind it are exercised too.
      const reseal = t % 2 === 1 && bytes.length >= 16;
      if (reseal) {
        bytes.set([0x42, 0x42, 0x50, 0x57, WIRE_FORMAT_VERSION], 0);
        bytes = resealed(bytes);
      }
      const unchanged = bytes.length === src.length && bytes.every((b, i) => b === src[i]);
      try {
        const out = codec.decode(bytes);
        if (!unchanged) decoded++;
        // Without a valid checksum, a changed package must never decode.
        expect(reseal || unchanged).toBe(true);
        expect(out.reduce((a, l) => a + l.length, 0)).toBeLessThanOrEqual(1_000_000);
      } catch (e) {
        expect(e).toBeInstanceOf(WirePackageError);
        if ((e as WirePackageError).problem === 'checksum') checksum++;
        else deep++;
      }
    }
    expect(checksum).toBeGreaterThan(1000);
    expect(deep).toBeGreaterThan(1000);
    expect(decoded).toBeLessThan(500);
  });
});
