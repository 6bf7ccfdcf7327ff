/**
 * The one signature of every trainer's `toLayersModel(options?)` export.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';

/**
 * Options every `toLayersModel(options?)` accepts (a trainer may add its own, e.g. platonic's `output`).
 *
 * @example
 * ```ts
 * const model = net.toLayersModel({ name: 'spirals' });
 * ```
 */
export interface ToLayersModelOptions {
  /** Model name, also the prefix of the layer names where the trainer names its layers. Default: the trainer's. */
  name?: string;
}

/**
 * The model name from `toLayersModel`'s argument: `options.name`, or `defaultName`. A bare string is accepted as the
 * name, as the first releases of some trainers took it.
 *
 * @example
 * ```ts
 * const name = exportModelName('TargetSpaceMlp.toLayersModel', options, 'target_space_mlp');
 * ```
 */
export function exportModelName(fn: string, options: ToLayersModelOptions | string | undefined, defaultName: string): string {
  const name = typeof options === 'string' ? options : options === undefined || options === null ? undefined : (options as ToLayersModelOptions).name;
  if (options !== undefined && typeof options !== 'string' && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError(fn, 'options', 'must be an object like { name }', options);
  }
  if (name === undefined) return defaultName;
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(fn, 'options.name', 'must be a non-empty string', name);
  return name;
}
