/**
 * A float32 matrix product for the wasm backend that reads its operands where they lie: XNNPACK, behind the
 * backend's `BatchMatMul`, first repacks every right operand it has not seen (a weight matrix fresh from the
 * optimiser, a conv layer's `dy`), which cost more than the product itself for thin or tall operands (12 ms of a
 * 100 × 28 × 28 × 16 filter gradient whose product takes 1.7 ms here).
 */
import { wasmExportsOnBackend } from './wasm-module.js';

/**
 * `gemm(a, b, c, bias, M, K, N, rowStepA, kStepA)`: `C[M, N] = bias + A·B` over byte offsets into the wasm backend's
 * memory (imported, so nothing is copied); `B` row-major `[K, N]`, `C` row-major `[M, N]`, `A[i, k]` at
 * `a + i·rowStepA + k·kStepA`, `bias` `N` floats or 0 for none. Each output is one float32 sum in ascending `k`
 * (multiply, then add), in SIMD register blocks of 4 rows × 8 columns. Assembled from `wasm-gemm.wat` (next to this
 * file, written by `scripts/wasm-gemm-wat.mjs`) with wabt 1.0.39 (`wat2wasm --enable-simd`).
 */
const GEMM_WASM =
  'AGFzbQEAAAABDQFgCX9/f39/f39/fwACDwEDZW52Bm1lbW9yeQIAAQMIBwAAAAAAAAAHCAEEZ2VtbQAGCsgOB6ADAQt7IAMEeyAD/QACAAX9DAAAAAAAAAAAAAAAAAAAAAALIREgESEJIBEhCyARIQ0gESEPIAMEeyAD/QACEAX9DAAAAAAAAAAAAAAAAAAAAAALIRIgEiEKIBIhDCASIQ4gEiEQAkADQCAERQ0BIAH9AAIAIREgAf0AAhAhEiAAKgIA/RMhEyAJIBMgEf3mAf3kASEJIAogEyAS/eYB/eQBIQogACAFQQFsaioCAP0TIRMgCyATIBH95gH95AEhCyAMIBMgEv3mAf3kASEMIAAgBUECbGoqAgD9EyETIA0gEyAR/eYB/eQBIQ0gDiATIBL95gH95AEhDiAAIAVBA2xqKgIA/RMhEyAPIBMgEf3mAf3kASEPIBAgEyAS/eYB/eQBIRAgACAGaiEAIAEgB2ohASAEQQFrIQQMAAsLIAIgCf0LAgAgAiAK/QsCECACIAhBAWxqIAv9CwIAIAIgCEEBbGogDP0LAhAgAiAIQQJsaiAN/QsCACACIAhBAmxqIA79CwIQIAIgCEEDbGogD/0LAgAgAiAIQQNsaiAQ/QsCEAuzAQEFeyADBHsgA/0AAgAF/QwAAAAAAAAAAAAAAAAAAAAACyELIAshCSADBHsgA/0AAhAF/QwAAAAAAAAAAAAAAAAAAAAACyEMIAwhCgJAA0AgBEUNASAB/QACACELIAH9AAIQIQwgACoCAP0TIQ0gCSANIAv95gH95AEhCSAKIA0gDP3mAf3kASEKIAAgBmohACABIAdqIQEgBEEBayEEDAALCyACIAn9CwIAIAIgCv0LAhAL/gEBBnsgAwR7IAP9AAIABf0MAAAAAAAAAAAAAAAAAAAAAAshDSANIQkgDSEKIA0hCyANIQwCQANAIARFDQEgAf0AAgAhDSAAKgIA/RMhDiAJIA4gDf3mAf3kASEJIAAgBUEBbGoqAgD9EyEOIAogDiAN/eYB/eQBIQogACAFQQJsaioCAP0TIQ4gCyAOIA395gH95AEhCyAAIAVBA2xqKgIA/RMhDiAMIA4gDf3mAf3kASEMIAAgBmohACABIAdqIQEgBEEBayEEDAALCyACIAn9CwIAIAIgCEEBbGogCv0LAgAgAiAIQQJsaiAL/QsCACACIAhBA2xqIAz9CwIAC3EBA3sgAwR7IAP9AAIABf0MAAAAAAAAAAAAAAAAAAAAAAshCiAKIQkCQANAIARFDQEgAf0AAgAhCiAAKgIA/RMhCyAJIAsgCv3mAf3kASEJIAAgBmohACABIAdqIQEgBEEBayEEDAALCyACIAn9CwIAC9MBAQZ9IAMEfSADKgIABUMAAAAACyENIA0hCSANIQogDSELIA0hDAJAA0AgBEUNASABKgIAIQ0gACoCACEOIAkgDiANlJIhCSAAIAVBAWxqKgIAIQ4gCiAOIA2UkiEKIAAgBUECbGoqAgAhDiALIA4gDZSSIQsgACAFQQNsaioCACEOIAwgDiANlJIhDCAAIAZqIQAgASAHaiEBIARBAWshBAwACwsgAiAJOAIAIAIgCEEBbGogCjgCACACIAhBAmxqIAs4AgAgAiAIQQNsaiAMOAIAC1sBA30gAwR9IAMqAgAFQwAAAAALIQogCiEJAkADQCAERQ0BIAEqAgAhCiAAKgIAIQsgCSALIAqUkiEJIAAgBmohACABIAdqIQEgBEEBayEEDAALCyACIAk4AgALywQBA38gBkECdCELAkADQCAKQQhqIAZLDQFBACEJAkADQCAJQQRqIARLDQEgACAJIAdsaiABIApBAnRqIAIgCSALbGogCkECdGogAwR/IAMgCkECdGoFQQALIAUgByAIIAsgCxAAIAlBBGohCQwACwsCQANAIAkgBE8NASAAIAkgB2xqIAEgCkECdGogAiAJIAtsaiAKQQJ0aiADBH8gAyAKQQJ0agVBAAsgBSAHIAggCyALEAEgCUEBaiEJDAALCyAKQQhqIQoMAAsLAkADQCAKQQRqIAZLDQFBACEJAkADQCAJQQRqIARLDQEgACAJIAdsaiABIApBAnRqIAIgCSALbGogCkECdGogAwR/IAMgCkECdGoFQQALIAUgByAIIAsgCxACIAlBBGohCQwACwsCQANAIAkgBE8NASAAIAkgB2xqIAEgCkECdGogAiAJIAtsaiAKQQJ0aiADBH8gAyAKQQJ0agVBAAsgBSAHIAggCyALEAMgCUEBaiEJDAALCyAKQQRqIQoMAAsLAkADQCAKQQFqIAZLDQFBACEJAkADQCAJQQRqIARLDQEgACAJIAdsaiABIApBAnRqIAIgCSALbGogCkECdGogAwR/IAMgCkECdGoFQQALIAUgByAIIAsgCxAEIAlBBGohCQwACwsCQANAIAkgBE8NASAAIAkgB2xqIAEgCkECdGogAiAJIAtsaiAKQQJ0aiADBH8gAyAKQQJ0agVBAAsgBSAHIAggCyALEAUgCUEBaiEJDAALCyAKQQFqIQoMAAsLCw==';

/** The product bound to one wasm memory. */
export type WasmGemm = (a: number, b: number, c: number, bias: number, m: number, k: number, n: number, rowStepA: number, kStepA: number) => void;

/**
 * The product on the wasm backend's memory, or `null` where it cannot run (another backend, no wasm SIMD).
 *
 * @example
 * ```ts
 * const gemm = wasmGemmFor(tf.backend());
 * if (gemm) gemm(aView.byteOffset, bView.byteOffset, cView.byteOffset, 0, m, k, n, 4 * k, 4); // C = A·B
 * ```
 */
export function wasmGemmFor(backend: unknown): WasmGemm | null {
  return (wasmExportsOnBackend(backend, GEMM_WASM)?.gemm as WasmGemm | undefined) ?? null;
}
