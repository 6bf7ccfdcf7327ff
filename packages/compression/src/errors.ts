/**
 * Errors of the compression package. Bad arguments use core-linalg's typed errors (`InvalidArgumentError`,
 * `NonFiniteError`); a wire package that cannot be decoded raises {@link WirePackageError}.
 */
import { BbpError } from '@beyond-backprop/core-linalg/errors';

/** Why a wire package was rejected. */
export type WirePackageProblem = 'magic' | 'version' | 'truncated' | 'checksum' | 'structure' | 'limit';

/**
 * A wire package could not be decoded: wrong magic or version, truncated, checksum mismatch, an impossible header
 * field, or a size beyond the decoder's limit. Nothing is allocated for a package before its header is validated.
 *
 * @example
 * ```ts
 * try { codec.decode(bytes); } catch (e) { if (e instanceof WirePackageError) console.log(e.problem, e.offset); }
 * ```
 */
export class WirePackageError extends BbpError {
  /** The function that rejected the package (`'decodePackage'`, `'describePackage'`). */
  readonly fn: string;
  /** The argument holding the package. */
  readonly argument: string;
  readonly problem: WirePackageProblem;
  /** Byte offset of the offending field, or -1 for the package as a whole. */
  readonly offset: number;
  constructor(fn: string, argument: string, problem: WirePackageProblem, offset: number, detail: string) {
    super(
      'wire-package',
      `${fn}: argument '${argument}' is not a valid weight package (${problem}` + (offset >= 0 ? ` at byte ${offset}` : '') + `): ${detail}`,
    );
    this.fn = fn;
    this.argument = argument;
    this.problem = problem;
    this.offset = offset;
  }
}
