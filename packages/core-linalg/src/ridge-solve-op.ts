/**
 * `ridgeSolve` as a differentiable TensorFlow.js op: the weights of a layer realised from its targets, with
 * gradients flowing into both the targets and the layer inputs (Fairbank & Samothrakis, eqs. 5–7, 10 and the
 * vector–Jacobian product of Appendix A, eqs. 27–31, in batch-first form).
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteError, InvalidArgumentError } from './errors.js';
import { choleskyUnchecked } from './cholesky.js';
import { customOp } from './custom-op.js';
import { matMul } from './fast-matmul.js';
import type { Matrix } from './matrix.js';
import { checkForm, checkLambda, chooseRidgeForm, ridgeSolveUnchecked, type RidgeForm, type RidgeFormOption } from './ridge-solve.js';
import { checkFiniteValues, checkTensor } from './tensor-checks.js';
import { cholSolveUnchecked } from './triangular-solve.js';

/**
 * Where the arithmetic of a ridge solve runs.
 *
 * - `'float64'`: A and T are read back and every step — Gram, Cholesky, solves and the whole backward pass — runs in
 *   float64 on the CPU. Exact to ~1e-12 relative before the final rounding to float32.
 * - `'mixed'`: the large products (`AᵀA`, `AᵀT`, and the backward `A·Z`, `R·Zᵀ`) run in float32 on the active
 *   backend; only the small Gram matrix is read back, factorised and solved in float64. Much faster for tall A, but
 *   the float32 Gram carries a relative error of about `cond(AᵀA + λI)·1e-7` into W.
 * - `'auto'` (default): `'float64'` while the float64 work (≈ `n·f²/2 + 5·n·f·m` multiply-adds, primal) stays under
 *   {@link RIDGE_FLOAT64_WORK_LIMIT}, otherwise `'mixed'`. See the core-linalg guide for the measurements behind it.
 */
export type RidgePrecision = 'float64' | 'mixed' | 'auto';

/** Options of {@link ridgeSolve}. */
export interface RidgeSolveOptions extends RidgeFormOption {
  /** Default `'auto'`. */
  precision?: RidgePrecision;
}

/**
 * Work (multiply-adds) up to which `precision: 'auto'` keeps a ridge solve entirely in float64 on the CPU: about
 * 20 ms of JavaScript on a 2020s core.
 */
export const RIDGE_FLOAT64_WORK_LIMIT = 2e7;

/** The form and precision {@link ridgeSolve} will use for an `n × f` A and `n × m` T. */
export function ridgeSolvePlan(n: number, f: number, m: number, options: RidgeSolveOptions = {}): { form: RidgeForm; precision: 'float64' | 'mixed' } {
  const form = chooseRidgeForm(n, f, options.form);
  const precision = options.precision ?? 'auto';
  if (precision !== 'auto') return { form, precision };
  const work = form === 'primal' ? (n * f * f) / 2 + 5 * n * f * m : (n * n * f) / 2 + 5 * n * f * m;
  return { form, precision: work <= RIDGE_FLOAT64_WORK_LIMIT ? 'float64' : 'mixed' };
}

/**
 * Ridge least squares `W = argmin_W ‖A·W − T‖²_F + λ‖W‖²_F` as a differentiable op: `A: [n, f]` (one row per
 * example; include a ones column for a bias), `T: [n, m]`, result `W: [f, m]`.
 *
 * Uses the primal normal equations `(AᵀA + λI)W = AᵀT` when `n ≥ f` and the dual (Woodbury) form
 * `W = Aᵀ(AAᵀ + λI)⁻¹T` otherwise (paper eq. 11). One Cholesky factorisation serves forward and backward. The
 * gradient flows into **both** A and T — dropping the A branch is exactly the error the paper attributes to earlier
 * work (§2.5) and breaks sequential cascade untangling.
 *
 * Throws typed errors for non-rank-2 or non-float32 inputs, mismatched rows, NaN/Inf values (checked on the data it
 * reads back) and λ ≤ 0.
 *
 * @example
 * ```ts
 * const w = ridgeSolve(a, t, 1e-3);                                  // [f, m]
 * const [dA, dT] = tf.grads((a, t) => tf.sum(ridgeSolve(a, t, 1e-3)))([a, t]);
 * ```
 */
export function ridgeSolve(a: tf.Tensor2D, t: tf.Tensor2D, lambda: number, options: RidgeSolveOptions = {}): tf.Tensor2D {
  const fn = 'ridgeSolve';
  const dims = {};
  checkTensor(fn, 'A', a, { shape: ['n', 'f'], dtype: 'float32' }, dims);
  checkTensor(fn, 'T', t, { shape: ['n', 'm'], dtype: 'float32' }, dims);
  checkLambda(fn, lambda);
  checkForm(fn, options.form);
  if (options.precision !== undefined && !['float64', 'mixed', 'auto'].includes(options.precision)) {
    throw new InvalidArgumentError(fn, 'precision', "must be 'float64', 'mixed' or 'auto'", options.precision);
  }
  const [n, f] = a.shape;
  const m = t.shape[1];
  const plan = ridgeSolvePlan(n, f, m, options);
  const op = plan.precision === 'float64' ? float64Op(lambda, plan.form) : mixedOp(lambda, plan.form);
  return op(a, t) as tf.Tensor2D;
}

function readMatrix(x: tf.Tensor, argument: string): Matrix {
  const values = x.dataSync();
  checkFiniteValues('ridgeSolve', argument, values, x.shape);
  return { rows: x.shape[0]!, cols: x.shape[1]!, data: Float64Array.from(values) };
}

function upload(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], 'float32');
}

/** Everything in float64 on the CPU; the VJP closure keeps the factor and the float64 copies of A and T. */
function float64Op(lambda: number, form: RidgeForm) {
  return customOp<[tf.Tensor, tf.Tensor]>((a, t) => {
    const sol = ridgeSolveUnchecked(readMatrix(a, 'A'), readMatrix(t, 'T'), lambda, form);
    return {
      value: upload(sol.w),
      gradFunc: (dy) => {
        const { dA, dT } = sol.vjp(readMatrix(dy, 'dW'));
        return [upload(dA), upload(dT)];
      },
    };
  });
}

/**
 * Float32 products on the backend, float64 factorisation on the CPU. Only f×f (primal) or n×n (dual) Gram data, and
 * f×m or n×m right-hand sides, cross between the two.
 */
function mixedOp(lambda: number, form: RidgeForm) {
  return customOp<[tf.Tensor, tf.Tensor]>((a, t, save) => {
    const A = a as tf.Tensor2D;
    const T = t as tf.Tensor2D;
    if (form === 'primal') {
      const [gramValues, rhsValues] = readBoth(() => [matMul(A, A, true, false), matMul(A, T, true, false)]);
      const f = A.shape[1];
      const m = T.shape[1];
      const k = symmetricWithShift(gramValues, f, lambda);
      finiteOrThrow(k.data, 'A', 'AᵀA');
      const rhs: Matrix = { rows: f, cols: m, data: Float64Array.from(rhsValues) };
      finiteOrThrow(rhs.data, 'T', 'AᵀT');
      const factor = choleskyUnchecked(k, 'ridgeSolve', 'AᵀA + λI');
      const w = upload(cholSolveUnchecked(factor, rhs));
      save([A, T, w]);
      return {
        value: w,
        gradFunc: (dy, saved) => {
          const [sa, st, sw] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const z = upload(cholSolveUnchecked(factor, readMatrix(dy, 'dW')));
          const dT = matMul(sa, z);
          const r = tf.sub(st, matMul(sa, sw));
          const dA = tf.sub(matMul(r, z, false, true), matMul(dT, sw, false, true));
          return [dA, dT];
        },
      };
    }
    const n = A.shape[0];
    const m = T.shape[1];
    const [gramValues] = readBoth(() => [matMul(A, A, false, true)]);
    const mm = symmetricWithShift(gramValues, n, lambda);
    finiteOrThrow(mm.data, 'A', 'AAᵀ');
    const factor = choleskyUnchecked(mm, 'ridgeSolve', 'AAᵀ + λI');
    const p = upload(cholSolveUnchecked(factor, readMatrix(T, 'T')));
    const w = matMul(A, p, true, false);
    save([A, p, w]);
    return {
      value: w,
      gradFunc: (dy, saved) => {
        const [sa, sp, sw] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        const [agValues] = readBoth(() => [matMul(sa, g)]);
        const q = upload(cholSolveUnchecked(factor, { rows: n, cols: m, data: Float64Array.from(agValues) }));
        const inner = tf.sub(g, matMul(sa, q, true, false));
        const dA = tf.sub(matMul(sp, inner, false, true), matMul(q, sw, false, true));
        return [dA, q];
      },
    };
  });
}

function readBoth(make: () => tf.Tensor[]): Array<tf.backend_util.TypedArray> {
  const tensors = tf.tidy(make);
  try {
    return tensors.map((x) => x.dataSync() as tf.backend_util.TypedArray);
  } finally {
    tf.dispose(tensors);
  }
}

/** Float32 Gram → float64, symmetrised (the two triangles of a float32 product can differ by rounding), plus λI. */
function symmetricWithShift(values: ArrayLike<number>, size: number, shift: number): Matrix {
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (values[i * size + j] + values[j * size + i]);
      out[i * size + j] = v;
      out[j * size + i] = v;
    }
    out[i * size + i] = values[i * size + i] + shift;
  }
  return { rows: size, cols: size, data: out };
}

function finiteOrThrow(values: Float64Array, argument: string, product: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) throw new NonFiniteError('ridgeSolve', argument, -1, v, undefined, product);
  }
}
