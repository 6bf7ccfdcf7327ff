/**
 * The hyperparameters of an output head (α, β, target values, reduction, overflow guard) and the per-call options of
 * its loss, with the defaults of docs/guides/gradient-amp.md and their validation.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/** Names of the built-in heads (thesis §4.2–4.8, Table 4.1). */
export type HeadName = 'softmax-ce' | 'linear-mse' | 'sigmoid' | 'tanh' | 'exp-ga' | 'pow3-ga';

/** Every built-in head name, in the order of the thesis' tables. */
export const HEAD_NAMES: readonly HeadName[] = ['softmax-ce', 'exp-ga', 'pow3-ga', 'linear-mse', 'sigmoid', 'tanh'];

/**
 * How the summed per-example losses become one number (the thesis never states it). It scales the gradient and therefore
 * the effective learning rate:
 *
 * - `'sum'`: the thesis' `Σ_m Σ_k` — gradient `Y − T`;
 * - `'mean'`: sum over classes, mean over (scored) rows, like `tf.losses.softmaxCrossEntropy` — gradient `(Y − T)/n`;
 * - `'meanAll'`: mean over all `n·k` entries, like `tf.losses.meanSquaredError` — gradient `(Y − T)/(n·k)`.
 */
export type Reduction = 'sum' | 'mean' | 'meanAll';

/**
 * The target values "Tval" `{t_neg, t_pos}` of the thesis' tables: `T_ij = pos` for the labelled class, `neg` for
 * every other class. `pos` must exceed `neg`.
 */
export interface TargetValues {
  neg: number;
  pos: number;
}

/** Hyperparameters of a head. Unset fields take the head's defaults (docs/guides/gradient-amp.md). */
export interface HeadOptions {
  /** Output scale α > 0 of exp-GA (`Y = α·e^Z`, default 0.1) and pow3-GA (`Y = α·Z³ + β`, default 0.001). */
  alpha?: number;
  /** Offset β ≥ 0 of pow3-GA (default 0). */
  beta?: number;
  /** Target values; defaults: softmax {0, 1}, exp-GA {0, 2}, pow3-GA {−1, 1}, linear {−1, 1}, sigmoid and tanh {0, 1}. */
  targets?: TargetValues;
  /** Default reduction of the head's losses. Default `'mean'`. */
  reduction?: Reduction;
  /**
   * exp-GA only: above this logit the exponential is continued by its tangent, so `Y = α·e^{min(Z, maxLogit)}` and
   * the loss stays finite and convex with a gradient that still points down (a hard clamp would zero it). Default
   * `Infinity`: the thesis' formula exactly (§4.5–4.6 have no cap; float32 `e^Z` overflows at Z ≈ 88.7). A finite
   * cap (50 is safe in float32) changes nothing below it.
   */
  maxLogit?: number;
  /** exp-GA only: drop the constant `−T·ln α` from the loss value (the gradient is unchanged). Default `false`. */
  dropConstant?: boolean;
  /** softmax-ce only: allow targets other than {0, 1}; the gradient is then `rowSum(T)·Y − T`. */
  allowNonOneHot?: boolean;
  /**
   * Check every head output for NaN/±Infinity and throw {@link HeadOverflowError} naming the first bad logit. Costs a
   * read-back per call. Default `false`.
   */
  debug?: boolean;
}

/** The fully resolved hyperparameters of a head. */
export interface HeadParams {
  alpha: number;
  beta: number;
  targets: TargetValues;
  reduction: Reduction;
  maxLogit: number;
  dropConstant: boolean;
  allowNonOneHot: boolean;
  debug: boolean;
}

/** What float `y` tensors given to a loss hold. */
export type TargetFormat = 'one-hot' | 'targets';

/** Options of one loss or gradient evaluation. */
export interface LossOptions {
  /** Overrides the head's reduction. */
  reduction?: Reduction;
  /**
   * Per-row weights `[n]` (0 = ignore the row). Multiplied with the mask that unscored labels (−1) or all-zero one-hot
   * rows produce; `'mean'` divides by the sum of the weights (the number of scored rows).
   */
  weights?: Tensor | Float32Array;
  /**
   * How to read a float `y: [n, k]`: `'one-hot'` (default) — class indicator rows as tfjs' `categoricalCrossentropy`
   * expects, re-encoded to the head's target values, an all-zero row is not scored; `'targets'` — the thesis' `T`
   * itself (e.g. rows of `{0, 16}`). Int32 `y: [n]` are always class labels, `-1` meaning "not scored".
   */
  yFormat?: TargetFormat;
  /**
   * `'autodiff'` (default): differentiate the derived loss (§4.6, §4.8: "with automatic differentiation, minimise
   * this loss"). `'manual'`: the same loss value, with the gradient imposed as the closed form `Y − T` through
   * `tf.customGrad` (the thesis' manual-gradient route).
   */
  path?: 'autodiff' | 'manual';
  /**
   * What `logits` holds: `'logits'` (default) — the pre-activation `Z` of a linear last layer; `'outputs'` — the head
   * output `Y = f(Z)` of an {@link OutputHeadLayer}, whose straight-through backward then receives `Y − T` (§4.5:
   * "keep computing the error gradients as y − t").
   */
  input?: 'logits' | 'outputs';
}

/** Defaults of the built-in heads (listed in docs/guides/gradient-amp.md). */
export const HEAD_DEFAULTS: Readonly<Record<HeadName, Readonly<{ alpha: number; beta: number; targets: TargetValues }>>> = {
  'softmax-ce': { alpha: 1, beta: 0, targets: { neg: 0, pos: 1 } },
  'linear-mse': { alpha: 1, beta: 0, targets: { neg: -1, pos: 1 } },
  sigmoid: { alpha: 1, beta: 0, targets: { neg: 0, pos: 1 } },
  tanh: { alpha: 1, beta: 0, targets: { neg: 0, pos: 1 } },
  'exp-ga': { alpha: 0.1, beta: 0, targets: { neg: 0, pos: 2 } },
  'pow3-ga': { alpha: 0.001, beta: 0, targets: { neg: -1, pos: 1 } },
};

/** Default `maxLogit` of exp-GA: no cap, as in the thesis (§4.5–4.6). */
export const DEFAULT_MAX_LOGIT = Infinity;

const REDUCTIONS: readonly Reduction[] = ['sum', 'mean', 'meanAll'];

/** Throws unless `reduction` is a known reduction. */
export function checkReduction(fn: string, argument: string, reduction: unknown): asserts reduction is Reduction {
  if (!REDUCTIONS.includes(reduction as Reduction)) throw new InvalidArgumentError(fn, argument, "must be 'sum', 'mean' or 'meanAll'", reduction);
}

/** Validates `options` for `head` and fills in the defaults. */
export function resolveHeadOptions(
  fn: string,
  head: HeadName | 'custom',
  options: HeadOptions = {},
  base: { alpha: number; beta: number; targets: TargetValues } = HEAD_DEFAULTS['linear-mse'],
): HeadParams {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(fn, 'options', 'must be an object', options);
  const defaults = head === 'custom' ? base : HEAD_DEFAULTS[head];
  const alpha = options.alpha ?? defaults.alpha;
  checkNumber(fn, 'options.alpha', alpha, { min: 0, exclusiveMin: true });
  const beta = options.beta ?? defaults.beta;
  checkNumber(fn, 'options.beta', beta, { min: 0 });
  const targets = options.targets ?? defaults.targets;
  if (targets === null || typeof targets !== 'object') throw new InvalidArgumentError(fn, 'options.targets', 'must be an object {neg, pos}', targets);
  checkNumber(fn, 'options.targets.neg', targets.neg);
  checkNumber(fn, 'options.targets.pos', targets.pos);
  if (!(targets.pos > targets.neg)) throw new InvalidArgumentError(fn, 'options.targets.pos', `must be greater than targets.neg = ${targets.neg}`, targets.pos);
  const reduction = options.reduction ?? 'mean';
  checkReduction(fn, 'options.reduction', reduction);
  const maxLogit = options.maxLogit ?? DEFAULT_MAX_LOGIT;
  if (typeof maxLogit !== 'number' || Number.isNaN(maxLogit) || maxLogit === -Infinity) {
    throw new InvalidArgumentError(fn, 'options.maxLogit', 'must be a number or Infinity', maxLogit);
  }
  const allowNonOneHot = options.allowNonOneHot ?? false;
  if (head === 'softmax-ce' && !allowNonOneHot && (targets.neg !== 0 || targets.pos !== 1)) {
    throw new InvalidArgumentError(
      fn,
      'options.targets',
      'must be {neg: 0, pos: 1} for softmax (set allowNonOneHot to use others; the gradient becomes rowSum(T)·Y − T)',
      `{neg: ${targets.neg}, pos: ${targets.pos}}`,
    );
  }
  // The matching losses of the squashing heads are bounded below only for targets inside the output range.
  if (head === 'sigmoid' && (targets.neg < 0 || targets.pos > 1)) {
    throw new InvalidArgumentError(fn, 'options.targets', 'must lie in [0, 1] for the sigmoid head', `{neg: ${targets.neg}, pos: ${targets.pos}}`);
  }
  if (head === 'tanh' && (targets.neg < -1 || targets.pos > 1)) {
    throw new InvalidArgumentError(fn, 'options.targets', 'must lie in [−1, 1] for the tanh head', `{neg: ${targets.neg}, pos: ${targets.pos}}`);
  }
  return {
    alpha,
    beta,
    targets: { neg: targets.neg, pos: targets.pos },
    reduction,
    maxLogit,
    dropConstant: options.dropConstant ?? false,
    allowNonOneHot,
    debug: options.debug ?? false,
  };
}
