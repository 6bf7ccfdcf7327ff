/**
 * Finite-difference gradient checking: every differentiable op in beyond-backprop is tested with this.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import { checkMatrix, type Matrix } from './matrix.js';
import { createRng } from './random.js';

/** Options shared by both forms of {@link gradCheck}. */
export interface GradCheckOptions {
  /**
   * Relative step: coordinate i is perturbed by `h·max(1, |x_i|)`. Default `1e-6` when the function is evaluated in
   * float64, `1e-2` when a float32 tfjs function is differenced without a float64 reference.
   */
  h?: number;
  /** Central-difference stencil order: 2 (`[f(x+h) − f(x−h)]/2h`) or 4. Default 2. */
  order?: 2 | 4;
  /** `passed` is `maxRelativeError ≤ tolerance`. Default `1e-6` (float64) or `1e-2` (float32 differencing). */
  tolerance?: number;
  /** Check at most this many coordinates per input, drawn with `seed`. Default: all. */
  maxEntries?: number;
  /** Seed for the coordinate sample. Default 0. */
  seed?: number;
}

/** Per-input comparison. */
export interface GradCheckInputReport {
  /** `max |analytic − numeric| / max(max|numeric|, max|analytic|)` over the checked coordinates. */
  relativeError: number;
  /** `max |analytic − numeric|`. */
  maxAbsError: number;
  /** Flat index of the worst coordinate. */
  worstIndex: number;
  /** Flat indices that were checked. */
  indices: number[];
  /** Numeric derivatives at `indices`. */
  numeric: Float64Array;
  /** Analytic derivatives at `indices`. */
  analytic: Float64Array;
}

/** Result of {@link gradCheck}. */
export interface GradCheckResult {
  /** Whether `maxRelativeError ≤ tolerance`. */
  passed: boolean;
  /** Worst relative error over all inputs. */
  maxRelativeError: number;
  /** The tolerance that was applied. */
  tolerance: number;
  inputs: GradCheckInputReport[];
}

/** Float64 form: a scalar function of matrices and its claimed gradient. */
export interface GradCheckF64Options extends GradCheckOptions {
  /** Analytic gradient: one matrix per input, same shapes. */
  gradient: (...inputs: Matrix[]) => Matrix[];
}

/** TensorFlow.js form: gradients come from `tf.grads`; differences from `reference` (float64) or from `f` itself. */
export interface GradCheckTensorOptions extends GradCheckOptions {
  /**
   * The same function written in float64 over the flat row-major values of each input. When given, the numeric
   * derivatives are taken from it (accurate to ~1e-9) and only the float32 rounding of tf.grads is measured.
   */
  reference?: (...inputs: Float64Array[]) => number;
}

/**
 * Compares an analytic gradient with central finite differences.
 *
 * **Float64 form** — `f` maps {@link Matrix} inputs to a number, `options.gradient` returns the claimed gradient. This
 * is the precise check (relative errors around 1e-9 for a correct gradient) used for every float64 kernel and
 * reference pipeline.
 *
 * **Tensor form** — `f` maps tfjs tensors to a scalar tensor; the analytic gradient is `tf.grads(f)` (float32). With
 * `options.reference` (a float64 twin of `f`) the numeric side is float64; without it `f` is differenced in float32
 * with a large step, good to ~1e-2.
 *
 * @example
 * ```ts
 * // float64: ⟨G, W(A, T)⟩ for the ridge solve
 * const r = gradCheck((a, t) => dot(g, ridgeSolveF64(a, t, 0.1).w), [a, t],
 *                     { gradient: (a, t) => { const { dA, dT } = ridgeSolveF64(a, t, 0.1).vjp(g); return [dA, dT]; } });
 * r.passed;   // true; r.maxRelativeError ≈ 1e-9
 *
 * // tensors
 * gradCheck((x) => tf.sum(tf.tanh(x)), [tf.tensor2d([[0.1, 0.2]])]);
 * ```
 */
export function gradCheck(f: (...inputs: Matrix[]) => number, inputs: Matrix[], options: GradCheckF64Options): GradCheckResult;
export function gradCheck(f: (...inputs: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[], options?: GradCheckTensorOptions): GradCheckResult;
export function gradCheck(
  f: ((...inputs: Matrix[]) => number) | ((...inputs: tf.Tensor[]) => tf.Scalar),
  inputs: Matrix[] | tf.Tensor[],
  options: GradCheckF64Options | GradCheckTensorOptions = {},
): GradCheckResult {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new InvalidArgumentError('gradCheck', 'inputs', 'must be a non-empty array', inputs);
  if (typeof f !== 'function') throw new InvalidArgumentError('gradCheck', 'f', 'must be a function', f);
  const order = options.order ?? 2;
  if (order !== 2 && order !== 4) throw new InvalidArgumentError('gradCheck', 'order', 'must be 2 or 4', order);
  if (inputs[0] instanceof tf.Tensor)
    return checkTensors(f as (...x: tf.Tensor[]) => tf.Scalar, inputs as tf.Tensor[], options as GradCheckTensorOptions, order);
  const opts = options as GradCheckF64Options;
  if (typeof opts.gradient !== 'function') {
    throw new InvalidArgumentError('gradCheck', 'options.gradient', 'is required for float64 (Matrix) inputs', opts.gradient);
  }
  const mats = inputs as Matrix[];
  mats.forEach((m, i) => checkMatrix('gradCheck', `inputs[${i}]`, m));
  const analytic = opts.gradient(...mats);
  if (!Array.isArray(analytic) || analytic.length !== mats.length) {
    throw new InvalidArgumentError('gradCheck', 'options.gradient', `must return ${mats.length} matrices`, analytic);
  }
  analytic.forEach((g, i) => {
    checkMatrix('gradCheck', `gradient[${i}]`, g, { finite: false });
    if (g.rows !== mats[i].rows || g.cols !== mats[i].cols) {
      throw new InvalidArgumentError('gradCheck', `gradient[${i}]`, `must have shape [${mats[i].rows}, ${mats[i].cols}]`, `[${g.rows}, ${g.cols}]`);
    }
  });
  const values = mats.map((m) => m.data.slice());
  const evaluate = (xs: Float64Array[]) => (f as (...x: Matrix[]) => number)(...xs.map((d, i) => ({ rows: mats[i].rows, cols: mats[i].cols, data: d })));
  return compare(
    evaluate,
    values,
    analytic.map((g) => g.data),
    options.h ?? 1e-6,
    order,
    options.tolerance ?? 1e-6,
    options,
  );
}

function checkTensors(f: (...x: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[], options: GradCheckTensorOptions, order: 2 | 4): GradCheckResult {
  const grads = tf.grads(f)(inputs);
  const analytic = grads.map((g) => Float64Array.from(g.dataSync()));
  tf.dispose(grads);
  const values = inputs.map((t) => Float64Array.from(t.dataSync()));
  if (options.reference) {
    const ref = options.reference;
    return compare((xs) => ref(...xs), values, analytic, options.h ?? 1e-6, order, options.tolerance ?? 1e-3, options);
  }
  const evaluate = (xs: Float64Array[]) =>
    tf.tidy(() => {
      const ts = xs.map((d, i) => tf.tensor(Float32Array.from(d), inputs[i].shape, 'float32'));
      return f(...ts).dataSync()[0];
    });
  return compare(evaluate, values, analytic, options.h ?? 1e-2, order, options.tolerance ?? 1e-2, options);
}

function compare(
  evaluate: (xs: Float64Array[]) => number,
  values: Float64Array[],
  analytic: Float64Array[],
  h: number,
  order: 2 | 4,
  tolerance: number,
  options: GradCheckOptions,
): GradCheckResult {
  if (!(h > 0) || !Number.isFinite(h)) throw new InvalidArgumentError('gradCheck', 'h', 'must be a finite number > 0', h);
  const rng = createRng(options.seed ?? 0);
  const reports: GradCheckInputReport[] = values.map((x, k) => {
    let indices = Array.from({ length: x.length }, (_, i) => i);
    if (options.maxEntries !== undefined && options.maxEntries < x.length)
      indices = rng
        .shuffle(indices)
        .slice(0, options.maxEntries)
        .sort((p, q) => p - q);
    const numeric = new Float64Array(indices.length);
    const an = new Float64Array(indices.length);
    indices.forEach((idx, j) => {
      const x0 = x[idx];
      const step = h * Math.max(1, Math.abs(x0));
      const at = (delta: number) => {
        x[idx] = x0 + delta;
        const v = evaluate(values);
        x[idx] = x0;
        return v;
      };
      numeric[j] = order === 2 ? (at(step) - at(-step)) / (2 * step) : (-at(2 * step) + 8 * at(step) - 8 * at(-step) + at(-2 * step)) / (12 * step);
      an[j] = analytic[k][idx];
    });
    let maxAbs = 0;
    let worst = indices[0] ?? -1;
    let scaleN = 0;
    let scaleA = 0;
    for (let j = 0; j < indices.length; j++) {
      const d = Math.abs(an[j] - numeric[j]);
      if (!(d <= maxAbs)) {
        maxAbs = d;
        worst = indices[j];
      }
      scaleN = Math.max(scaleN, Math.abs(numeric[j]));
      scaleA = Math.max(scaleA, Math.abs(an[j]));
    }
    const denom = Math.max(scaleN, scaleA);
    const relativeError = denom === 0 ? (maxAbs === 0 ? 0 : Infinity) : maxAbs / denom;
    return { relativeError: Number.isNaN(relativeError) ? Infinity : relativeError, maxAbsError: maxAbs, worstIndex: worst, indices, numeric, analytic: an };
  });
  const maxRelativeError = Math.max(...reports.map((r) => r.relativeError));
  return { passed: maxRelativeError <= tolerance, maxRelativeError, tolerance, inputs: reports };
}
