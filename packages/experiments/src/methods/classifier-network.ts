/**
 * The logits network of a classification experiment — dense or convolutional, as its `architecture` says — with a
 * linear last layer and seeded initialisation, so that every output head trains the same network from the same
 * weights.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';
import { weightSpaceCnn } from '@beyond-backprop/target-space';
import { denseNetwork, type DenseInit } from '@beyond-backprop/training';
import type { ConvArchitecture, DenseArchitecture } from '../registry.js';

/** A logits model and how to shape its inputs. */
export interface ClassifierNetwork {
  model: tf.LayersModel;
  /** Per-example input shape the model expects (`[features]` or `[height, width, channels]`). */
  inputShape: number[];
}

/** Optional regularisation of a {@link classifierNetwork}, placed as in the target-space paper's CNN baselines (§5.2, §8). */
export interface ClassifierRegularisation {
  /** Batch normalisation after every hidden activation (conv and dense). */
  batchNorm?: boolean;
  /** Drop probability after every pooled conv layer and every hidden dense layer (training only). */
  dropout?: number;
}

/**
 * Builds the network of `architecture` for examples of shape `exampleShape` (`xShape` without the batch axis) and
 * `numClasses` outputs. Dense networks flatten each example; convolutional ones take `[h, w, c]` images (`[h, w]`
 * gets one channel): `kernel × kernel` convolutions ('same', stride 1) with the activation and optional max-pooling
 * ('same' padding, so 7 → 4 as in the target-space CNN), then the dense layers, then the linear logits. Weights come
 * from `seed` with `init` (the target-space paper's CNN baseline uses `'he-normal'`).
 *
 * @example
 * ```ts
 * const { model, inputShape } = classifierNetwork({ kind: 'conv', conv: [{ kernel: 3, channels: 8, pool: 2 }], dense: [32], activation: 'relu' }, [28, 28], 10, 1);
 * ```
 */
export function classifierNetwork(
  architecture: DenseArchitecture | ConvArchitecture,
  exampleShape: number[],
  numClasses: number,
  seed: number,
  init: DenseInit = 'glorot-uniform',
  regularisation: ClassifierRegularisation = {},
): ClassifierNetwork {
  const fn = 'classifierNetwork';
  const { batchNorm = false, dropout = 0 } = regularisation;
  checkNumber(fn, 'dropout', dropout, { min: 0, max: 1, exclusiveMax: true });
  if (architecture.kind === 'dense') {
    if (dropout > 0) throw new InvalidArgumentError(fn, 'dropout', 'applies to conv architectures only', dropout);
    const inputSize = exampleShape.reduce((p, d) => p * d, 1);
    const model = denseNetwork({
      inputSize,
      hidden: architecture.hidden,
      outputs: numClasses,
      activation: architecture.activation,
      shortcuts: architecture.shortcuts,
      batchNorm,
      init,
      seed,
    });
    return { model, inputShape: [inputSize] };
  }
  if (architecture.kind !== 'conv')
    throw new InvalidArgumentError(fn, 'architecture.kind', "must be 'dense' or 'conv'", (architecture as { kind: unknown }).kind);
  const inputShape = exampleShape.length === 2 ? [...exampleShape, 1] : exampleShape;
  if (inputShape.length !== 3)
    throw new InvalidArgumentError(
      fn,
      'xShape',
      'must be [n, height, width] or [n, height, width, channels] for a conv architecture',
      `[n, ${exampleShape.join(', ')}]`,
    );
  const model = weightSpaceCnn(
    {
      input: inputShape as [number, number, number],
      conv: architecture.conv,
      dense: architecture.dense,
      outputs: numClasses,
      activation: architecture.activation,
    },
    { init, batchNorm, dropout, seed },
  );
  return { model, inputShape };
}
