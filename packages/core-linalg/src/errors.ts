/**
 * Typed errors shared by every beyond-backprop package.
 *
 * Each error names the function and the argument that was wrong, and, for shape problems, the shape that was
 * expected, so that a user can fix the call without reading the source.
 */

/**
 * The registry key (`Symbol.for`) under which every {@link BbpError} records the names of its class chain. Two
 * copies of a package (for example two versions of core-linalg installed side by side) each define their own
 * `BbpError` class, so `instanceof` across copies fails; the marker survives because `Symbol.for` is global to the
 * JavaScript realm. Use the static `isInstance` of the class you want instead of `instanceof`.
 *
 * @example
 * ```ts
 * (error as Record<symbol, unknown>)[BBP_ERROR_MARKER]; // ['ShapeError', 'BbpError']
 * ```
 */
export const BBP_ERROR_MARKER: unique symbol = Symbol.for('beyond-backprop.error') as never;

/**
 * Base class of every error thrown on purpose by beyond-backprop. `code` is a stable machine-readable tag.
 *
 * Prefer `BbpError.isInstance(e)` / `ShapeError.isInstance(e)` to `instanceof`: it also recognises errors thrown by
 * another installed copy of a package (it reads the {@link BBP_ERROR_MARKER} that every instance carries: the names
 * of its classes from the concrete one up to `BbpError`; minifiers must keep class names, as they must for
 * `error.name`).
 *
 * @example
 * ```ts
 * try { ridgeSolve(a, t, -1); } catch (e) { if (BbpError.isInstance(e)) console.log(e.code); }
 * ```
 */
export class BbpError extends Error {
  /** Stable machine-readable identifier, e.g. `'shape'`, `'non-finite'`. */
  readonly code: string;
  /** Names of this error's classes, most derived first, ending with `'BbpError'` (see {@link BBP_ERROR_MARKER}). */
  declare readonly [BBP_ERROR_MARKER]: ReadonlyArray<string>;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
    const chain: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      chain.push((c as { name: string }).name);
      if (c === BbpError) break;
    }
    Object.defineProperty(this, BBP_ERROR_MARKER, { value: Object.freeze(chain), enumerable: false });
  }

  /**
   * Whether `value` is an instance of this class, also when it was thrown by another copy of the package: true for
   * `instanceof`, or for any object whose {@link BBP_ERROR_MARKER} lists this class's name. Call it on the class you
   * test for (`ShapeError.isInstance(e)` is true for shape errors only; `BbpError.isInstance(e)` for all).
   *
   * @example
   * ```ts
   * catch (e) { if (ShapeError.isInstance(e)) console.log(e.argument, e.expected); }
   * ```
   */
  static isInstance<T extends abstract new (...args: never[]) => BbpError>(this: T, value: unknown): value is InstanceType<T> {
    if (value instanceof this) return true;
    if (typeof value !== 'object' || value === null) return false;
    const chain = (value as { [BBP_ERROR_MARKER]?: unknown })[BBP_ERROR_MARKER];
    return Array.isArray(chain) && chain.includes(this.name);
  }
}

/** Shape formatted as `[2, 3]`; symbolic dimensions print as their names. */
export function formatShape(shape: ReadonlyArray<number | string | null>): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * An argument has the wrong rank or shape.
 *
 * @example
 * ```ts
 * // ridgeSolve: argument 'T' must have shape [n, m] = [194, m] (rows matching 'A'), got [193, 5]
 * ```
 */
export class ShapeError extends BbpError {
  readonly fn: string;
  readonly argument: string;
  /** The expected shape, symbolic dimensions as names (`'n'`) or `null` for "any". */
  readonly expected: ReadonlyArray<number | string | null>;
  readonly actual: ReadonlyArray<number>;
  constructor(fn: string, argument: string, expected: ReadonlyArray<number | string | null>, actual: ReadonlyArray<number>, detail?: string) {
    super('shape', `${fn}: argument '${argument}' must have shape ${formatShape(expected)}, got ${formatShape(actual)}` + (detail ? ` (${detail})` : ''));
    this.fn = fn;
    this.argument = argument;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An argument has the wrong dtype (for example an `int32` tensor where `float32` is needed). */
export class DTypeError extends BbpError {
  readonly fn: string;
  readonly argument: string;
  readonly expected: string;
  readonly actual: string;
  constructor(fn: string, argument: string, expected: string, actual: string) {
    super('dtype', `${fn}: argument '${argument}' must have dtype ${expected}, got ${actual}`);
    this.fn = fn;
    this.argument = argument;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * An argument contains NaN or ±Infinity. `index` is the flat (row-major) position of the first bad value, or -1 when
 * it was detected in a derived quantity (such as a Gram matrix) and the position is unknown.
 */
export class NonFiniteError extends BbpError {
  readonly fn: string;
  readonly argument: string;
  readonly index: number;
  readonly value: number;
  constructor(fn: string, argument: string, index: number, value: number, shape?: ReadonlyArray<number>, detectedIn?: string) {
    const where =
      index < 0
        ? `(detected in ${detectedIn ?? 'a derived value'})`
        : shape && shape.length === 2
          ? `at row ${Math.floor(index / shape[1])}, column ${index % shape[1]}`
          : `at index ${index}`;
    super('non-finite', `${fn}: argument '${argument}' contains ${value} ${where}; all values must be finite`);
    this.fn = fn;
    this.argument = argument;
    this.index = index;
    this.value = value;
  }
}

/** A scalar or option is outside its valid range (negative λ, non-integer epochs, unknown enum value, ...). */
export class InvalidArgumentError extends BbpError {
  readonly fn: string;
  readonly argument: string;
  constructor(fn: string, argument: string, requirement: string, received: unknown) {
    super('invalid-argument', `${fn}: argument '${argument}' ${requirement}, got ${describe(received)}`);
    this.fn = fn;
    this.argument = argument;
  }
}

/**
 * A matrix that must be symmetric positive definite is not (numerically). `pivot` is the failing row.
 * Raising the ridge constant λ usually fixes this in a least-squares context.
 */
export class NotPositiveDefiniteError extends BbpError {
  readonly fn: string;
  readonly argument: string;
  readonly pivot: number;
  constructor(fn: string, argument: string, pivot: number, value: number) {
    super(
      'not-positive-definite',
      `${fn}: argument '${argument}' is not positive definite (pivot ${pivot} is ${value}); ` + 'for a Gram matrix, raise the ridge constant lambda',
    );
    this.fn = fn;
    this.argument = argument;
    this.pivot = pivot;
  }
}

/** No TensorFlow.js backend from the preference list could be loaded. */
export class BackendUnavailableError extends BbpError {
  /** Each backend tried, with the reason it failed. */
  readonly attempts: ReadonlyArray<{ backend: string; error: string }>;
  constructor(message: string, attempts: ReadonlyArray<{ backend: string; error: string }>) {
    super('backend-unavailable', message);
    this.attempts = attempts;
  }
}

/** An iterative kernel (SVD, eigensolver) failed to converge within its sweep limit. */
export class ConvergenceError extends BbpError {
  readonly fn: string;
  constructor(fn: string, detail: string) {
    super('no-convergence', `${fn}: ${detail}`);
    this.fn = fn;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}
