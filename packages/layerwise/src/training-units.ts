/**
 * Splitting a network into the units that layer-wise learning trains one at a time (Øland, thesis §6.2.1): a unit is
 * one parameterised layer, or one block, with the parameter-free layers after it (pooling, activation, flatten)
 * folded in. The output layer `ψ_k` is not a unit: Algorithm 3 replaces it with the last decision head.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';

/** One trainable piece: a chain of layers (or a block model) mapping `[m, …inputShape]` to `[m, …outputShape]`. */
export interface TrainingUnit {
  /** The layers, in order (a block is one entry: the block model itself). */
  readonly layers: tf.layers.Layer[];
  /** A model running just this unit (shares the layers' weights). */
  readonly model: tf.LayersModel;
  /** Input shape without the batch dimension. */
  readonly inputShape: number[];
  /** Output shape without the batch dimension. */
  readonly outputShape: number[];
}

/** Where the units come from: a chain model (split at `boundaries`), or a list of block models. */
export type UnitSource = tf.LayersModel | tf.LayersModel[];

/** Options of {@link splitIntoUnits}. */
export interface SplitOptions {
  /**
   * Index (in the model's layers, input layer not counted) where each unit starts; the first must be 0. Default: a
   * new unit at every layer with weights.
   */
  boundaries?: number[];
  /**
   * Whether the model's last parameterised layer (and the parameter-free layers after it) is its output layer `ψ_k`,
   * which Algorithm 3 does not train (the last head takes its place). Default `true` for a model, ignored for blocks.
   */
  dropOutputLayer?: boolean;
}

function chainLayers(model: tf.LayersModel, fn: string): tf.layers.Layer[] {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  // A chain model: every layer has exactly one inbound node from the previous one. Graph models must come as blocks.
  for (let i = 1; i < layers.length; i++) {
    const node = (layers[i] as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes[0];
    const parents = node?.inboundLayers ?? [];
    if (parents.length !== 1 || parents[0] !== layers[i - 1]) {
      throw new InvalidArgumentError(
        fn,
        'model',
        'must be a chain of layers (tf.sequential or a linear functional model); pass a graph network as a list of block models',
        `layer '${layers[i].name}' not fed by '${layers[i - 1].name}'`,
      );
    }
  }
  return layers;
}

function buildUnit(layers: tf.layers.Layer[], inputShape: number[]): TrainingUnit {
  const input = tf.input({ shape: inputShape });
  let t: tf.SymbolicTensor = input;
  for (const layer of layers) t = layer.apply(t) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: t });
  return { layers, model, inputShape, outputShape: t.shape.slice(1) as number[] };
}

/**
 * Splits `source` into training units. A chain model is cut at `boundaries` (default: before every layer that has
 * weights, so parameter-free layers join the unit before them), after removing its output layer; a list of block
 * models gives one unit per block.
 *
 * @example
 * ```ts
 * const units = splitIntoUnits(tf.sequential({ layers: [dense(64, [2]), dense(64), dense(2)] }));
 * units.length; // 2: the output layer is replaced by the last decision head
 * ```
 */
export function splitIntoUnits(source: UnitSource, options: SplitOptions = {}, fn = 'splitIntoUnits'): TrainingUnit[] {
  if (Array.isArray(source)) {
    if (source.length === 0) throw new InvalidArgumentError(fn, 'model', 'must contain at least one unit', 'an empty list of blocks');
    const units: TrainingUnit[] = [];
    let shape = source[0].inputs[0].shape.slice(1) as number[];
    for (const [i, block] of source.entries()) {
      if (!(block instanceof tf.LayersModel)) throw new InvalidArgumentError(fn, `model[${i}]`, 'must be a tf.LayersModel', block);
      const blockIn = block.inputs[0].shape.slice(1);
      if (blockIn.join(',') !== shape.join(',')) {
        throw new InvalidArgumentError(
          fn,
          `model[${i}]`,
          `must take input shape [${shape.join(', ')}] (the previous block's output)`,
          `[${blockIn.join(', ')}]`,
        );
      }
      const unit = buildUnit([block as unknown as tf.layers.Layer], shape);
      units.push(unit);
      shape = unit.outputShape;
    }
    return units;
  }
  if (!(source instanceof tf.LayersModel)) throw new InvalidArgumentError(fn, 'model', 'must be a tf.LayersModel or a list of block models', source);
  let layers = chainLayers(source, fn);
  if (options.dropOutputLayer ?? true) {
    let last = layers.length - 1;
    while (last >= 0 && layers[last].weights.length === 0) last--;
    layers = layers.slice(0, Math.max(0, last));
  }
  if (layers.length === 0)
    throw new InvalidArgumentError(
      fn,
      'model',
      'must have at least one layer with weights below its output layer (zero units to train)',
      `${source.layers.length} layers`,
    );
  let starts = options.boundaries;
  if (starts === undefined) {
    starts = [0];
    for (let i = 1; i < layers.length; i++) if (layers[i].weights.length > 0) starts.push(i);
  } else {
    if (!Array.isArray(starts) || starts.length === 0)
      throw new InvalidArgumentError(fn, 'boundaries', 'must list at least one unit start (zero units)', starts);
    for (const [i, b] of starts.entries()) {
      if (!Number.isInteger(b) || b < 0 || b >= layers.length || (i === 0 ? b !== 0 : b <= starts[i - 1])) {
        throw new InvalidArgumentError(
          fn,
          `boundaries[${i}]`,
          `must be an increasing layer index starting at 0 and below ${layers.length} (the layers under the output layer)`,
          b,
        );
      }
    }
  }
  const units: TrainingUnit[] = [];
  let shape = source.inputs[0].shape.slice(1) as number[];
  for (let i = 0; i < starts.length; i++) {
    const unit = buildUnit(layers.slice(starts[i], starts[i + 1] ?? layers.length), shape);
    units.push(unit);
    shape = unit.outputShape;
  }
  return units;
}
