/**
 * Built-in heads by name, for configuration files, the CLI and layer deserialisation.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { linearMse, sigmoidCrossEntropy, softmaxCrossEntropy, tanhCanonical } from './baseline-heads.js';
import { expGA } from './exp-ga.js';
import { HEAD_NAMES, type HeadName, type HeadOptions } from './head-options.js';
import type { OutputHead } from './output-head.js';
import { pow3GA } from './pow3-ga.js';

const FACTORIES: Record<HeadName, (options?: HeadOptions) => OutputHead> = {
  'softmax-ce': softmaxCrossEntropy,
  'linear-mse': linearMse,
  sigmoid: sigmoidCrossEntropy,
  tanh: tanhCanonical,
  'exp-ga': expGA,
  'pow3-ga': pow3GA,
};

/**
 * The built-in head called `name` with `options` (the defaults listed in the gradient-amp guide, docs/guides/gradient-amp.md).
 *
 * @example
 * ```ts
 * for (const name of HEAD_NAMES) console.log(name, createHead(name).params.targets);
 * ```
 */
export function createHead(name: HeadName, options: HeadOptions = {}): OutputHead {
  const factory = FACTORIES[name];
  if (!factory || !Object.hasOwn(FACTORIES, name)) throw new InvalidArgumentError('createHead', 'name', `must be one of: ${HEAD_NAMES.join(', ')}`, name);
  return factory(options);
}
