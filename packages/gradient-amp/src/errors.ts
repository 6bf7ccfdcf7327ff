/**
 * Errors specific to gradient-amp.
 */
import { BbpError } from '@beyond-backprop/core-linalg';

/**
 * A head's output overflowed float32 (or became NaN) — raised in `debug` mode, e.g. exp-GA with `maxLogit: Infinity`
 * at a logit above ≈ 88.7. `row` and `column` locate the first bad entry, `logit` is its input.
 *
 * @example
 * ```ts
 * // exp-ga.loss: head output is Infinity at row 0, column 2 (logit 100); lower the learning rate or set maxLogit
 * ```
 */
export class HeadOverflowError extends BbpError {
  readonly fn: string;
  readonly row: number;
  readonly column: number;
  readonly logit: number;
  readonly value: number;
  constructor(fn: string, row: number, column: number, logit: number, value: number) {
    super('head-overflow', `${fn}: head output is ${value} at row ${row}, column ${column} (logit ${logit}); lower the learning rate or set maxLogit`);
    this.fn = fn;
    this.row = row;
    this.column = column;
    this.logit = logit;
    this.value = value;
  }
}
