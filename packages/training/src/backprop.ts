/**
 * Plain backpropagation: the baseline every algorithm in beyond-backprop is compared with, trained by the same loop
 * (same batches for the same seed) so that comparisons are at equal budget.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkTensor } from '@beyond-backprop/core-linalg';
import { runFitLoop, tracksAccuracy, type FitOptions, type History } from './fit-loop.js';
import { variableSnapshots } from './divergence.js';
import { resolveLoss, type LossFunction, type LossName } from './losses.js';
import { accuracy } from './metrics.js';
import { FusedAdamOptimizer } from './fused-optimizer.js';

/** Options of {@link fitBackprop}. */
export interface BackpropFitOptions extends FitOptions {
  /**
   * Optimiser; any `tf.train` optimiser. Default Adam with learning rate 0.01 and the TF1 defaults β1 = 0.9,
   * β2 = 0.999, ε = 1e-8 (tfjs' own default ε differs), as in the target-space authors' code (Fairbank & Samothrakis §5).
   */
  optimizer?: tf.Optimizer;
  /** Default `'softmaxCrossEntropy'` (labels as int32 class indices or one-hot rows). */
  loss?: LossName | LossFunction;
}

/**
 * Adam with the TensorFlow 1 defaults used by the papers' code, as a {@link FusedAdamOptimizer}: tfjs' Adam update
 * in one pass per variable (same float32 results, same checkpoint state as `tf.train.adam(lr, 0.9, 0.999, 1e-8)`).
 */
export function paperAdam(learningRate = 0.01): tf.Optimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999, 1e-8);
}

/**
 * One minibatch of backpropagation, as a {@link runFitLoop} `trainBatch`: gathers the rows `indices` of `x` and `y`,
 * differentiates `loss(yBatch, forward(xBatch))` with respect to `variables` and applies the optimiser — unless the
 * loss is NaN or infinite, in which case nothing is applied and the loop raises {@link TrainingDivergedError}.
 * Returns the batch loss. Every tensor it makes is freed.
 *
 * @example
 * ```ts
 * const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
 * const forward = (input: tf.Tensor) => model.apply(input, { training: true }) as tf.Tensor;
 * await runFitLoop('myFit', n, options, { trainBatch: (rows) => backpropBatch(x, y, rows, loss, forward, variables, optimizer) });
 * ```
 */
export function backpropBatch(
  x: tf.Tensor,
  y: tf.Tensor,
  indices: Int32Array | number[],
  loss: (yBatch: tf.Tensor, output: tf.Tensor) => tf.Scalar,
  forward: (xBatch: tf.Tensor) => tf.Tensor,
  variables: tf.Variable[],
  optimizer: tf.Optimizer,
): number {
  const { value, grads } = tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32');
    const xb = tf.gather(x, idx);
    const yb = tf.gather(y, idx);
    return tf.variableGrads(() => loss(yb, forward(xb)), variables);
  });
  const lossValue = value.dataSync()[0];
  value.dispose();
  if (Number.isFinite(lossValue)) optimizer.applyGradients(grads);
  tf.dispose(grads);
  return lossValue;
}

/**
 * Trains a `tf.LayersModel` by backpropagation with {@link runFitLoop}: minibatches from a seeded shuffle, one
 * optimiser step per batch, tfjs-style callbacks, `AbortSignal`, and a {@link TrainingDivergedError} (without applying
 * the update) if the loss becomes NaN or infinite, so the model keeps its last finite weights.
 *
 * `x: [n, …]` float32; `y`: int32 labels `[n]` or float targets `[n, …]` matching the model output.
 *
 * @example
 * ```ts
 * const model = denseNetwork({ inputSize: 2, hidden: [5, 5, 5], outputs: 2, shortcuts: true });
 * const history = await fitBackprop(model, x, y, { epochs: 1500, optimizer: paperAdam(0.01) });
 * history.history.loss.at(-1);
 * ```
 */
export async function fitBackprop(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: BackpropFitOptions): Promise<History> {
  const fn = 'fitBackprop';
  if (!(model instanceof tf.LayersModel)) throw new InvalidArgumentError(fn, 'model', 'must be a tf.LayersModel', model);
  const dims = {};
  checkTensor(fn, 'x', x, { dtype: 'float32', finite: true }, dims);
  if (x.shape[0] === 0) throw new InvalidArgumentError(fn, 'x', 'must contain at least one example', 'an empty tensor');
  checkTensor(fn, 'y', y, { shape: [x.shape[0], ...y.shape.slice(1)], dtype: ['float32', 'int32'], finite: true });
  const lossFn = resolveLoss(options.loss);
  const optimizer = options.optimizer ?? paperAdam(0.01);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const classification = y.dtype === 'int32';
  const forward = (input: tf.Tensor, training: boolean) => model.apply(input, { training }) as tf.Tensor;

  return runFitLoop(fn, x.shape[0], options, {
    trainBatch: (indices) => backpropBatch(x, y, indices, lossFn, (xb) => forward(xb, true), variables, optimizer),
    state: variableSnapshots(() => variables),
    evaluate: () => {
      const logs: Record<string, number> = {};
      if (tracksAccuracy(options) && classification) {
        logs.accuracy = tf.tidy(() => accuracy(forward(x, false), y));
      }
      if (options.validationData) {
        const [vx, vy] = options.validationData;
        tf.tidy(() => {
          const out = forward(vx, false);
          logs.valLoss = lossFn(vy, out).dataSync()[0];
          if (classification) logs.valAccuracy = accuracy(out, vy);
        });
      }
      return logs;
    },
    // The default optimiser is ours: dispose it (and its slot variables) however training ends; a caller's is theirs.
  }).finally(() => {
    if (options.optimizer === undefined) optimizer.dispose();
  });
}
