/**
 * The logits network of a classification experiment — dense or convolutional, as its `architecture` says — with a
 * linear last layer and seeded initialisation, so that every output head trains the same network from the same
 * weights.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, createRng } from '@beyond-backprop/core-linalg';
import { denseNetwork, type DenseInit } from '@beyond-backprop/training';
import type { ArchitectureActivation, ConvArchitecture, DenseArchitecture } from '../registry.js';

/** A logits model and how to shape its inputs. */
export interface ClassifierNetwork {
  model: tf.LayersModel;
  /** Per-example input shape the model expects (`[features]` or `[height, width, channels]`). */
  inputShape: number[];
}

/**
 * Builds the network of `architecture` for examples of shape `exampleShape` (`xShape` without the batch axis) and
 * `numClasses` outputs. Dense networks flatten each example; convolutional ones take `[h, w, c]` images (`[h, w]`
 * gets one channel): `kernel × kernel` convolutions ('same', stride 1) with the activation and optional max-pooling,
 * then the dense layers, then the linear logits. Weights come from `seed`: dense networks use `init` (as the
 * backprop baseline does), conv networks Glorot-uniform kernels and zero biases.
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
): ClassifierNetwork {
  const fn = 'classifierNetwork';
  if (architecture.kind === 'dense') {
    const inputSize = exampleShape.reduce((p, d) => p * d, 1);
    const model = denseNetwork({
      inputSize,
      hidden: architecture.hidden,
      outputs: numClasses,
      activation: architecture.activation,
      shortcuts: architecture.shortcuts,
      init,
      seed,
    });
    return { model, inputShape: [inputSize] };
  }
  if (architecture.kind !== 'conv') throw new InvalidArgumentError(fn, 'architecture.kind', "must be 'dense' or 'conv'", (architecture as { kind: unknown }).kind);
  const inputShape = exampleShape.length === 2 ? [...exampleShape, 1] : exampleShape;
  if (inputShape.length !== 3) throw new InvalidArgumentError(fn, 'xShape', 'must be [n, height, width] or [n, height, width, channels] for a conv architecture', `[n, ${exampleShape.join(', ')}]`);
  const input = tf.input({ shape: inputShape, name: 'conv_input' });
  let h: tf.SymbolicTensor = input;
  architecture.conv.forEach((c, i) => {
    h = tf.layers.conv2d({ filters: c.channels, kernelSize: c.kernel, padding: 'same', strides: 1, name: `conv_${i + 1}` }).apply(h) as tf.SymbolicTensor;
    h = activation(h, architecture.activation, `conv_act_${i + 1}`);
    if (c.pool > 1) h = tf.layers.maxPooling2d({ poolSize: c.pool, strides: c.pool, name: `conv_pool_${i + 1}` }).apply(h) as tf.SymbolicTensor;
  });
  h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
  architecture.dense.forEach((width, i) => {
    h = tf.layers.dense({ units: width, name: `dense_${i + 1}` }).apply(h) as tf.SymbolicTensor;
    h = activation(h, architecture.activation, `dense_act_${i + 1}`);
  });
  const logits = tf.layers.dense({ units: numClasses, name: 'logits' }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: logits, name: 'conv' });
  initialise(model, seed);
  return { model, inputShape };
}

function activation(x: tf.SymbolicTensor, name: ArchitectureActivation, layerName: string): tf.SymbolicTensor {
  if (name === 'leakyRelu') return tf.layers.leakyReLU({ alpha: 0.2, name: layerName }).apply(x) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: name, name: layerName }).apply(x) as tf.SymbolicTensor;
}

/** Glorot-uniform kernels (fans include the receptive field) and zero biases from the seed. */
function initialise(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed).fork('init');
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const shape = w.shape as number[];
      if (shape.length === 1) return tf.zeros(shape);
      const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
      const limit = Math.sqrt(6 / (receptive * (shape.at(-2)! + shape.at(-1)!)));
      const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
      for (let i = 0; i < data.length; i++) data[i] = rng.uniformRange(-limit, limit);
      return tf.tensor(data, shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}
