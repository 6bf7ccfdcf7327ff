/**
 * Differentiable pseudo-inverse and least squares for TensorFlow.js, computed in float64 on the CPU.
 */
import type * as tf from '@tensorflow/tfjs';
import { customOp } from './custom-op.js';
import { matmulF64, transpose, type Matrix } from './matrix.js';
import { pinvFromSvd, pinvVjp, singularCutoff, type RankCutoff } from './pseudo-inverse.js';
import { svdUnchecked } from './svd.js';
import { fromMatrix, toMatrix } from './tensor-bridge.js';
import { checkTensor } from './tensor-checks.js';

function pinvWithRank(fn: string, a: Matrix, options: RankCutoff): Matrix {
  const f = svdUnchecked(a);
  return pinvFromSvd(f, singularCutoff(fn, f.s, a.rows, a.cols, options)).pinv;
}

/**
 * Moore–Penrose pseudo-inverse of `A: [m, n]` as a differentiable op (result `[n, m]`). Singular values at or below
 * `max(atol, rcond·σ_max)` are dropped (default `rcond = max(m, n)·ε`). The gradient is the constant-rank formula of
 * Golub & Pereyra; it is exact wherever the numerical rank does not change under a small perturbation, which holds
 * for full-rank A and for exactly rank-deficient A whose dropped singular values are far below the cutoff.
 *
 * Runs in float64 on the CPU (values are read back): meant for the moderate sizes of closed-form layer fits.
 *
 * @example
 * ```ts
 * const ap = pinv(a);                            // [n, m]
 * const w = tf.matMul(pinv(hidden), targets);    // a Platonic-projection layer fit
 * ```
 */
export function pinv(a: tf.Tensor2D, options: RankCutoff = {}): tf.Tensor2D {
  checkTensor('pinv', 'A', a, { shape: ['m', 'n'], dtype: 'float32' });
  const op = customOp<[tf.Tensor]>((x) => {
    const am = toMatrix(x, { fn: 'pinv', argument: 'A' });
    const p = pinvWithRank('pinv', am, options);
    return {
      value: fromMatrix(p),
      gradFunc: (dy) => fromMatrix(pinvVjp(am, p, toMatrix(dy, { fn: 'pinv', argument: 'dy' }))),
    };
  });
  return op(a) as tf.Tensor2D;
}

/**
 * Minimum-norm least squares `X = A⁺·B` for `A: [m, n]`, `B: [m, k]` (result `[n, k]`), differentiable with respect
 * to both A and B, in float64 on the CPU. Rank-deficient A is handled by the same cutoff as {@link pinv}. For a
 * well-posed problem with a ridge term prefer {@link ridgeSolve}, which never forms A⁺.
 *
 * @example
 * ```ts
 * const x = lstsq(a, b);
 * ```
 */
export function lstsq(a: tf.Tensor2D, b: tf.Tensor2D, options: RankCutoff = {}): tf.Tensor2D {
  const dims = {};
  checkTensor('lstsq', 'A', a, { shape: ['m', 'n'], dtype: 'float32' }, dims);
  checkTensor('lstsq', 'B', b, { shape: ['m', 'k'], dtype: 'float32' }, dims);
  const op = customOp<[tf.Tensor, tf.Tensor]>((x, y) => {
    const am = toMatrix(x, { fn: 'lstsq', argument: 'A' });
    const bm = toMatrix(y, { fn: 'lstsq', argument: 'B' });
    const p = pinvWithRank('lstsq', am, options);
    return {
      value: fromMatrix(matmulF64(p, bm)),
      gradFunc: (dy) => {
        const g = toMatrix(dy, { fn: 'lstsq', argument: 'dy' });
        // X = P·B: ∂L/∂B = Pᵀ·G, and ∂L/∂P = G·Bᵀ fed through the pseudo-inverse VJP.
        const dB = matmulF64(transpose(p), g);
        const dA = pinvVjp(am, p, matmulF64(g, bm, { transposeB: true }));
        return [fromMatrix(dA), fromMatrix(dB)];
      },
    };
  });
  return op(a, b) as tf.Tensor2D;
}
