/**
 * Decision heads: the temporary output layer or block put on top of the unit being trained (Øland, thesis
 * Algorithm 3 line 3, §6.2.2 "decision block", §6.6.3 / Table 6.3 "Max. DC").
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';

/**
 * Builds a fresh head for unit `u` whose input has shape `inputShape` (no batch dimension). It must output logits
 * `[m, numClasses]`; `seed` seeds its initialisers.
 */
export type HeadFactory = (inputShape: number[], u: number, seed: number) => tf.LayersModel;

/** Options of {@link defaultHeadFactory}. */
export interface DefaultHeadOptions {
  /** Dense+ReLU layers before the decision layer on rank-2 inputs (the VGG-style 3-FC head of §6.4). Default none. */
  hidden?: number[];
  /** Dropout after each hidden layer. Default 0. */
  dropout?: number;
  /** Number of decision convolutions on image inputs (3×3, stride 2, BatchNorm, ReLU). Default 0 (GAP + Dense). */
  convs?: number;
  /** Channels of those convolutions. Default: the input's channels. */
  channels?: number;
}

/**
 * The default head factory: `Dense(numClasses)` on `[m, d]` inputs (Algorithm 3's single decision layer), optionally
 * after `hidden` Dense+ReLU layers; on `[m, H, W, C]` inputs `convs × [Conv2D(c, 3×3, stride 2) → BatchNorm → ReLU] →
 * GlobalAveragePooling2D → Dense(numClasses)` (the decision block of §6.2.2); other ranks are flattened first.
 * Heads output logits.
 *
 * @example
 * ```ts
 * const heads = defaultHeadFactory(10, { convs: 2, channels: 32 });
 * const head = heads([14, 14, 32], 0, 1);
 * ```
 */
export function defaultHeadFactory(numClasses: number, options: DefaultHeadOptions = {}): HeadFactory {
  checkNumber('defaultHeadFactory', 'numClasses', numClasses, { min: 1, integer: true });
  const hidden = options.hidden ?? [];
  for (const [i, h] of hidden.entries()) checkNumber('defaultHeadFactory', `hidden[${i}]`, h, { min: 1, integer: true });
  const dropout = options.dropout ?? 0;
  checkNumber('defaultHeadFactory', 'dropout', dropout, { min: 0, max: 1, exclusiveMax: true });
  const convs = options.convs ?? 0;
  checkNumber('defaultHeadFactory', 'convs', convs, { min: 0, integer: true });
  if (options.channels !== undefined) checkNumber('defaultHeadFactory', 'channels', options.channels, { min: 1, integer: true });
  return (inputShape, u, seed) => {
    let s = seed;
    const init = () => tf.initializers.glorotUniform({ seed: s++ });
    const layers: tf.layers.Layer[] = [];
    const first = { inputShape };
    const withInput = <T extends object>(cfg: T): T => (layers.length === 0 ? { ...first, ...cfg } : cfg);
    if (inputShape.length === 3) {
      const c = options.channels ?? inputShape[2];
      for (let i = 0; i < convs; i++) {
        layers.push(tf.layers.conv2d(withInput({ filters: c, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(), useBias: false })));
        layers.push(tf.layers.batchNormalization({}));
        layers.push(tf.layers.reLU({}));
      }
      layers.push(tf.layers.globalAveragePooling2d(withInput({})));
    } else if (inputShape.length !== 1) {
      layers.push(tf.layers.flatten(withInput({})));
    }
    for (const h of hidden) {
      layers.push(tf.layers.dense(withInput({ units: h, activation: 'relu', kernelInitializer: init() })));
      if (dropout > 0) layers.push(tf.layers.dropout({ rate: dropout, seed: s++ }));
    }
    layers.push(tf.layers.dense(withInput({ units: numClasses, kernelInitializer: init(), name: undefined })));
    return tf.sequential({ layers, name: `head_${u}_${seed}` });
  };
}

/** Checks that a head built by a factory maps `inputShape` to `[m, numClasses]`; throws naming the `headFactory` option. */
export function checkHead(fn: string, head: unknown, inputShape: number[], numClasses: number, u: number): tf.LayersModel {
  if (!(head instanceof tf.LayersModel)) throw new InvalidArgumentError(fn, 'options.headFactory', `must return a tf.LayersModel (unit ${u})`, head);
  const inShape = head.inputs[0].shape.slice(1);
  if (head.inputs.length !== 1 || inShape.join(',') !== inputShape.join(',')) {
    throw new InvalidArgumentError(
      fn,
      'options.headFactory',
      `must return a head taking input shape [${inputShape.join(', ')}] for unit ${u}`,
      `input shape [${inShape.join(', ')}]`,
    );
  }
  const out = head.outputs[0].shape;
  if (head.outputs.length !== 1 || out.length !== 2 || out[1] !== numClasses) {
    throw new InvalidArgumentError(
      fn,
      'options.headFactory',
      `must return a head whose output is [m, ${numClasses}] (the class count) for unit ${u}`,
      `output shape [${out.map((d) => d ?? 'm').join(', ')}]`,
    );
  }
  return head;
}
