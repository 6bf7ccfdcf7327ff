/** Seeded test layers (Box–Muller on the package's own splitmix32 stream). */
import { splitmix32 } from '../src/sampling.js';

export function uniforms(n: number, seed: number): Float64Array {
  const next = splitmix32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() + 0.5) / 4294967296;
  return out;
}

export function normalLayer(n: number, seed: number, std = 1): Float32Array {
  const u = uniforms(2 * n, seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * Math.sqrt(-2 * Math.log(u[2 * i])) * Math.cos(2 * Math.PI * u[2 * i + 1]);
  return out;
}

export function normalSamples(n: number, seed: number): Float64Array {
  const u = uniforms(2 * n, seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u[2 * i])) * Math.cos(2 * Math.PI * u[2 * i + 1]);
  return out;
}
