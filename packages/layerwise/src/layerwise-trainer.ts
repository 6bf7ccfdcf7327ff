/**
 * Deep layer-wise learning (DLL, Øland thesis §6.2, Algorithm 3), deep segment-wise learning (DSL, §6.5) and
 * sequential deep partition-wise learning (DPL, §6.8.1), with round-robin and random-robin schedules (Algorithm 4,
 * §6.6.2) and forward/backward dropout (§6.6.3). One trainer covers all of them: a *window* of consecutive units is
 * trained with a fresh decision head on top while the units below run as a frozen *feednet*, outside the gradient
 * tape and one unit at a time, so only the window's activations, gradients and optimiser slots are ever alive.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, checkTensor, createRng } from '@beyond-backprop/core-linalg';
import { measureStepMemory, runFitLoop, softmaxCrossEntropy, type FitCallbacks, type History } from '@beyond-backprop/training';
import { AdamW, SgdW, type ScheduledOptimizer } from './decoupled-optimizers.js';
import { checkHead, defaultHeadFactory, type HeadFactory } from './decision-head.js';
import { gradientDropout, inputDropout } from './interlayer-dropout.js';
import { splitIntoUnits, type TrainingUnit, type UnitSource } from './training-units.js';
import { filterActive, filterRows, resolveDataFilter, type DataFilter } from './data-filter.js';
import {
  inputDropoutRate,
  learningRateAt,
  unitEpochs,
  unitRate,
  type EpochSchedule,
  type InputDropoutSchedule,
  type LearningRateSchedule,
  type UnitRate,
} from './unit-schedules.js';

/** Round robin (`random: false`, §6.8.2) or random robin (`random: true`, Algorithm 4). */
export interface RobinSchedule {
  kind: 'robin';
  /** A fresh seeded permutation of the windows every round. Default `true`. */
  random?: boolean;
  /** Epochs of one turn (`N_epochs`). Default 10. */
  epochsPerRound?: number;
  /** Rounds (`N_rounds`). Default `ceil(E_0 / epochsPerRound)`, so every unit still gets its epochs. */
  rounds?: number;
}

/** The memory-budget head search (thesis §6.7, Table 6.3 "Max. DC": heads sized so a unit's step is ≈30 % of backprop's). */
export interface HeadBudget {
  /** Target peak step bytes relative to backprop on the whole model. Default 0.30. */
  targetRelativeMemory?: number;
  /** Default 0.005. */
  tolerance?: number;
  /** Most decision convolutions tried. Default 3. */
  maxConvs?: number;
}

/** What a finished window reports. */
export interface UnitReport {
  /** Window index (= unit index for DLL). */
  window: number;
  /** First and last unit of the window. */
  units: [number, number];
  /** Epochs the window trained (over all its turns). */
  epochs: number;
  /** Mean training loss of the window's last epoch. */
  loss: number;
  /** Accuracy of `feednet ∘ window ∘ head` on `validationData` after the window's last turn. */
  valAccuracy?: number;
  valLoss?: number;
  /** Peak bytes of one complete training step of this window (data → feednet → forward → backward → update). */
  peakStepBytes?: number;
  /** `peakStepBytes` / backprop's, when `measureBackprop` is on. */
  relativeMemory?: number;
  /** Learning rate and weight decay at the window's first epoch. */
  learningRate: number;
  weightDecay: number;
  /** Decision convolutions and channels chosen by the head search (absent without `headBudget`). */
  head?: { convs: number; channels: number; relativeMemory: number };
  /** Per-turn fit histories. */
  history: History[];
  /** With `dataFilter` on this window's input: rows trained on / rows offered, over all its epochs. */
  keptFraction?: number;
}

/** Options of {@link trainLayerwise}. */
export interface LayerwiseOptions {
  /** Epochs per window: constant, per-window list, or `{base, growth}` for `max(1, round(E_0·g^w))`. */
  epochs: EpochSchedule;
  /** Default: the whole training set. */
  batchSize?: number;
  /** Seeds batch order, head initialisation and dropout masks. Default 0. */
  seed?: number;
  /** Shuffle every epoch. Default `true`. */
  shuffle?: boolean;
  /** tfjs-style callbacks, called for every epoch of every turn (epoch indices restart per window). */
  callbacks?: FitCallbacks | FitCallbacks[];
  /**
   * Called when a window starts a turn, with a predictor of the temporary model `feednet ∘ window ∘ head` (logits,
   * inference mode) that stays valid until the next call — for progress evaluation while training.
   */
  onWindowBegin?: (window: number, predict: (x: tf.Tensor) => tf.Tensor) => void | Promise<void>;
  /** Called when a window's last turn ends. */
  onUnitEnd?: (report: UnitReport) => void | Promise<void>;
  signal?: AbortSignal;
  /** Classes of the int32 labels. Default `max(y) + 1`. */
  numClasses?: number;
  /** Unit starts in the model's layers (see {@link splitIntoUnits}). */
  boundaries?: number[];
  /** See {@link SplitOptions.dropOutputLayer}. Default `true`. */
  dropOutputLayer?: boolean;
  /** Default {@link defaultHeadFactory}`(numClasses)`. */
  headFactory?: HeadFactory;
  /** Size decision heads of image units to a memory budget (needs `measureBackprop`; ignores `headFactory` on rank-4 outputs). */
  headBudget?: HeadBudget;
  /** `'adamw'` (default), `'sgd'` (momentum 0.9), or a factory given `(lr, wd)`. */
  optimizer?: 'adamw' | 'sgd' | ((learningRate: number, weightDecay: number) => ScheduledOptimizer);
  /** Default 1e-3 (AdamW) / 0.05 (SGD). */
  learningRate?: number | LearningRateSchedule;
  /** Decoupled weight decay. Default 0. */
  weightDecay?: number | UnitRate;
  /** DSL: a sliding window of `size` units moving by `stride` (1 ≤ stride ≤ size). Default `{size: 1, stride: 1}` (DLL). */
  window?: { size: number; stride?: number };
  /** Default `'bottom-up'` (Algorithm 3). */
  schedule?: 'bottom-up' | RobinSchedule;
  /** Forward dropout on each window's input, `p0·decay^e`. */
  inputDropout?: InputDropoutSchedule;
  /** Backward dropout probability on the gradient from the head into the window. */
  gradDropout?: number;
  /**
   * Feature checkpointing (§6.2.2): after unit `j` is frozen for good its output on the training set is stored, and
   * later windows feed from it through the cropped feednet `(j+1 … q−1)`. Bottom-up only.
   */
  featureCheckpoints?: number[];
  /** Cut the final model at the window with the best validation accuracy. Default `'none'` (Algorithm 3's output). */
  selectPeakOn?: 'validation' | 'none';
  validationData?: [tf.Tensor, tf.Tensor];
  /**
   * Online data filtering of the partitions' input streams (thesis §6.8.2 k-filter, §6.8.4 loss filter). Needs the
   * robin schedule and one unit per window (DPL: units = partitions). The k-filter recomputes, at the start of every
   * epoch from `startEpoch` on, the window's input features of the whole training set (through the feednet, in blocks
   * of `batchSize` rows in index order) and trains that epoch on the kept rows only; the loss filter drops the
   * `⌊fraction·B⌋` rows of each minibatch with the lowest loss at the head of the window below. Default: off.
   */
  dataFilter?: DataFilter;
  /** Measure each window's first step (`peakStepBytes`). Default `true`. */
  measureMemory?: boolean;
  /** Also measure one backprop step on the whole model (weights restored), for `relativeMemory`. Default `false`. */
  measureBackprop?: boolean;
}

/** What {@link trainLayerwise} returns. */
export interface LayerwiseResult {
  /** A plain tfjs model: the kept units followed by the kept head, outputting logits. */
  model: tf.LayersModel;
  reports: UnitReport[];
  /** Window whose head is the output layer. */
  outputWindow: number;
  /** Highest `peakStepBytes` over the windows. */
  peakStepBytes?: number;
  /** Backprop's peak step bytes on the whole model at the same batch size. */
  backpropPeakStepBytes?: number;
  /** `peakStepBytes / backpropPeakStepBytes` (Table 6.3's relative memory). */
  relativeMemory?: number;
  stopReason: 'completed' | 'aborted';
}

interface WindowState {
  index: number;
  first: number;
  last: number;
  head: tf.LayersModel;
  optimizer: ScheduledOptimizer | null;
  epochsDone: number;
  totalEpochs: number;
  /** k-filter mask of the current epoch (1 = kept), or null when not filtering. */
  mask: Uint8Array | null;
  offered: number;
  kept: number;
  learningRate0: number;
  weightDecay: number;
  dropSeed: number;
  report: UnitReport;
}

const FN = 'trainLayerwise';

/** The windows `[first, last]` of DSL: start `w·stride`, stop after the window holding the last unit (§6.5). */
export function slidingWindows(numUnits: number, size: number, stride: number): Array<[number, number]> {
  checkNumber('slidingWindows', 'numUnits', numUnits, { min: 1, integer: true });
  checkNumber('slidingWindows', 'window.size', size, { min: 1, integer: true });
  checkNumber('slidingWindows', 'window.stride', stride, { min: 1, max: size, integer: true });
  const windows: Array<[number, number]> = [];
  for (let start = 0; ; start += stride) {
    const last = Math.min(start + size, numUnits) - 1;
    windows.push([start, last]);
    if (last === numUnits - 1) return windows;
  }
}

function weightsOf(units: TrainingUnit[], first: number, last: number): tf.Variable[] {
  const vars: tf.Variable[] = [];
  for (let v = first; v <= last; v++) for (const w of units[v].model.trainableWeights) vars.push(w.read() as tf.Variable);
  return vars;
}

function makeOptimizer(kind: LayerwiseOptions['optimizer'], lr: number, wd: number): ScheduledOptimizer {
  if (typeof kind === 'function') {
    const opt = kind(lr, wd);
    if (!opt || typeof (opt as ScheduledOptimizer).setLearningRate !== 'function') {
      throw new InvalidArgumentError(FN, 'options.optimizer', 'must return an optimiser with setLearningRate (AdamW, SgdW)', opt);
    }
    return opt;
  }
  return kind === 'sgd' ? new SgdW(lr, wd) : new AdamW(lr, wd);
}

/** Runs units `from … to` on `h` without a tape, one unit at a time, disposing `h` and every intermediate (§6.2.2). */
function runFeednet(units: TrainingUnit[], from: number, to: number, h: tf.Tensor): tf.Tensor {
  let cur = h;
  for (let v = from; v <= to; v++) {
    const next = tf.tidy(() => units[v].model.apply(cur, { training: false }) as tf.Tensor);
    cur.dispose();
    cur = next;
  }
  return cur;
}

/**
 * One backprop step on the whole model (fresh AdamW, first step so its slots count), measured and then undone:
 * the model's weights are restored exactly. Returns `peakStepBytes` as {@link measureStepMemory} defines it.
 *
 * @example
 * ```ts
 * const bytes = backpropStepBytes(model, x, y, 128);
 * ```
 */
export function backpropStepBytes(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, batchSize: number): number {
  checkNumber('backpropStepBytes', 'batchSize', batchSize, { min: 1, integer: true });
  const saved = model.weights.map((w) => tf.clone(w.read()));
  const optimizer = new AdamW(1e-3, 0);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rows = Array.from({ length: Math.min(batchSize, x.shape[0]) }, (_, i) => i);
  try {
    const m = measureStepMemory(
      () => {
        const { value, grads } = tf.tidy(() => {
          const idx = tf.tensor1d(rows, 'int32');
          const xb = tf.gather(x, idx);
          const yb = tf.gather(y, idx);
          return tf.variableGrads(() => softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor), vars);
        });
        value.dispose();
        optimizer.applyGradients(grads);
        tf.dispose(grads);
      },
      { persistent: model.weights },
    );
    return m.peakStepBytes;
  } finally {
    model.weights.forEach((w, i) => w.write(saved[i]));
    tf.dispose(saved);
    optimizer.dispose();
  }
}

/** Per-example softmax cross-entropy of `logits` against int32 labels `y`. */
export function perExampleLoss(logits: tf.Tensor, y: tf.Tensor, numClasses: number): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(y as tf.Tensor1D, numClasses)), 1)) as tf.Tensor1D);
}

export function evaluate(
  units: TrainingUnit[],
  last: number,
  head: tf.LayersModel,
  data: [tf.Tensor, tf.Tensor],
  batchSize: number,
): { valAccuracy: number; valLoss: number } {
  const [vx, vy] = data;
  const n = vx.shape[0];
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const h = runFeednet(units, 0, last, tf.slice(vx, start, size));
    const [c, l] = tf.tidy(() => {
      const logits = head.apply(h, { training: false }) as tf.Tensor;
      const yb = tf.slice(vy, start, size);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), yb), 'float32'));
      return [hits.dataSync()[0], softmaxCrossEntropy(yb, logits).dataSync()[0] * size];
    });
    h.dispose();
    correct += c;
    lossSum += l;
  }
  return { valAccuracy: correct / n, valLoss: lossSum / n };
}

export function buildOutputModel(model: UnitSource, units: TrainingUnit[], last: number, head: tf.LayersModel): tf.LayersModel {
  const inputShape = units[0].inputShape;
  const input = tf.input({ shape: inputShape });
  let t: tf.SymbolicTensor = input;
  for (let v = 0; v <= last; v++) for (const layer of units[v].layers) t = layer.apply(t) as tf.SymbolicTensor;
  if (head instanceof tf.Sequential) {
    for (const layer of head.layers) if (layer.getClassName() !== 'InputLayer') t = layer.apply(t) as tf.SymbolicTensor;
  } else {
    t = head.apply(t) as tf.SymbolicTensor;
  }
  const name = !Array.isArray(model) ? `${model.name}_layerwise` : 'layerwise';
  return tf.model({ inputs: input, outputs: t, name });
}

/** Snapshot the weights of units `first…last`, run `fn`, restore them bit-exactly. */
function withRestoredWeights<T>(units: TrainingUnit[], first: number, last: number, fn: () => T): T {
  const weights = [];
  for (let v = first; v <= last; v++) weights.push(...units[v].model.weights);
  const saved = weights.map((w) => tf.clone(w.read()));
  try {
    return fn();
  } finally {
    weights.forEach((w, i) => w.write(saved[i]));
    tf.dispose(saved);
  }
}

/**
 * Trains `model` layer-wise (Algorithm 3) — or segment-wise with `window`, or by (random) round robin with
 * `schedule` (Algorithm 4) — and returns one plain tfjs model: every kept unit followed by the last window's head
 * (Algorithm 3 line 10), or by the best window's head with `selectPeakOn: 'validation'`.
 *
 * In window `w` (units `a…b`), each minibatch of raw rows goes through the frozen feednet `U_0…U_{a−1}` without a
 * tape, one unit at a time (`training: false`: BatchNorm uses its moving statistics), then — optionally after forward
 * dropout `p0·0.95^e` — through the window and its head with the tape on; the gradient from the head into the window
 * optionally passes backward dropout; only the window's and head's variables are updated, by a fresh AdamW (decoupled
 * weight decay) with learning rate `learningRate.base · unitFactor^w` and multistep milestones within the window.
 *
 * `x: [n, …]` float32 rows; `y: [n]` int32 class indices.
 *
 * @example
 * ```ts
 * const net = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [2], units: 64, activation: 'relu' }),
 *   tf.layers.dense({ units: 64, activation: 'relu' }),
 *   tf.layers.dense({ units: 2 }),
 * ] });
 * const { model, reports } = await trainLayerwise(net, x, y, {
 *   epochs: 40, batchSize: 64, learningRate: { base: 1e-3, unitFactor: 0.8 }, seed: 0,
 * });
 * model.predict(xTest);
 * ```
 */
export async function trainLayerwise(model: UnitSource, x: tf.Tensor, y: tf.Tensor, options: LayerwiseOptions): Promise<LayerwiseResult> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(FN, 'options', 'must be an object with at least {epochs}', options);
  checkTensor(FN, 'x', x, { dtype: 'float32' });
  const n = x.shape[0];
  if (!(n >= 1)) throw new InvalidArgumentError(FN, 'x', 'must contain at least one example', n);
  checkTensor(FN, 'y', y, { shape: [n], dtype: 'int32' });
  const seed = options.seed ?? 0;
  checkNumber(FN, 'options.seed', seed, { integer: true });
  const batchSize = Math.min(options.batchSize ?? n, n);
  checkNumber(FN, 'options.batchSize', batchSize, { min: 1, integer: true });
  const numClasses = options.numClasses ?? tf.tidy(() => tf.max(y).dataSync()[0]) + 1;
  checkNumber(FN, 'options.numClasses', numClasses, { min: 1, integer: true });
  const units = splitIntoUnits(model, { boundaries: options.boundaries, dropOutputLayer: options.dropOutputLayer }, FN);
  const L = units.length;
  const xShape = x.shape.slice(1);
  if (xShape.join(',') !== units[0].inputShape.join(',')) {
    throw new InvalidArgumentError(FN, 'x', `must have rows of shape [${units[0].inputShape.join(', ')}] (the model's input)`, `[${xShape.join(', ')}]`);
  }
  const size = options.window?.size ?? 1;
  const stride = options.window?.stride ?? 1;
  checkNumber(FN, 'options.window.size', size, { min: 1, max: L, integer: true });
  checkNumber(FN, 'options.window.stride', stride, { min: 1, max: size, integer: true });
  const windows = slidingWindows(L, size, stride);
  const schedule = options.schedule ?? 'bottom-up';
  if (schedule !== 'bottom-up' && (typeof schedule !== 'object' || schedule.kind !== 'robin')) {
    throw new InvalidArgumentError(FN, 'options.schedule', "must be 'bottom-up' or {kind: 'robin', …}", schedule);
  }
  const robin = schedule === 'bottom-up' ? null : schedule;
  const epochsPerRound = robin ? (robin.epochsPerRound ?? 10) : 0;
  if (robin) checkNumber(FN, 'options.schedule.epochsPerRound', epochsPerRound, { min: 1, integer: true });
  const rounds = robin ? (robin.rounds ?? Math.ceil(unitEpochs(options.epochs, 0, 'options.epochs') / epochsPerRound)) : 1;
  if (robin) checkNumber(FN, 'options.schedule.rounds', rounds, { min: 1, integer: true });
  const checkpoints = [...(options.featureCheckpoints ?? [])].sort((a, b) => a - b);
  for (const [i, j] of checkpoints.entries()) {
    if (!Number.isInteger(j) || j < 0 || j >= L - 1)
      throw new InvalidArgumentError(FN, `options.featureCheckpoints[${i}]`, `must be a unit index in [0, ${L - 2}]`, j);
  }
  if (robin && checkpoints.length > 0)
    throw new InvalidArgumentError(FN, 'options.featureCheckpoints', 'needs the bottom-up schedule (robin units keep changing)', checkpoints);
  const selectPeak = options.selectPeakOn ?? 'none';
  if (selectPeak !== 'none' && selectPeak !== 'validation')
    throw new InvalidArgumentError(FN, 'options.selectPeakOn', "must be 'validation' or 'none'", selectPeak);
  if (selectPeak === 'validation' && !options.validationData)
    throw new InvalidArgumentError(FN, 'options.validationData', "is required with selectPeakOn: 'validation'", undefined);
  if (options.validationData) {
    checkTensor(FN, 'options.validationData[0]', options.validationData[0], { shape: [null, ...xShape], dtype: 'float32' });
    checkTensor(FN, 'options.validationData[1]', options.validationData[1], { shape: [options.validationData[0].shape[0]], dtype: 'int32' });
  }
  const gradDrop = options.gradDropout ?? 0;
  checkNumber(FN, 'options.gradDropout', gradDrop, { min: 0, max: 1, exclusiveMax: true });
  if (options.inputDropout) inputDropoutRate(options.inputDropout, 0);
  const lrSpec = options.learningRate ?? (options.optimizer === 'sgd' ? 0.05 : 1e-3);
  const wdSpec = options.weightDecay ?? 0;
  for (let w = 0; w < windows.length; w++) {
    unitEpochs(options.epochs, w, 'options.epochs');
    unitRate(lrSpec, w, 'options.learningRate');
    unitRate(wdSpec, w, 'options.weightDecay');
  }
  const dataFilter = resolveDataFilter(FN, 'options.dataFilter', options.dataFilter, windows.length);
  if (dataFilter && (!robin || size !== 1))
    throw new InvalidArgumentError(FN, 'options.dataFilter', 'needs the robin schedule and one unit per window (DPL partitions)', options.dataFilter);
  const headBudget = options.headBudget;
  if (headBudget && !options.measureBackprop)
    throw new InvalidArgumentError(FN, 'options.measureBackprop', 'must be true with headBudget (the budget is relative to backprop)', options.measureBackprop);
  const baseFactory = options.headFactory ?? defaultHeadFactory(numClasses);
  const measure = options.measureMemory ?? true;
  const rootRng = createRng(`layerwise:${seed}`);
  const lossFn = softmaxCrossEntropy;

  const backpropPeak = options.measureBackprop && !Array.isArray(model) ? backpropStepBytes(model, x, y, batchSize) : undefined;

  // Feature checkpoint: source tensor and the unit it holds the output of (−1 = raw data).
  let source = x;
  let sourceUnit = -1;
  const allWeights = () => units.flatMap((u) => u.model.weights);

  const makeStep = (state: WindowState, epochRef: { e: number }) => {
    const vars = [...weightsOf(units, state.first, state.last), ...state.head.trainableWeights.map((w) => w.read() as tf.Variable)];
    return (allIndices: Int32Array, iteration: number): number => {
      const mask = state.mask;
      const indices = mask ? allIndices.filter((i) => mask[i] === 1) : allIndices;
      const filtering = filterActive(dataFilter, state.index, epochRef.e);
      if (filtering) state.offered += allIndices.length;
      if (indices.length === 0) return 0;
      const idx = tf.tensor1d(indices, 'int32');
      const xb = tf.gather(source, idx);
      let yb = tf.gather(y, idx);
      idx.dispose();
      let h = runFeednet(units, sourceUnit + 1, state.first - 1, xb);
      if (filtering && dataFilter.kind === 'loss') {
        // §6.8.4: the loss at the head of the partition below decides which rows are forwarded.
        const below = states[state.index - 1].head;
        const lossT = tf.tidy(() => perExampleLoss(below.apply(h, { training: false }) as tf.Tensor, yb, numClasses));
        const losses = lossT.dataSync();
        lossT.dispose();
        const keep = filterRows(dataFilter, [], 1, [], losses);
        const rows = tf.tensor1d(
          keep.flatMap((k, i) => (k ? [i] : [])),
          'int32',
        );
        const [h2, y2] = [tf.gather(h, rows), tf.gather(yb, rows)];
        tf.dispose([rows, h, yb]);
        h = h2;
        yb = y2;
      }
      if (filtering) state.kept += h.shape[0];
      if (h.shape[0] === 0) {
        tf.dispose([h, yb]);
        return 0;
      }
      const pIn = options.inputDropout ? inputDropoutRate(options.inputDropout, epochRef.e) : 0;
      const dropSeed = state.dropSeed + 2 * (state.epochsDone * 100003 + iteration);
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          let z = inputDropout(h, pIn, dropSeed);
          for (let v = state.first; v <= state.last; v++) z = units[v].model.apply(z, { training: true }) as tf.Tensor;
          z = gradientDropout(z, gradDrop, dropSeed + 1);
          return lossFn(yb, state.head.apply(z, { training: true }) as tf.Tensor);
        }, vars),
      );
      h.dispose();
      yb.dispose();
      const loss = value.dataSync()[0];
      value.dispose();
      if (Number.isFinite(loss)) state.optimizer!.applyGradients(grads);
      tf.dispose(grads);
      return loss;
    };
  };

  // §6.8.2: the window's input features of the whole training set, k-filtered in blocks of `block` rows.
  const knnMask = (first: number, block: number, filter: Parameters<typeof filterRows>[0]): Uint8Array => {
    const mask = new Uint8Array(n);
    for (let start = 0; start < n; start += block) {
      const rows = Math.min(block, n - start);
      const h = runFeednet(units, sourceUnit + 1, first - 1, tf.slice(source, start, rows));
      const d = h.size / rows;
      const keep = filterRows(
        filter,
        h.dataSync(),
        d,
        tf.tidy(() => tf.slice(y, start, rows).dataSync()),
      );
      h.dispose();
      keep.forEach((k, i) => (mask[start + i] = k ? 1 : 0));
    }
    return mask;
  };

  const newHead = (w: number, first: number, last: number, rng: ReturnType<typeof createRng>): { head: tf.LayersModel; info?: UnitReport['head'] } => {
    const inShape = units[last].outputShape;
    const headSeed = rng.int(2 ** 30);
    if (headBudget && inShape.length === 3 && backpropPeak !== undefined) {
      const target = (headBudget.targetRelativeMemory ?? 0.3) + (headBudget.tolerance ?? 0.005);
      const maxConvs = headBudget.maxConvs ?? 3;
      checkNumber(FN, 'options.headBudget.maxConvs', maxConvs, { min: 0, integer: true });
      let fallback: { convs: number; channels: number; relativeMemory: number } | null = null;
      for (let convs = maxConvs; convs >= 0; convs--) {
        const widths: number[] = [];
        for (let c = inShape[2]; c >= 8 || widths.length === 0; c = Math.floor(c / 2)) {
          widths.push(c);
          if (convs === 0) break;
        }
        for (const channels of widths) {
          const head = checkHead(FN, defaultHeadFactory(numClasses, { convs, channels })(inShape, w, headSeed), inShape, numClasses, w);
          const probe: WindowState = {
            index: w,
            first,
            last,
            head,
            optimizer: new AdamW(1e-3, 0),
            epochsDone: 0,
            totalEpochs: 1,
            mask: null,
            offered: 0,
            kept: 0,
            learningRate0: 0,
            weightDecay: 0,
            dropSeed: 0,
            report: null as unknown as UnitReport,
          };
          const step = makeStep(probe, { e: 0 });
          const rows = Int32Array.from({ length: batchSize }, (_, i) => i);
          const bytes = withRestoredWeights(
            units,
            first,
            last,
            () => measureStepMemory(() => step(rows, 0), { persistent: [...allWeights(), ...head.weights] }).peakStepBytes,
          );
          probe.optimizer!.dispose();
          head.dispose();
          const rel = bytes / backpropPeak;
          if (convs === 0) fallback = { convs, channels, relativeMemory: rel };
          if (rel <= target) {
            return {
              head: checkHead(FN, defaultHeadFactory(numClasses, { convs, channels })(inShape, w, headSeed), inShape, numClasses, w),
              info: { convs, channels, relativeMemory: rel },
            };
          }
        }
      }
      return { head: checkHead(FN, defaultHeadFactory(numClasses, { convs: 0 })(inShape, w, headSeed), inShape, numClasses, w), info: fallback! };
    }
    return { head: checkHead(FN, baseFactory(inShape, w, headSeed), inShape, numClasses, w) };
  };

  const states: WindowState[] = [];
  const reports: UnitReport[] = [];
  const status = { stopReason: 'completed' as 'completed' | 'aborted' };
  let best: { window: number; acc: number } | null = null;

  const createState = (w: number): WindowState => {
    const [first, last] = windows[w];
    const rng = rootRng.fork(`window:${w}`);
    const { head, info } = newHead(w, first, last, rng);
    const total = robin ? rounds * epochsPerRound : unitEpochs(options.epochs, w, 'options.epochs');
    const lr0 = learningRateAt(lrSpec, w, 0, total, 'options.learningRate');
    const wd = unitRate(wdSpec, w, 'options.weightDecay');
    const report: UnitReport = { window: w, units: [first, last], epochs: 0, loss: NaN, learningRate: lr0, weightDecay: wd, history: [] };
    if (info) report.head = info;
    return {
      index: w,
      first,
      last,
      head,
      optimizer: null,
      epochsDone: 0,
      totalEpochs: total,
      mask: null,
      offered: 0,
      kept: 0,
      learningRate0: lr0,
      weightDecay: wd,
      dropSeed: rng.int(2 ** 29),
      report,
    };
  };

  const runTurn = async (state: WindowState, epochs: number): Promise<History> => {
    state.optimizer ??= makeOptimizer(options.optimizer, state.learningRate0, state.weightDecay);
    await options.onWindowBegin?.(state.index, (input: tf.Tensor) => {
      const h = runFeednet(units, 0, state.last, tf.clone(input));
      const out = tf.tidy(() => state.head.apply(h, { training: false }) as tf.Tensor);
      h.dispose();
      return out;
    });
    const epochRef = { e: state.epochsDone };
    const step = makeStep(state, epochRef);
    const measureThis = measure && state.report.peakStepBytes === undefined;
    const schedule: FitCallbacks = {
      onEpochBegin: (e) => {
        epochRef.e = e;
        state.mask = filterActive(dataFilter, state.index, e) && dataFilter.kind === 'knn' ? knnMask(state.first, dataFilter.batchSize, dataFilter) : null;
        state.optimizer!.setLearningRate(learningRateAt(lrSpec, state.index, e, state.totalEpochs, 'options.learningRate'));
      },
    };
    const userCallbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
    const history = await runFitLoop(
      FN,
      n,
      {
        epochs: state.epochsDone + epochs,
        initialEpoch: state.epochsDone,
        batchSize,
        seed,
        shuffle: options.shuffle ?? true,
        signal: options.signal,
        callbacks: [schedule, ...userCallbacks],
      },
      {
        trainBatch: (indices, iteration) => {
          if (measureThis && iteration === 0) {
            const m = measureStepMemory(() => step(indices, iteration), { persistent: [...allWeights(), ...state.head.weights] });
            state.report.peakStepBytes = m.peakStepBytes;
            if (backpropPeak !== undefined) state.report.relativeMemory = m.peakStepBytes / backpropPeak;
            return m.result;
          }
          return step(indices, iteration);
        },
      },
    );
    state.mask = null;
    state.epochsDone += history.epoch.length;
    state.report.epochs = state.epochsDone;
    if (state.offered > 0) state.report.keptFraction = state.kept / state.offered;
    state.report.history.push(history);
    const losses = history.history.loss;
    if (losses && losses.length > 0) state.report.loss = losses[losses.length - 1];
    if (history.stopReason === 'aborted') status.stopReason = 'aborted';
    return history;
  };

  const finishWindow = async (state: WindowState, isLast: boolean): Promise<boolean> => {
    if (options.validationData) Object.assign(state.report, evaluate(units, state.last, state.head, options.validationData, Math.max(batchSize, 256)));
    reports.push(state.report);
    await options.onUnitEnd?.(state.report);
    state.optimizer?.dispose();
    state.optimizer = null;
    if (selectPeak === 'validation') {
      const acc = state.report.valAccuracy!;
      if (best === null || acc > best.acc) {
        if (best !== null) states[best.window].head.dispose();
        best = { window: state.index, acc };
        return true;
      }
      state.head.dispose();
      return false;
    }
    if (!isLast) state.head.dispose();
    return isLast;
  };

  let outputWindow = windows.length - 1;
  try {
    if (!robin) {
      for (let w = 0; w < windows.length; w++) {
        const state = createState(w);
        states[w] = state;
        await runTurn(state, state.totalEpochs);
        const last = w === windows.length - 1 || status.stopReason === 'aborted';
        await finishWindow(state, last);
        if (status.stopReason === 'aborted') {
          if (selectPeak === 'none') outputWindow = w;
          break;
        }
        if (last) break;
        // Units below the next window are frozen for good: checkpoint the deepest requested one (§6.2.2).
        const nextFirst = windows[w + 1][0];
        const ready = checkpoints.filter((j) => j < nextFirst && j > sourceUnit);
        if (ready.length > 0) {
          const j = ready[ready.length - 1];
          const chunks: tf.Tensor[] = [];
          for (let start = 0; start < n; start += Math.max(batchSize, 256)) {
            const size = Math.min(Math.max(batchSize, 256), n - start);
            chunks.push(runFeednet(units, sourceUnit + 1, j, tf.slice(source, start, size)));
          }
          const next = tf.concat(chunks, 0);
          tf.dispose(chunks);
          if (source !== x) source.dispose();
          source = next;
          sourceUnit = j;
        }
      }
    } else {
      const orderRng = rootRng.fork('robin');
      for (let w = 0; w < windows.length; w++) states[w] = createState(w);
      for (let r = 0; r < rounds && status.stopReason === 'completed'; r++) {
        const order = (robin.random ?? true) ? orderRng.permutation(windows.length) : windows.map((_, i) => i);
        for (const w of order) {
          await runTurn(states[w], epochsPerRound);
          if ((status.stopReason as string) === 'aborted') break;
        }
      }
      for (let w = 0; w < windows.length; w++) await finishWindow(states[w], w === windows.length - 1);
    }
  } finally {
    if (source !== x) source.dispose();
    for (const s of states) s?.optimizer?.dispose();
  }
  if (selectPeak === 'validation' && best !== null) outputWindow = (best as { window: number }).window;
  const kept = states[outputWindow];
  const result: LayerwiseResult = {
    model: buildOutputModel(model, units, kept.last, kept.head),
    reports,
    outputWindow,
    stopReason: status.stopReason,
  };
  const peaks = reports.map((r) => r.peakStepBytes).filter((b): b is number => b !== undefined);
  if (peaks.length > 0) result.peakStepBytes = Math.max(...peaks);
  if (backpropPeak !== undefined) {
    result.backpropPeakStepBytes = backpropPeak;
    if (result.peakStepBytes !== undefined) result.relativeMemory = result.peakStepBytes / backpropPeak;
  }
  return result;
}
