/**
 * The per-layer, per-epoch bit depth of Øland, thesis §3.5 (Alg. 1 line 5): `N = H + c`, and the gradient rule it
 * replaces (§3.3): `N = log₂(G + c₀) + c₁`.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg/errors';
import { MAX_BITS } from './quantize.js';

/**
 * How the real-valued `H + c` becomes an integer bit depth. The thesis does not say; `'ceil'` keeps
 * `N ∈ [c, c + M]`, the "ceiling:floor = (c+M):c" notation of its Fig. 3.4.
 */
export type BitRounding = 'ceil' | 'round' | 'floor';

function roundBits(fn: string, x: number, rounding: BitRounding): number {
  switch (rounding) {
    case 'ceil':
      // The tolerance keeps H = 2 − 1e-15 (a float artefact of an exact 2) from rounding up to 3.
      return Math.ceil(x - 1e-9);
    case 'round':
      return Math.round(x);
    case 'floor':
      return Math.floor(x + 1e-9);
    default:
      throw new InvalidArgumentError(fn, 'rounding', "must be 'ceil', 'round' or 'floor'", rounding);
  }
}

function clampBits(n: number): number {
  return Math.min(MAX_BITS, Math.max(1, n));
}

/**
 * The bit depth of a layer from its entropy estimate, `N = H + c` (thesis §3.5, Alg. 1 line 5), rounded by
 * `rounding` and clamped to `[1, 24]`. With `'ceil'` and `H ∈ [0, M]`, `N ∈ [c, c + M]`; `H = 0` gives `N = c`.
 *
 * @param h - entropy in bits (≥ 0), usually {@link estimateEntropy}.
 * @param c - the bit floor c (a non-negative integer).
 * @example
 * ```ts
 * bitsForLayer(2.3, 6); // 9
 * bitsForLayer(0, 5);   // 5
 * ```
 */
export function bitsForLayer(h: number, c: number, rounding: BitRounding = 'ceil'): number {
  if (!(h >= 0) || !Number.isFinite(h)) throw new InvalidArgumentError('bitsForLayer', 'h', 'must be a finite entropy >= 0', h);
  if (!Number.isInteger(c) || c < 0) throw new InvalidArgumentError('bitsForLayer', 'c', 'must be a non-negative integer', c);
  return clampBits(roundBits('bitsForLayer', h + c, rounding));
}

/** Options of {@link bitsFromGradientRms}. */
export interface GradientBitOptions {
  /** c₀, caps the bin width for vanishing gradients. Default 1 (then log₂(G + 1) ≥ 0 and c₁ is the floor). */
  readonly c0?: number;
  /** c₁, the offset in bits. */
  readonly c1: number;
  /** Multiplier of the log term. Default 1. */
  readonly scale?: number;
  /** Default `'round'`. */
  readonly rounding?: BitRounding;
}

/**
 * The gradient-based bit depth of thesis §3.3, `N = scale·log₂(G + c₀) + c₁` (the tolerable bin width is
 * `ΔW ∝ T/(G + c₀)`; the OCR drops the log, restored because §3.5 correlates log(G + c₀) with H), clamped to
 * `[1, 24]`. For ablations only: Alg. 1 uses {@link bitsForLayer}.
 *
 * @param g - the RMS of the layer's loss gradient (≥ 0), e.g. from {@link gradientRms}.
 * @example
 * ```ts
 * bitsFromGradientRms(3, { c1: 6 }); // round(log2(4) + 6) = 8
 * ```
 */
export function bitsFromGradientRms(g: number, options: GradientBitOptions): number {
  const c0 = options.c0 ?? 1;
  const scale = options.scale ?? 1;
  if (!(g >= 0) || !Number.isFinite(g)) throw new InvalidArgumentError('bitsFromGradientRms', 'g', 'must be a finite RMS >= 0', g);
  if (!(c0 > 0) || !Number.isFinite(c0)) throw new InvalidArgumentError('bitsFromGradientRms', 'c0', 'must be finite and > 0', c0);
  if (!Number.isFinite(options.c1)) throw new InvalidArgumentError('bitsFromGradientRms', 'c1', 'must be finite', options.c1);
  if (!Number.isFinite(scale)) throw new InvalidArgumentError('bitsFromGradientRms', 'scale', 'must be finite', scale);
  return clampBits(roundBits('bitsFromGradientRms', scale * Math.log2(g + c0) + options.c1, options.rounding ?? 'round'));
}
