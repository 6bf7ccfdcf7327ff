/**
 * Argument checks for tensors, producing the typed errors of `errors.ts`. Every package validates its public inputs
 * with these, so messages read the same everywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { DTypeError, InvalidArgumentError, NonFiniteError, ShapeError } from './errors.js';

/**
 * One dimension of an expected shape: a number (exact), a string (a symbol such as `'n'` that must take the same
 * value everywhere it appears in one {@link DimBindings}) or `null` (anything).
 */
export type DimSpec = number | string | null;

/** Symbol values bound while checking several arguments of one call, e.g. `{ n: 194 }`. */
export type DimBindings = Record<string, number>;

/** What {@link checkTensor} asserts. */
export interface TensorSpec {
  /** Expected shape; its length is also the expected rank. */
  shape?: readonly DimSpec[];
  /** Expected rank, when the shape itself is free. */
  rank?: number;
  /** Allowed dtype(s). */
  dtype?: tf.DataType | readonly tf.DataType[];
  /** Download the values and reject NaN/±Infinity. Costs a read-back; default `false`. */
  finite?: boolean;
}

/**
 * Throws a typed error unless `value` is a tensor matching `spec`. Symbolic dimensions are bound in `dims` by the
 * first argument that mentions them, so later arguments are checked against the same value and the message shows
 * it: `ridgeSolve: argument 'T' must have shape [n = 194, m], got [193, 5]`.
 *
 * @example
 * ```ts
 * const dims = {};
 * checkTensor('fit', 'x', x, { shape: ['n', 2], dtype: 'float32' }, dims);
 * checkTensor('fit', 'y', y, { shape: ['n'] }, dims);   // same n as x
 * ```
 */
export function checkTensor(fn: string, argument: string, value: unknown, spec: TensorSpec, dims: DimBindings = {}): void {
  if (!(value instanceof tf.Tensor)) {
    throw new InvalidArgumentError(fn, argument, 'must be a tf.Tensor', value);
  }
  if (value.isDisposed) throw new InvalidArgumentError(fn, argument, 'must not be disposed', 'a disposed tensor');
  if (spec.dtype !== undefined) {
    const allowed = typeof spec.dtype === 'string' ? [spec.dtype] : spec.dtype;
    if (!allowed.includes(value.dtype)) throw new DTypeError(fn, argument, allowed.join(' or '), value.dtype);
  }
  const expectedRank = spec.shape?.length ?? spec.rank;
  if (expectedRank !== undefined && value.rank !== expectedRank) {
    const expected = spec.shape ?? Array.from({ length: expectedRank }, () => null);
    throw new ShapeError(fn, argument, describeDims(expected, dims), value.shape, `rank ${expectedRank} expected, got rank ${value.rank}`);
  }
  if (spec.shape) {
    // Bind first, then compare, so a symbol repeated inside one shape (e.g. ['n', 'n']) is checked too.
    const before = { ...dims };
    spec.shape.forEach((d, i) => {
      const actual = value.shape[i];
      if (d === null) return;
      if (typeof d === 'number') {
        if (actual !== d) throw new ShapeError(fn, argument, describeDims(spec.shape!, before), value.shape);
        return;
      }
      if (dims[d] === undefined) dims[d] = actual;
      else if (dims[d] !== actual) {
        throw new ShapeError(fn, argument, describeDims(spec.shape!, { ...before, [d]: dims[d] }), value.shape, `dimension '${d}' must be ${dims[d]}`);
      }
    });
  }
  if (spec.finite) checkFiniteValues(fn, argument, value.dataSync(), value.shape);
}

/**
 * Throws a typed error unless `labels` is an int32 tensor `[n]` of class indices in `[0, numClasses)` (plus `-1`, "not
 * scored", when `allowUnscored`). A label outside that range would otherwise become an all-zero one-hot row (or index
 * past the output) and train silently on nothing. Reads the labels back once.
 *
 * @example
 * ```ts
 * checkClassLabels('RecLraNetwork.fit', 'y', y, 10);   // InvalidArgumentError: "... label 7 at index 3 ..."
 * ```
 */
export function checkClassLabels(
  fn: string,
  argument: string,
  labels: unknown,
  numClasses: number,
  options: { n?: number | string; dims?: DimBindings; allowUnscored?: boolean } = {},
): void {
  checkTensor(fn, argument, labels, { shape: [options.n ?? null], dtype: 'int32' }, options.dims ?? {});
  const values = (labels as tf.Tensor).dataSync();
  const min = options.allowUnscored ? -1 : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min || v >= numClasses) {
      throw new InvalidArgumentError(fn, argument, `must hold class labels in [${min}, ${numClasses - 1}] (${numClasses} classes)`, `label ${v} at index ${i}`);
    }
  }
}

/** Shape description with bound symbols shown as `n = 194`. */
function describeDims(shape: readonly DimSpec[], dims: DimBindings): Array<string | number | null> {
  return shape.map((d) => (typeof d === 'string' && dims[d] !== undefined ? `${d} = ${dims[d]}` : d));
}

/**
 * Throws {@link NonFiniteError} at the first NaN or ±Infinity in `values` (row-major, `shape` used for the message).
 *
 * @example
 * ```ts
 * checkFiniteValues('fit', 'x', x.dataSync(), x.shape);
 * ```
 */
export function checkFiniteValues(fn: string, argument: string, values: ArrayLike<number>, shape?: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) throw new NonFiniteError(fn, argument, i, v, shape);
  }
}

/**
 * Throws {@link InvalidArgumentError} unless `value` is a finite number in the given range (inclusive bounds unless
 * `exclusiveMin`/`exclusiveMax`) and, with `integer`, an integer. For hyperparameters: `checkNumber('fit', 'epochs',
 * epochs, { min: 1, integer: true })`.
 */
export function checkNumber(
  fn: string,
  argument: string,
  value: unknown,
  range: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; integer?: boolean } = {},
): asserts value is number {
  const parts: string[] = [];
  if (range.integer) parts.push('an integer');
  else parts.push('a finite number');
  if (range.min !== undefined) parts.push(`${range.exclusiveMin ? '>' : '≥'} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.exclusiveMax ? '<' : '≤'} ${range.max}`);
  const requirement = `must be ${parts.join(' ')}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidArgumentError(fn, argument, requirement, value);
  if (range.integer && !Number.isInteger(value)) throw new InvalidArgumentError(fn, argument, requirement, value);
  if (range.min !== undefined && (range.exclusiveMin ? value <= range.min : value < range.min))
    throw new InvalidArgumentError(fn, argument, requirement, value);
  if (range.max !== undefined && (range.exclusiveMax ? value >= range.max : value > range.max))
    throw new InvalidArgumentError(fn, argument, requirement, value);
}
