/**
 * The three local computations of rec-LRA (P2 Alg. 1, Eqs. 2–3) as pure functions of explicit inputs. Each one
 * sees a single layer (or a single error synapse) and nothing else: no autograd tape, no activation derivative, no
 * transposed forward weights. A scheduler can therefore run them in any order the error tree allows, and each
 * layer's intermediates can be freed as soon as its update exists.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '@beyond-backprop/core-linalg';
import type { Activation } from './activation.js';
import { projectToBall } from './update-projection.js';

/** What {@link layerSignal} produces for hidden layer i. */
export interface LayerSignal {
  /** `D_i = Err_parent · E_i`, `[n, d_i]` (P2 Eq. 3's `d_i`). */
  displacement: tf.Tensor2D;
  /** Error neurons `Err_i = Z_i − φ(H_i − β·D_i)`, `[n, d_i]` (P2 Eq. 3 and Alg. 1 line 19). */
  error: tf.Tensor2D;
}

/**
 * Target and error neurons of hidden layer i (P2 Eq. 3): the parent's error neurons are carried through the error
 * synapses `E_i` (`[d_parent, d_i]`) to displace the pre-activation, and φ is re-applied, so the target
 * `φ(H_i − β·D_i)` always lies in the range of φ.
 *
 * Shapes: `parentError [n, d_parent]`, `h [n, d_i]` (pre-activation), `z [n, d_i]` (= φ(h), passed in so it is not
 * recomputed).
 *
 * @example
 * ```ts
 * const { displacement, error } = layerSignal(errOut, h1, z1, e1, 0.1, resolveActivation('f', 'a', 'tanh'));
 * ```
 */
export function layerSignal(parentError: tf.Tensor2D, h: tf.Tensor2D, z: tf.Tensor2D, synapses: tf.Tensor2D, beta: number, phi: Activation): LayerSignal {
  return tf.tidy(() => {
    const displacement = matMul(parentError, synapses);
    const target = phi.apply(tf.sub(h, tf.mul(displacement, beta)));
    return { displacement, error: tf.sub(z, target) as tf.Tensor2D };
  });
}

/** A layer's weight and bias updates (descent directions, to be passed to an optimiser as gradients). */
export interface LayerUpdate {
  /** `ΔW_ℓ`, `[d_{ℓ−1}, d_ℓ]`. */
  weights: tf.Tensor2D;
  /** `Δb_ℓ`, `[d_ℓ]`. */
  bias: tf.Tensor1D;
}

/**
 * Forward-weight update of layer ℓ (P2 Alg. 1 lines 6–7): `ΔW_ℓ = Nm((κ/n)·Z_{ℓ−1}ᵀ·Err_ℓ, c)` and
 * `Δb_ℓ = Nm((κ/n)·1ᵀErr_ℓ, c)`. The gradient of `½κ‖Z_ℓ − Ŷ_ℓ‖²` with the `φ'` factor dropped; at a softmax
 * output with `Err_L = softmax(H_L) − Y` it is exactly the cross-entropy gradient.
 *
 * Shapes: `input [n, d_{ℓ−1}]`, `error [n, d_ℓ]`. `clip = 0` disables the re-projection.
 *
 * @example
 * ```ts
 * const { weights, bias } = layerUpdate(z0, err1, 1, 1.0);
 * ```
 */
export function layerUpdate(input: tf.Tensor2D, error: tf.Tensor2D, kappa: number, clip: number): LayerUpdate {
  return tf.tidy(() => {
    const scale = kappa / input.shape[0];
    return {
      weights: projectToBall(tf.mul(matMul(input, error, true, false), scale), clip) as tf.Tensor2D,
      bias: projectToBall(tf.mul(tf.sum(error, 0), scale), clip) as tf.Tensor1D,
    };
  });
}

/**
 * Error-synapse update `ΔE_i = Nm(−(γ/n)·Err_parentᵀ·D_i, c)` (P2 Alg. 2 lines 27–30 in batch-first form),
 * `[d_parent, d_i]`, the shape of `E_i`. With `rule: 'alg1-literal'` (P2 Alg. 1 line 10, `−γ e_i d_jᵀ`) pass the
 * parent's displacement as `parentSignal` and the child's error neurons as `childSignal`; the result is
 * `−(γ/n)·parentSignalᵀ·childSignal` either way.
 *
 * @example
 * ```ts
 * const dE = synapseUpdate(errOut, d1, 1, 1.0);   // [d_out, d_1]
 * ```
 */
export function synapseUpdate(parentSignal: tf.Tensor2D, childSignal: tf.Tensor2D, gammaE: number, clip: number): tf.Tensor2D {
  return tf.tidy(() => projectToBall(tf.mul(matMul(parentSignal, childSignal, true, false), -gammaE / parentSignal.shape[0]), clip) as tf.Tensor2D);
}
