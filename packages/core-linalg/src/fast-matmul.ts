/**
 * A matrix multiply whose transposes never reach the backend's matMul kernel as flags.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors.js';
import { customOp } from './custom-op.js';
import { checkTensor } from './tensor-checks.js';

/** Product whose forward and backward passes both call matMul without transpose flags. */
const flagFreeMatMul = customOp<[tf.Tensor, tf.Tensor]>((a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      return [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
    },
  };
});

function swapLast(x: tf.Tensor): tf.Tensor {
  const rank = x.rank;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return tf.transpose(x, perm);
}

/**
 * `op(a) · op(b)` for rank-2 tensors (or rank-3 batches of equal size), differentiable, fast on every backend.
 *
 * On the wasm backend a transposed operand is materialised with `tf.transpose` first, in the forward and in the
 * gradient, because the wasm matMul kernel runs 10–30× slower with its transpose flags set. Elsewhere it is
 * `tf.matMul`. (After {@link initBackend} or {@link installWasmKernels} plain `tf.matMul` is fast on wasm too; this
 * helper does not depend on that patch.)
 *
 * @example
 * ```ts
 * const gram = matMul(a, a, true, false);   // AᵀA, [f, f] for a: [n, f]
 * ```
 */
export function matMul<T extends tf.Tensor>(a: T, b: T, transposeA = false, transposeB = false): T {
  checkTensor('matMul', 'a', a, { dtype: 'float32' });
  checkTensor('matMul', 'b', b, { dtype: 'float32' });
  if (a.rank !== b.rank || (a.rank !== 2 && a.rank !== 3)) {
    throw new ShapeError('matMul', 'b', a.rank === 3 ? ['batch', 'k', 'm'] : ['k', 'm'], b.shape, 'a and b must both be rank 2 or both rank 3');
  }
  const ka = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  if (ka !== kb) {
    const expected = transposeB ? [null, ka] : [ka, null];
    throw new ShapeError('matMul', 'b', a.rank === 3 ? [a.shape[0], ...expected] : expected, b.shape, `inner dimension must equal op(a)'s ${ka} columns`);
  }
  if (a.rank === 3 && a.shape[0] !== b.shape[0]) {
    throw new ShapeError('matMul', 'b', [a.shape[0], null, null], b.shape, 'batch sizes must match');
  }
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB) as T;
  return tf.tidy(() => {
    const x = transposeA ? swapLast(a) : a;
    const y = transposeB ? swapLast(b) : b;
    return flagFreeMatMul(x, y) as T;
  });
}
