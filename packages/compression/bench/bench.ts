/**
 * compression benchmarks (codec only; no TensorFlow.js). One JSON object per line:
 * - `codec-throughput`: encode and decode MB/s (float32 input bytes per second) of each codec on a 1M-parameter
 *   784-1000-200-80 weight list with trained-like normal weights, median of `repeats` runs;
 * - `codec-1m-model`: encode + decode milliseconds of that model per codec (target for 'huffman': < 50 ms), with the
 *   package size, bits/parameter and ratio against float32;
 * - `zlib-float32`: deflate of the raw float32 bytes (thesis §3.1 found LZW on raw floats ineffective) for scale.
 * Timings share the CPU with other processes: compare ratios measured in the same run.
 * Run: `pnpm --filter @beyond-backprop/compression bench` (`BENCH_QUICK=1` for 3 repeats).
 */
import { deflateSync } from 'node:zlib';
import { createWeightCodec, describePackage, type CodecName } from '../src/index.js';
import { normalLayer } from '../test/fixtures.js';

const repeats = process.env.BENCH_QUICK ? 3 : 11;
const shapes: Array<[number, number]> = [
  [784, 1000],
  [1000, 200],
  [200, 80],
];
const layers = shapes.map(([i, o], l) => normalLayer(i * o, 100 + l, Math.sqrt(2 / (i + o))));
const params = layers.reduce((a, l) => a + l.length, 0);
const mb = (params * 4) / 1e6;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

for (const name of ['none', 'fixed8', 'huffman'] as CodecName[]) {
  const codec = createWeightCodec(name);
  let bytes = codec.encode(layers, { epoch: 0 });
  codec.decode(bytes); // warm-up
  const enc: number[] = [];
  const dec: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    bytes = codec.encode(layers, { epoch: r });
    const t1 = performance.now();
    codec.decode(bytes);
    const t2 = performance.now();
    enc.push(t1 - t0);
    dec.push(t2 - t1);
  }
  const s = describePackage(bytes);
  const bits = s.payloadBits / s.values;
  console.log(
    JSON.stringify({
      bench: 'codec-throughput',
      codec: name,
      params,
      encodeMBps: Number((mb / (median(enc) / 1000)).toFixed(1)),
      decodeMBps: Number((mb / (median(dec) / 1000)).toFixed(1)),
    }),
  );
  console.log(
    JSON.stringify({
      bench: 'codec-1m-model',
      codec: name,
      params,
      encodeMs: Number(median(enc).toFixed(2)),
      decodeMs: Number(median(dec).toFixed(2)),
      totalMs: Number((median(enc) + median(dec)).toFixed(2)),
      packageBytes: bytes.length,
      bitsPerParameter: Number(bits.toFixed(3)),
      ratioVsFloat32: Number((32 / bits).toFixed(2)),
      wireRatioVsFloat32: Number(((params * 4) / bytes.length).toFixed(2)),
      layerBits: s.layers.map((l) => l.bits),
    }),
  );
}

{
  const raw = new Uint8Array(params * 4);
  let p = 0;
  for (const l of layers) {
    raw.set(new Uint8Array(l.buffer, l.byteOffset, l.byteLength), p);
    p += l.byteLength;
  }
  const t0 = performance.now();
  const z = deflateSync(raw, { level: 6 });
  const ms = performance.now() - t0;
  console.log(
    JSON.stringify({
      bench: 'zlib-float32',
      params,
      level: 6,
      ms: Number(ms.toFixed(1)),
      bytes: z.length,
      ratioVsFloat32: Number((raw.length / z.length).toFixed(3)),
    }),
  );
}
