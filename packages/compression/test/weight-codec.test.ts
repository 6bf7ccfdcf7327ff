import { describe, expect, it } from 'vitest';
import { BbpError } from '@beyond-backprop/core-linalg/errors';
import { createWeightCodec, describePackage, WirePackageError, type CodecName } from '../src/index.js';
import { normalLayer } from './fixtures.js';

const names: CodecName[] = ['none', 'fixed8', 'huffman'];

describe('createWeightCodec', () => {
  it('round-trips every codec: none exactly, quantised codecs within half a bin', () => {
    const layers = [normalLayer(784 * 39, 1, 0.05), normalLayer(392, 2, 0.01), new Float32Array(0), new Float32Array(7).fill(0.25)];
    for (const name of names) {
      const codec = createWeightCodec(name);
      expect(codec.name).toBe(name);
      const out = codec.decode(codec.encode(layers, { epoch: 2 }));
      expect(out.map((l) => l.length)).toEqual(layers.map((l) => l.length));
      out.forEach((layer, l) => {
        const src = layers[l];
        let min = Infinity;
        let max = -Infinity;
        for (const v of src) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        const bits = name === 'fixed8' ? 8 : name === 'huffman' ? describePackage(codec.encode(layers, { epoch: 2 })).layers[l].bits : 0;
        const tol = name === 'none' || src.length === 0 || min === max ? 0 : (max - min) / 2 ** bits / 2 + 1e-7;
        let worst = 0;
        for (let i = 0; i < src.length; i++) worst = Math.max(worst, Math.abs(layer[i] - src[i]));
        expect(worst).toBeLessThanOrEqual(tol);
      });
    }
  });

  it('is deterministic: the same layers and epoch give the same bytes', () => {
    const layers = [normalLayer(5000, 3, 0.1), normalLayer(300, 4, 1)];
    for (const name of names) {
      const a = createWeightCodec(name).encode(layers, { epoch: 5 });
      const b = createWeightCodec(name).encode(
        layers.map((l) => l.slice()),
        { epoch: 5 },
      );
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    }
  });

  it('huffman packages are at least 8x smaller than none packages for trained-like weights', () => {
    const layers = [normalLayer(784 * 392, 5, 0.05)];
    const none = createWeightCodec('none').encode(layers).length;
    const fixed = createWeightCodec('fixed8').encode(layers).length;
    const huff = createWeightCodec('huffman', { bitFloor: 5 }).encode(layers).length;
    expect(none / fixed).toBeGreaterThan(3.9);
    expect(huff).toBeLessThan(fixed);
  });

  it('rejects an unknown codec name with a typed error', () => {
    expect(() => createWeightCodec('zip' as CodecName)).toThrow(BbpError);
    expect(() => createWeightCodec('zip' as CodecName)).toThrow(/createWeightCodec: argument 'name'/);
  });

  it('rejects a corrupted package with a WirePackageError', () => {
    const codec = createWeightCodec('huffman');
    const bytes = codec.encode([normalLayer(1000, 6, 1)]);
    bytes[40] ^= 1;
    expect(() => codec.decode(bytes)).toThrow(WirePackageError);
  });
});
