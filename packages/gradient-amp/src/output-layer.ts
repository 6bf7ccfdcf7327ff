/**
 * The heads as serialisable tfjs layers, so that models with non-squashing outputs save, load and predict like any
 * `tf.LayersModel`. Importing this module registers the layer class with `tf.serialization`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { createHead } from './create-head.js';
import { HEAD_NAMES, type HeadName, type HeadOptions } from './head-options.js';
import type { OutputHead } from './output-head.js';

/**
 * How an {@link OutputHeadLayer} backpropagates:
 *
 * - `'canonical'` (default): straight through, `∂L/∂Z = ∂L/∂Y` — the thesis' manual route (§4.5 "keep computing the
 *   error gradients as y − t", §4.8 "use cubic activations and compute the output layer gradient as y − t"). Train
 *   with the head's `lossFn({ input: 'outputs' })`, whose gradient with respect to `Y` is `Y − T`.
 * - `'exact'`: the true derivative `f'(Z)`, an ordinary activation layer (e.g. the softmax head with tfjs'
 *   `'categoricalCrossentropy'`).
 */
export type HeadBackward = 'canonical' | 'exact';

/** The arguments every tfjs layer takes (`name`, `trainable`, `inputShape`, `dtype`, …). */
type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Settings of an {@link OutputHeadLayer}: the head, plus the usual tfjs layer arguments (`name`, `trainable`, …). */
export interface OutputHeadLayerArgs extends BaseLayerArgs {
  /** Which built-in head. */
  head: HeadName;
  /** The head's output parameters (α, β, `maxLogit`); the loss-only options are not needed by the layer. */
  alpha?: number;
  beta?: number;
  /** exp-GA overflow guard (see {@link HeadOptions.maxLogit}); `null` in a saved config means `Infinity`. */
  maxLogit?: number | null;
  /** Default `'canonical'`. */
  backward?: HeadBackward;
}

/**
 * A layer computing a built-in head's output `Y = f(Z)` element-wise on the logits `Z` it receives (softmax over the
 * last axis): `α·e^Z` for exp-GA, `α·Z³ + β` for pow3-GA, `σ`, `tanh`, the identity, or softmax. Registered with
 * `tf.serialization`, so `model.save()` / `tf.loadLayersModel()` round-trip it. Arg-max of its output is the
 * predicted class ({@link predictClasses}).
 *
 * @example
 * ```ts
 * const input = tf.input({ shape: [784] });
 * const logits = tf.layers.dense({ units: 10 }).apply(input) as tf.SymbolicTensor;
 * const y = new OutputHeadLayer({ head: 'exp-ga', alpha: 0.1 }).apply(logits) as tf.SymbolicTensor;
 * const model = tf.model({ inputs: input, outputs: y });
 * model.compile({ optimizer: 'adam', loss: expGA().lossFn({ input: 'outputs' }) });
 * ```
 */
export class OutputHeadLayer extends tf.layers.Layer {
  /** Name under which the class is registered with `tf.serialization`. */
  static className = 'BeyondBackpropOutputHead';
  /** The head this layer computes. */
  readonly head: OutputHead;
  readonly backward: HeadBackward;
  private readonly headName: HeadName;
  private readonly headOptions: HeadOptions;

  constructor(args: OutputHeadLayerArgs) {
    if (args === null || typeof args !== 'object') throw new InvalidArgumentError('OutputHeadLayer', 'args', 'must be an object with a head name', args);
    const { head, alpha, beta, maxLogit, backward: backwardArg, ...layerArgs } = args;
    super(layerArgs);
    const fn = 'OutputHeadLayer';
    if (!HEAD_NAMES.includes(head)) throw new InvalidArgumentError(fn, 'args.head', `must be one of: ${HEAD_NAMES.join(', ')}`, head);
    const backward = backwardArg ?? 'canonical';
    if (backward !== 'canonical' && backward !== 'exact') throw new InvalidArgumentError(fn, 'args.backward', "must be 'canonical' or 'exact'", backward);
    this.headName = head;
    this.headOptions = {
      ...(alpha !== undefined ? { alpha } : {}),
      ...(beta !== undefined ? { beta } : {}),
      ...(maxLogit !== undefined ? { maxLogit: maxLogit ?? Infinity } : {}),
    };
    this.head = createHead(head, this.headOptions);
    this.backward = backward;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const z = Array.isArray(inputs) ? inputs[0] : inputs;
      if (this.backward === 'exact') return this.head.output(z);
      return straightThrough(this.head)(z);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { alpha, beta, maxLogit } = this.head.params;
    return {
      ...super.getConfig(),
      head: this.headName,
      alpha,
      beta,
      // JSON has no Infinity.
      maxLogit: Number.isFinite(maxLogit) ? maxLogit : null,
      backward: this.backward,
    };
  }
}

tf.serialization.registerClass(OutputHeadLayer);

/** `Y = f(Z)` forward, `∂L/∂Z = ∂L/∂Y` backward. */
function straightThrough(head: OutputHead): (z: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const z = args[0] as tf.Tensor;
    return { value: head.output(z), gradFunc: (dy: tf.Tensor) => dy };
  }) as (z: tf.Tensor) => tf.Tensor;
}

/**
 * An {@link OutputHeadLayer} for a built-in head (a head object or its name), tfjs-style.
 *
 * @example
 * ```ts
 * const layer = outputHead(pow3GA({ beta: 0.4 }));
 * ```
 */
export function outputHead(head: OutputHead | HeadName, options: Omit<OutputHeadLayerArgs, 'head'> = {}): OutputHeadLayer {
  if (typeof head === 'string') return new OutputHeadLayer({ ...options, head });
  if (head === null || typeof head !== 'object' || !head.builtin) {
    throw new InvalidArgumentError(
      'outputHead',
      'head',
      'must be a built-in head (custom canonical heads cannot be serialised)',
      head === null ? null : typeof head === 'object' ? head.name : head,
    );
  }
  const { alpha, beta, maxLogit } = head.params;
  return new OutputHeadLayer({ alpha, beta, maxLogit, ...options, head: head.builtin });
}

/**
 * A new model that computes `model`'s logits followed by the head's output layer, sharing `model`'s weights: train
 * on logits with `head.lossFn()`, then save or serve the model with its head.
 *
 * @example
 * ```ts
 * await fitHead(logitsModel, x, labels, expGA(), { epochs: 20 });
 * const served = withOutputHead(logitsModel, expGA());
 * await served.save(fileSystemHandler('./model')); // Node: from '@beyond-backprop/training/node'; reloads with
 * // tf.loadLayersModel(fileSystemHandler('./model')) once this package is imported
 * ```
 */
export function withOutputHead(model: tf.LayersModel, head: OutputHead | HeadName, options: Omit<OutputHeadLayerArgs, 'head'> = {}): tf.LayersModel {
  if (!(model instanceof tf.LayersModel)) throw new InvalidArgumentError('withOutputHead', 'model', 'must be a tf.LayersModel', model);
  if (model.outputs.length !== 1)
    throw new InvalidArgumentError('withOutputHead', 'model', 'must have exactly one output (the logits)', `${model.outputs.length} outputs`);
  const layer = outputHead(head, options);
  const output = layer.apply(model.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: output, name: `${model.name}_${layer.head.name.replace(/-/g, '_')}` });
}
