/**
 * Training a logits model with a head's loss through the shared fit loop: the custom-loop counterpart of
 * `model.compile({ loss: head.lossFn() })`, with seeded batches, callbacks, abort and divergence detection.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkTensor } from '@beyond-backprop/core-linalg';
import { backpropBatch, paperAdam, runFitLoop, tracksAccuracy, variableSnapshots, type FitOptions, type History } from '@beyond-backprop/training';
import type { LossOptions } from './head-options.js';
import type { OutputHead } from './output-head.js';
import { labelValues } from './targets.js';

/** Options of {@link fitHead}. */
export interface FitHeadOptions extends FitOptions {
  /** Any `tf.train` optimiser. Default Adam(0.01) with the TF1 constants (`paperAdam`). Learning rates do not transfer between heads (thesis Tables 4.2–4.4). */
  optimizer?: tf.Optimizer;
  /** Loss options: `reduction`, `path` (`'autodiff'` or `'manual'`), `yFormat` for float `y`. */
  loss?: Omit<LossOptions, 'weights' | 'input'>;
  /** Report training-set `accuracy` (over scored rows) every epoch. Default `false`. */
  trackAccuracy?: boolean;
  /** Held-out `[x, y]`, reported every epoch as `valLoss` and `valAccuracy`. */
  validationData?: [tf.Tensor, tf.Tensor];
  /** Examples per forward pass when evaluating. Default 1024. */
  evalBatchSize?: number;
}

/**
 * Trains `model` — whose single output is the logits `[n, k]` of a linear last layer — with `head`'s loss by
 * backpropagation through `runFitLoop`: per minibatch one optimiser step on `head.loss(y_b, model(x_b))`. A
 * non-finite loss raises `TrainingDivergedError` without applying that update.
 *
 * `y`: int32 labels `[n]` (`-1` = not scored, left out of loss and accuracy), or float32 `[n, k]` one-hot rows (or
 * the thesis' targets with `loss.yFormat: 'targets'`).
 *
 * @example
 * ```ts
 * const model = denseNetwork({ inputSize: 2, hidden: [16], outputs: 3, activation: 'relu', seed: 1 });
 * const history = await fitHead(model, x, labels, expGA(), { epochs: 50, batchSize: 32, seed: 1, trackAccuracy: true });
 * history.history.accuracy.at(-1);
 * ```
 */
export async function fitHead(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, head: OutputHead, options: FitHeadOptions): Promise<History> {
  const fn = 'fitHead';
  if (!(model instanceof tf.LayersModel)) throw new InvalidArgumentError(fn, 'model', 'must be a tf.LayersModel', model);
  if (head === null || typeof head !== 'object' || typeof head.loss !== 'function') throw new InvalidArgumentError(fn, 'head', 'must be an OutputHead', head);
  if (model.outputs.length !== 1) throw new InvalidArgumentError(fn, 'model', 'must have exactly one output (the logits)', `${model.outputs.length} outputs`);
  const k = model.outputs[0].shape.at(-1);
  if (typeof k !== 'number') throw new InvalidArgumentError(fn, 'model', 'must have a fixed number of classes on the last output axis', k);
  if (model.inputs.length !== 1) throw new InvalidArgumentError(fn, 'model', 'must have exactly one input', `${model.inputs.length} inputs`);
  // The model's own input shape, batch axis free, so a wrong width is a ShapeError here rather than a tfjs matMul error.
  checkTensor(fn, 'x', x, { shape: [null, ...model.inputs[0].shape.slice(1)], dtype: 'float32', finite: true });
  const n = x.shape[0];
  if (!(n >= 1)) throw new InvalidArgumentError(fn, 'x', 'must contain at least one example', 'an empty tensor');
  checkLabelsOrTargets(fn, 'y', y, n, k);
  if (options?.validationData !== undefined) {
    const v = options.validationData;
    if (!Array.isArray(v) || v.length !== 2) throw new InvalidArgumentError(fn, 'options.validationData', 'must be [x, y]', v);
    checkTensor(fn, 'options.validationData[0]', v[0], { dtype: 'float32' });
    checkLabelsOrTargets(fn, 'options.validationData[1]', v[1], v[0].shape[0], k);
  }
  const lossFn = head.lossFn(options?.loss ?? {});
  const optimizer = options?.optimizer ?? paperAdam(0.01);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const evalBatch = options?.evalBatchSize ?? 1024;
  const targetsFormat = options?.loss?.yFormat === 'targets';
  const forward = (input: tf.Tensor, training: boolean) => model.apply(input, { training }) as tf.Tensor;
  const predict = (input: tf.Tensor) => model.predict(input, { batchSize: evalBatch }) as tf.Tensor;

  try {
    return await runFitLoop(fn, n, options, {
      trainBatch: (indices) => backpropBatch(x, y, indices, lossFn, (xb) => forward(xb, true), variables, optimizer),
      state: variableSnapshots(() => variables),
      evaluate: () => {
        const logs: Record<string, number> = {};
        if (tracksAccuracy(options)) logs.accuracy = tf.tidy(() => scoredAccuracy(predict(x), y, targetsFormat));
        if (options.validationData) {
          const [vx, vy] = options.validationData;
          tf.tidy(() => {
            const out = predict(vx);
            logs.valLoss = lossFn(vy, out).dataSync()[0];
            logs.valAccuracy = scoredAccuracy(out, vy, targetsFormat);
          });
        }
        return logs;
      },
    });
  } finally {
    // The default optimiser is ours (its slot variables would otherwise leak on every call); a caller's is theirs.
    if (options?.optimizer === undefined) optimizer.dispose();
  }
}

function checkLabelsOrTargets(fn: string, argument: string, y: unknown, n: number, k: number): void {
  if (y instanceof tf.Tensor && y.dtype === 'int32' && y.rank === 1) {
    labelValues(fn, argument, y, k, n);
    return;
  }
  checkTensor(fn, argument, y, { shape: [n, k], dtype: 'float32', finite: true });
}

/**
 * Fraction of scored rows whose arg-max is the label: labels ≥ 0 for int32 `y`; for one-hot rows those with a positive
 * sum; every row of raw targets.
 */
function scoredAccuracy(scores: tf.Tensor, y: tf.Tensor, targetsFormat: boolean): number {
  const predicted = tf.argMax(scores, -1).dataSync();
  let truth: ArrayLike<number>;
  let scored: ArrayLike<number> | null = null;
  if (y.dtype === 'int32' && y.rank === 1) truth = y.dataSync();
  else {
    truth = tf.argMax(y, -1).dataSync();
    if (!targetsFormat) scored = tf.sum(y, -1).dataSync();
  }
  let correct = 0;
  let count = 0;
  for (let i = 0; i < predicted.length; i++) {
    if (scored ? !(scored[i] > 0) : truth[i] < 0) continue;
    count++;
    if (predicted[i] === truth[i]) correct++;
  }
  return count === 0 ? 0 : correct / count;
}
