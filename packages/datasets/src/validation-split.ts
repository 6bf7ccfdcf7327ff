/**
 * Holding out a validation set from the training split: the target-space authors' code keeps the last 5000 training
 * images (Fairbank & Samothrakis §5.2), rec-LRA holds out 2000 MNIST / 5000 CIFAR-10 images (Ororbia et al. §4).
 */
import { InvalidArgumentError, checkNumber, createRng } from '@beyond-backprop/core-linalg';
import { selectExamples } from './batching.js';
import { checkSplit, numExamples, type Split } from './split.js';

/** Options of {@link trainValidationSplit}. */
export interface ValidationSplitOptions {
  /** Examples to hold out: a count (integer ≥ 1) or a fraction in (0, 1). */
  size: number;
  /** `'end'`: the last `size` examples (the target-space code); `'random'`: a seeded random subset. Default `'end'`. */
  from?: 'end' | 'random';
  /** Seed of the `'random'` choice. Default 0. */
  seed?: number;
}

/**
 * Splits a training split into `train` and `validation`. Both parts keep the original relative order of their
 * examples, so the result is deterministic for a seed. Returns new splits.
 *
 * @example
 * ```ts
 * const { train, validation } = trainValidationSplit(mnist.train, { size: 5000 });   // 55000 + the last 5000
 * const r = trainValidationSplit(cifar.train, { size: 0.1, from: 'random', seed: 1 });
 * ```
 */
export function trainValidationSplit<Y extends Int32Array | Float32Array>(
  split: Split<Y>,
  options: ValidationSplitOptions,
): { train: Split<Y>; validation: Split<Y> } {
  const fn = 'trainValidationSplit';
  checkSplit(fn, 'split', split);
  const n = numExamples(split);
  const size = options?.size;
  checkNumber(fn, 'size', size, { min: 0, exclusiveMin: true });
  const count = size < 1 ? Math.round(size * n) : size;
  if (!Number.isInteger(count) || count < 1 || count >= n) {
    throw new InvalidArgumentError(fn, 'size', `must select between 1 and ${n - 1} of the ${n} examples (a count, or a fraction in (0, 1))`, size);
  }
  const from = options.from ?? 'end';
  const held = new Uint8Array(n);
  if (from === 'end') held.fill(1, n - count);
  else if (from === 'random') {
    const seed = options.seed ?? 0;
    checkNumber(fn, 'seed', seed);
    for (const i of createRng(seed).fork('validation').permutation(n).slice(0, count)) held[i] = 1;
  } else throw new InvalidArgumentError(fn, 'from', "must be 'end' or 'random'", from);
  const keep: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) (held[i] ? out : keep).push(i);
  return { train: selectExamples(split, keep), validation: selectExamples(split, out) };
}
