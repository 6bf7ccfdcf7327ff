/**
 * The output-head abstraction shared by every head: an output activation `Y = f(Z)`, the loss it minimises, and the
 * gradient with respect to the logits, which for every canonical pair is `∂L/∂Z = Y − T` (thesis §4.3, after
 * Bishop). Each head offers the two routes of §4.6/§4.8: autodiff through the derived loss, and the closed-form delta
 * imposed with `tf.customGrad`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, checkTensor } from '@beyond-backprop/core-linalg';
import { HeadOverflowError } from './errors.js';
import { checkReduction, type HeadName, type HeadParams, type LossOptions, type Reduction, type TargetFormat } from './head-options.js';
import { reduceElementLoss, rowScale } from './reduction.js';
import { encodeTargets, prepareTargets, type Labels } from './targets.js';

/** A loss as `model.compile({ loss })` and `optimizer.minimize` take it: `(yTrue, yPred) → scalar`. */
export type HeadLossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/**
 * The math of one head, element-wise on `[n, k]` tensors (internal; heads are built by the exported factories).
 */
export interface HeadKernel {
  /** `Y = f(Z)`, differentiable. */
  output(z: tf.Tensor): tf.Tensor;
  /**
   * Per-element loss `ℓ(Z, T)` whose sum over a row is the row's loss, written with tf ops that autodiff exactly and
   * stably; `null` when the head has no known antiderivative (then only the manual route exists).
   */
  elementLoss: ((z: tf.Tensor2D, t: tf.Tensor2D) => tf.Tensor) | null;
  /** Closed-form `∂(row loss)/∂Z`, from the output: `Y − T` for every canonical pair. */
  deltaFromOutput(y: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor;
  /** `Z` recovered from `Y`, for loss values on head outputs; saturated outputs map to finite logits. */
  inverse: ((y: tf.Tensor2D) => tf.Tensor) | null;
  /** The logit at which the element gradient vanishes for target `t` (±Infinity: only in the limit; NaN: never). */
  stationaryPoint: ((t: number) => number) | null;
}

/**
 * An output head: output activation, loss, closed-form gradient and decoding, for logits `Z: [n, k]` from a linear
 * last layer (rank > 2 logits such as `[n, h, w, k]` are treated as rows of their last axis).
 *
 * `y` everywhere is either int32 class labels (`[n]`, `-1` = not scored), or a float32 `[n, k]` read as one-hot rows
 * (default) or as the thesis' targets `T` (`yFormat: 'targets'`).
 *
 * @example
 * ```ts
 * const head = expGA({ alpha: 0.1, targets: { neg: 0, pos: 16 } });
 * const z = tf.tensor2d([[1, -2, 0.5]]);
 * head.loss(tf.tensor1d([1], 'int32'), z, { reduction: 'sum' });   // 69.2916
 * head.grad(tf.tensor1d([1], 'int32'), z, { reduction: 'sum' });   // [[0.2718, −15.9865, 0.1649]] = Y − T
 * model.compile({ optimizer: 'adam', loss: head.lossFn() });         // y: one-hot rows
 * ```
 */
export interface OutputHead {
  /** The head's name: a {@link HeadName} for the built-in heads. */
  readonly name: string;
  /** The built-in head this is (serialisable as an {@link OutputHeadLayer}), or `null` for a {@link canonicalHead}. */
  readonly builtin: HeadName | null;
  /** Resolved hyperparameters. */
  readonly params: Readonly<HeadParams>;
  /** Whether the autodiff route exists (the head has a loss, not only a delta). */
  readonly hasLoss: boolean;
  /** The head output `Y = f(Z)` (caller disposes). */
  output(logits: tf.Tensor): tf.Tensor;
  /** The reduced loss `L` (a scalar; differentiable with respect to `logits`). */
  loss(y: tf.Tensor | Labels, logits: tf.Tensor, options?: LossOptions): tf.Scalar;
  /** The closed-form gradient `∂L/∂Z`: the scaled, weighted `Y − T` (shape of `logits`). */
  grad(y: tf.Tensor | Labels, logits: tf.Tensor, options?: LossOptions): tf.Tensor;
  /** The unreduced, unweighted output deltas `Y − T` (thesis Fig. 4.2's histograms), shape of `logits`. */
  delta(y: tf.Tensor | Labels, logits: tf.Tensor, options?: Pick<LossOptions, 'yFormat' | 'input'>): tf.Tensor;
  /** The loss as a `(yTrue, yPred) → scalar` closure for `model.compile({ loss })` and custom loops. */
  lossFn(options?: Omit<LossOptions, 'weights'>): HeadLossFunction;
  /** `T: [n, k]` for labels with this head's target values. */
  encodeTargets(labels: Labels, numClasses: number): tf.Tensor2D;
  /** The logit where the per-element gradient vanishes for target `t` (e.g. `ln(t/α)` for exp-GA); NaN if none. */
  stationaryPoint(t: number): number;
}

/** Assembles an {@link OutputHead} from its math (internal). */
export function createOutputHead(name: string, builtin: HeadName | null, params: HeadParams, kernel: HeadKernel): OutputHead {
  const p = Object.freeze({ ...params, targets: Object.freeze({ ...params.targets }) });

  const evaluate = (what: 'loss' | 'grad' | 'delta', y: unknown, logits: tf.Tensor, options: LossOptions, checkLabels: boolean): tf.Tensor => {
    const fn = `${name}.${what}`;
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(fn, 'options', 'must be an object', options);
    checkTensor(fn, 'logits', logits, { dtype: 'float32' });
    if (logits.rank < 2) throw new ShapeError(fn, 'logits', ['n', 'k'], logits.shape, 'rank ≥ 2 with classes on the last axis');
    const reduction: Reduction = what === 'delta' ? 'sum' : (options.reduction ?? p.reduction);
    checkReduction(fn, 'options.reduction', reduction);
    const path = options.path ?? 'autodiff';
    if (path !== 'autodiff' && path !== 'manual') throw new InvalidArgumentError(fn, 'options.path', "must be 'autodiff' or 'manual'", path);
    const input = options.input ?? 'logits';
    if (input !== 'logits' && input !== 'outputs') throw new InvalidArgumentError(fn, 'options.input', "must be 'logits' or 'outputs'", input);
    if (input === 'outputs' && what === 'loss' && kernel.elementLoss && !kernel.inverse) {
      throw new InvalidArgumentError(fn, 'options.input', `'outputs' needs an inverse of the output function; head '${name}' has none`, input);
    }
    const yFormat: TargetFormat = options.yFormat ?? 'one-hot';
    const k = logits.shape[logits.rank - 1];
    const n = logits.size / k;
    const original = logits.shape;
    return tf.tidy(() => {
      const z = (logits.rank === 2 ? logits : tf.reshape(logits, [n, k])) as tf.Tensor2D;
      const yRows = flattenY(fn, y, original, n, k);
      const { t, w: mask } = prepareTargets(fn, yRows, n, k, p.targets, yFormat, options.weights, checkLabels);
      const w = mask ?? (tf.ones([n]) as tf.Tensor1D);
      if (p.debug) checkOutputFinite(fn, z, input === 'outputs' ? z : kernel.output(z));
      if (what === 'delta') {
        const out = input === 'outputs' ? z : (kernel.output(z) as tf.Tensor2D);
        return reshapeBack(kernel.deltaFromOutput(out, t) as tf.Tensor2D, original);
      }
      if (what === 'grad') {
        const out = input === 'outputs' ? z : (kernel.output(z) as tf.Tensor2D);
        return reshapeBack(tf.mul(rowScale(w, k, reduction), kernel.deltaFromOutput(out, t)) as tf.Tensor2D, original);
      }
      if (input === 'logits' && path === 'autodiff' && kernel.elementLoss) return reduceElementLoss(kernel.elementLoss(z, t) as tf.Tensor2D, w, reduction);
      return manualLoss(kernel, input, reduction)(z, t, w);
    });
  };

  const head: OutputHead = {
    name,
    builtin,
    params: p,
    hasLoss: kernel.elementLoss !== null,
    output: (logits) => {
      checkTensor(`${name}.output`, 'logits', logits, { dtype: 'float32' });
      return tf.tidy(() => {
        const y = kernel.output(logits);
        // Identity heads would hand back the caller's tensor, which tidy does not track; return a copy they can dispose.
        return y === logits ? tf.clone(y) : y;
      });
    },
    loss: (y, logits, options = {}) => evaluate('loss', y, logits, options, true) as tf.Scalar,
    grad: (y, logits, options = {}) => evaluate('grad', y, logits, options, true),
    delta: (y, logits, options = {}) => evaluate('delta', y, logits, options, true),
    lossFn: (options = {}) => {
      const fixed = { ...options };
      const lossFunction: HeadLossFunction = (yTrue, yPred) => evaluate('loss', yTrue, yPred, fixed, false) as tf.Scalar;
      // tfjs names the loss in its logs after the function.
      Object.defineProperty(lossFunction, 'name', { value: `${name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Loss` });
      return lossFunction;
    },
    encodeTargets: (labels, numClasses) => encodeTargets(labels, numClasses, p.targets),
    stationaryPoint: (t) => (kernel.stationaryPoint ? kernel.stationaryPoint(t) : Number.NaN),
  };
  return Object.freeze(head);
}

/** Brings `y` to rows matching logits flattened to `[n, k]`. */
function flattenY(fn: string, y: unknown, logitsShape: number[], n: number, k: number): unknown {
  if (!(y instanceof tf.Tensor)) return y;
  const lead = logitsShape.slice(0, -1);
  if (y.dtype === 'int32' && y.rank === logitsShape.length) {
    // Integer one-hot rows (tfjs keeps the dtype of what was passed to fit).
    if (!sameShape(y.shape, logitsShape)) throw new ShapeError(fn, 'y', logitsShape, y.shape, 'one-hot rows matching the logits');
    return tf.reshape(y.toFloat(), [n, k]);
  }
  if (logitsShape.length === 2) return y;
  if (y.dtype === 'int32') {
    if (!sameShape(y.shape, lead)) throw new ShapeError(fn, 'y', lead, y.shape, 'one label per row of the logits');
    return tf.reshape(y, [n]);
  }
  if (!sameShape(y.shape, logitsShape)) throw new ShapeError(fn, 'y', logitsShape, y.shape, 'targets matching the logits');
  return tf.reshape(y, [n, k]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function reshapeBack(g: tf.Tensor2D, shape: number[]): tf.Tensor {
  return shape.length === 2 ? g : tf.reshape(g, shape);
}

/**
 * The manual route as a `tf.customGrad` op of `(a, T, w)`, `a` being the logits or (`input: 'outputs'`) the head
 * outputs: the loss value of the head (or ½‖Y − T‖² when it has none) with the gradient imposed as the scaled `Y − T`.
 */
function manualLoss(kernel: HeadKernel, input: 'logits' | 'outputs', reduction: Reduction): (a: tf.Tensor2D, t: tf.Tensor2D, w: tf.Tensor1D) => tf.Scalar {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [a, t, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([a, t, w]);
    const out = input === 'outputs' ? a : (kernel.output(a) as tf.Tensor2D);
    let element: tf.Tensor2D;
    if (kernel.elementLoss) element = kernel.elementLoss(input === 'outputs' ? (kernel.inverse!(a) as tf.Tensor2D) : a, t) as tf.Tensor2D;
    else element = tf.mul(0.5, tf.squaredDifference(out, t)) as tf.Tensor2D; // monitoring value only (the canonical gradient is imposed)
    const value = reduceElementLoss(element, w, reduction);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, st, sw] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const y = input === 'outputs' ? sa : (kernel.output(sa) as tf.Tensor2D);
        const g = tf.mul(dy, tf.mul(rowScale(sw, sa.shape[1], reduction), kernel.deltaFromOutput(y, st)));
        return [g, tf.zerosLike(st), tf.zerosLike(sw)];
      },
    };
  }) as (a: tf.Tensor2D, t: tf.Tensor2D, w: tf.Tensor1D) => tf.Scalar;
}

function checkOutputFinite(fn: string, z: tf.Tensor2D, y: tf.Tensor): void {
  const values = y.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) {
      const k = z.shape[1];
      throw new HeadOverflowError(fn, Math.floor(i / k), i % k, z.dataSync()[i], v);
    }
  }
}
