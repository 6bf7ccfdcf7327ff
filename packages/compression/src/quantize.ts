/**
 * The uniform quantiser of Øland, thesis §3.2: Algorithm 1 QUANTIZE (encoder) and Algorithm 2 line 4 (decoder,
 * bin-centre reconstruction). Pure functions on typed arrays, computed in float64.
 */
import { InvalidArgumentError, NonFiniteError } from '@beyond-backprop/core-linalg/errors';

/** Largest supported bit depth. Beyond 24 bits the bin width falls below the float32 spacing of the weights. */
export const MAX_BITS = 24;

/** Quantised indices: `Uint16Array` for N ≤ 16 bits, `Uint32Array` above. */
export type QuantizedIndices = Uint16Array | Uint32Array;

/** The range `[min, max]` of one layer (Alg. 1 lines 2–3). */
export interface LayerRange {
  readonly min: number;
  readonly max: number;
}

/** Throws `InvalidArgumentError` unless `bits` is an integer in `[1, MAX_BITS]`. */
export function checkBits(fn: string, argument: string, bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BITS) {
    throw new InvalidArgumentError(fn, argument, `must be an integer bit depth in [1, ${MAX_BITS}]`, bits);
  }
}

/**
 * Minimum and maximum of a layer's weights (Alg. 1 lines 2–3, over all of `W_l`). Throws `NonFiniteError` at the
 * first NaN or ±Infinity, since no quantiser range contains it.
 *
 * @param values - the layer's weights, any flattening order.
 * @returns `{min, max}`; `{min: 0, max: 0}` for an empty layer.
 * @example
 * ```ts
 * layerRange(new Float32Array([0.5, -1, 2])); // {min: -1, max: 2}
 * ```
 */
export function layerRange(values: Float32Array, fn = 'layerRange', argument = 'values'): LayerRange {
  let min = Infinity;
  let max = -Infinity;
  // NaN fails both comparisons, so it is caught through the sum (NaN or ±Infinity make it non-finite).
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  if (values.length === 0) return { min: 0, max: 0 };
  if (!Number.isFinite(sum) || !Number.isFinite(min) || !Number.isFinite(max)) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new NonFiniteError(fn, argument, i, values[i]);
    }
  }
  return { min, max };
}

function checkRange(fn: string, min: number, max: number): void {
  if (!Number.isFinite(min)) throw new InvalidArgumentError(fn, 'min', 'must be finite', min);
  if (!Number.isFinite(max) || max < min) throw new InvalidArgumentError(fn, 'max', `must be finite and >= min (${min})`, max);
}

/** An index array able to hold `bits`-bit values. */
export function allocateIndices(length: number, bits: number): QuantizedIndices {
  return bits <= 16 ? new Uint16Array(length) : new Uint32Array(length);
}

/**
 * Quantises weights to `bits`-bit bin indices over `[min, max]` (thesis §3.2, Alg. 1 QUANTIZE, with the OCR-damaged
 * numerator read as `w − wMin`, the only form Alg. 2's decoder inverts):
 * `q = clamp(⌊2^N (w − wMin) / (wMax − wMin)⌋, 0, 2^N − 1)`. Values outside the range clamp to the end bins; a
 * degenerate range (`min == max`) gives all-zero indices. NaN weights throw `NonFiniteError`.
 *
 * @param values - `[n]` weights.
 * @param min - the range's lower end, usually the layer minimum.
 * @param max - the range's upper end (≥ `min`).
 * @param bits - N, an integer in `[1, 24]`.
 * @returns `[n]` indices in `[0, 2^N − 1]`.
 * @example
 * ```ts
 * quantize(new Float32Array([-1, -0.5, 0, 0.5, 1]), -1, 1, 2); // Uint16Array [0, 1, 2, 3, 3]
 * ```
 */
export function quantize(values: Float32Array, min: number, max: number, bits: number): QuantizedIndices {
  checkBits('quantize', 'bits', bits);
  checkRange('quantize', min, max);
  const out = allocateIndices(values.length, bits);
  const range = max - min;
  if (range === 0) {
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i])) throw new NonFiniteError('quantize', 'values', i, values[i]);
    }
    return out;
  }
  const levels = 2 ** bits;
  const top = levels - 1;
  const scale = levels / range;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const q = Math.floor((v - min) * scale);
    if (q >= 0 && q <= top) out[i] = q;
    else if (q > top) out[i] = top;
    else if (q < 0) out[i] = 0;
    else throw new NonFiniteError('quantize', 'values', i, v);
  }
  return out;
}

/**
 * Reconstructs weights at the centres of their bins (thesis §3.2, Alg. 2 line 4):
 * `ŵ = wMin + (wMax − wMin)(q + ½) / 2^N`, so `|w − ŵ| ≤ Δ/2` with `Δ = (wMax − wMin) / 2^N` (plus float32 rounding).
 * A degenerate range returns `min` exactly.
 *
 * @param indices - `[n]` indices from {@link quantize} (values ≥ 2^N throw `InvalidArgumentError`).
 * @returns `[n]` float32 weights.
 * @example
 * ```ts
 * dequantize(new Uint16Array([0, 1, 2, 3, 3]), -1, 1, 2); // [-0.75, -0.25, 0.25, 0.75, 0.75]
 * ```
 */
export function dequantize(indices: ArrayLike<number>, min: number, max: number, bits: number): Float32Array {
  checkBits('dequantize', 'bits', bits);
  checkRange('dequantize', min, max);
  const out = new Float32Array(indices.length);
  const levels = 2 ** bits;
  const range = max - min;
  if (range === 0) {
    out.fill(min);
    return out;
  }
  const step = range / levels;
  const base = min + 0.5 * step;
  for (let i = 0; i < indices.length; i++) {
    const q = indices[i];
    if (!(q >= 0 && q < levels)) {
      throw new InvalidArgumentError('dequantize', 'indices', `must hold integers in [0, ${levels - 1}] (at ${i})`, q);
    }
    out[i] = base + q * step;
  }
  return out;
}
