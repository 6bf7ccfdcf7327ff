/**
 * The codec contract the data-parallel trainer exchanges weights through, typed structurally so that this package
 * does not depend on `@beyond-backprop/compression` (whose `createWeightCodec` returns exactly this shape), plus the
 * built-in uncompressed codec `'none'`.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { FrameError } from '../errors.js';
import type { JsonValue } from '../frame.js';

/**
 * Encodes a list of layers (`Float32Array` each, in model-weight order) into bytes and back. `decode(encode(w))`
 * may be lossy (quantisation), but must be deterministic: equal bytes decode to bit-equal arrays on every replica.
 */
export interface WeightCodec {
  readonly name: string;
  encode(layers: readonly Float32Array[], context?: { epoch?: number }): Uint8Array;
  decode(bytes: Uint8Array): Float32Array[];
}

/**
 * How every participant (coordinator, worker threads, processes on other machines) creates the same codec: a
 * built-in `name` (`'none'`), or a `module` URL/specifier exporting `createWeightCodec(name, options)` — e.g.
 * `@beyond-backprop/compression` for `'fixed8'` and `'huffman'`.
 */
export interface WeightCodecSpec {
  name: string;
  options?: JsonValue;
  /** Module exporting `createWeightCodec(name, options): WeightCodec`; absolute URL when workers resolve it. */
  module?: string;
}

/**
 * A codec module linked statically (e.g. `import * as compression from '@beyond-backprop/compression'`, or
 * `{ createWeightCodec }`): what bundled code (a browser worker) passes instead of a `module` to import at run time.
 */
export interface WeightCodecModule {
  createWeightCodec(name: string, options?: unknown): WeightCodec;
}

const MAGIC = 0x31504242; // "BBP1" little-endian

/**
 * The uncompressed codec (`'none'`): a count, each layer's length, then the float32 values — 4 bytes per parameter
 * plus 4 per layer and 8 of header.
 *
 * @example
 * ```ts
 * const codec = float32Codec();
 * const [w] = codec.decode(codec.encode([new Float32Array([1, 2])])); // Float32Array [1, 2]
 * ```
 */
export function float32Codec(): WeightCodec {
  return {
    name: 'none',
    encode(layers) {
      let values = 0;
      for (const l of layers) values += l.length;
      const out = new Uint8Array(8 + 4 * layers.length + 4 * values);
      const view = new DataView(out.buffer);
      view.setUint32(0, MAGIC, true);
      view.setUint32(4, layers.length, true);
      let offset = 8;
      for (const l of layers) {
        view.setUint32(offset, l.length, true);
        offset += 4;
      }
      for (const l of layers) {
        out.set(new Uint8Array(l.buffer, l.byteOffset, l.byteLength), offset);
        offset += l.byteLength;
      }
      return out;
    },
    decode(bytes) {
      const fn = 'float32Codec.decode';
      if (bytes.length < 8) throw new FrameError(fn, `package of ${bytes.length} bytes is shorter than its 8-byte header`);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (view.getUint32(0, true) !== MAGIC) throw new FrameError(fn, 'bad magic (not a float32 weight package)');
      const count = view.getUint32(4, true);
      if (8 + 4 * count > bytes.length) throw new FrameError(fn, `header claims ${count} layers, the package has ${bytes.length} bytes`);
      const lengths: number[] = [];
      let total = 8 + 4 * count;
      for (let i = 0; i < count; i++) {
        const n = view.getUint32(8 + 4 * i, true);
        lengths.push(n);
        total += 4 * n;
      }
      if (total !== bytes.length) throw new FrameError(fn, `layers need ${total} bytes, the package has ${bytes.length}`);
      let offset = 8 + 4 * count;
      return lengths.map((n) => {
        const layer = new Float32Array(bytes.slice(offset, offset + 4 * n).buffer);
        offset += 4 * n;
        return layer;
      });
    },
  };
}

function isCodec(value: unknown): value is WeightCodec {
  const c = value as WeightCodec;
  return typeof c === 'object' && c !== null && typeof c.encode === 'function' && typeof c.decode === 'function' && typeof c.name === 'string';
}

/**
 * Creates the codec a spec describes (`'none'` built in; anything else through `linked` when given, else
 * `spec.module`). Bundled code (browser workers, where a module specifier cannot be imported at run time) passes the
 * codec module itself as `linked`.
 *
 * @throws InvalidArgumentError for an unknown built-in name, or a module without `createWeightCodec`.
 */
export async function resolveWeightCodec(spec: WeightCodecSpec = { name: 'none' }, linked?: WeightCodecModule): Promise<WeightCodec> {
  const fn = 'resolveWeightCodec';
  if (linked && !(spec.name === 'none' && !spec.module)) {
    const codec: unknown = linked.createWeightCodec(spec.name, spec.options ?? undefined);
    if (!isCodec(codec)) throw new InvalidArgumentError(fn, 'linked', 'createWeightCodec must return {name, encode, decode}', codec);
    return codec;
  }
  if (!spec.module) {
    if (spec.name === 'none') return float32Codec();
    throw new InvalidArgumentError(fn, 'spec.name', "must be 'none', or come with a 'module' exporting createWeightCodec", spec.name);
  }
  const mod = (await import(spec.module)) as { createWeightCodec?: (name: string, options?: unknown) => unknown };
  if (typeof mod.createWeightCodec !== 'function')
    throw new InvalidArgumentError(fn, 'spec.module', 'must export createWeightCodec(name, options)', spec.module);
  const codec = mod.createWeightCodec(spec.name, spec.options ?? undefined);
  if (!isCodec(codec)) throw new InvalidArgumentError(fn, 'spec.module', 'createWeightCodec must return {name, encode, decode}', codec);
  return codec;
}

/** FNV-1a over the bit patterns of every value: equal for bit-identical weight lists, cheap to compare across replicas. */
export function weightsChecksum(layers: readonly Float32Array[]): number {
  let h = 0x811c9dc5;
  for (const l of layers) {
    const words = new Uint32Array(l.buffer, l.byteOffset, l.length);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193) >>> 0;
    h = Math.imul(h ^ l.length, 0x01000193) >>> 0;
  }
  return h;
}
