/**
 * Fully connected networks trained in target space (Fairbank & Samothrakis, §2–3, Alg. 1–4).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, checkTensor, createRng, type Matrix, type RidgePrecision } from '@beyond-backprop/core-linalg';
import {
  CheckpointReader,
  checkpointEnvelope,
  exportModelName,
  runFitLoop,
  tracksAccuracy,
  type ToLayersModelOptions,
  type CheckpointEnvelope,
  type FitOptions,
  type History,
} from '@beyond-backprop/training';
import { denseLayersModel, fanIns, resolveDenseArchitecture, type DenseArchitecture, type ResolvedDenseArchitecture } from './dense-architecture.js';
import { dropoutMask } from './dropout.js';
import { toMatrixInput, type MatrixInput } from './matrix-input.js';
import { feedForward, realise, type CascadeUntangling } from './realisation.js';
import { Float64Ops, type Ops } from './tensor-ops.js';
import type { TargetOptimizer } from './target-optimizer.js';
import { TargetSpaceModel, type ParameterState, type TargetSpaceEngine } from './target-space-model.js';
import { gatherRows, gatherTargets, readLabels, scoredAccuracy, type Labels } from './supervision.js';

/** Construction options of {@link TargetSpaceMlp}. */
export interface TargetSpaceMlpOptions {
  /**
   * The fixed realisation batch X̄, `[n̄_b, d₁]` (paper §3.1): targets are defined on its rows, so it never changes.
   * Typically the first n̄_b training examples, or the whole training set for small problems.
   */
  realisationInputs: MatrixInput;
  /** Tikhonov constant λ > 0 of the ridge solves (§3.2; the paper uses 0.001 or 0.1). Default 0.001. */
  lambda?: number;
  /** Default `'scu'`. */
  cascade?: CascadeUntangling;
  /** Std of the truncated-normal (±2σ) target initialisation (§3.4). Default 1. */
  targetStd?: number;
  /** Project the initial targets onto the achievable ones, `T_j ← S̄_j` (eq. 13). Default `true`. */
  projection?: boolean;
  /**
   * Drop probability on hidden-layer outputs, applied with independent masks in the realisation pass and the training
   * pass (§5.2, footnote 4); evaluation uses none. Default 0.
   */
  dropout?: number;
  /** L2 penalty `weightDecay·Σ‖W_j‖²` on the realised weights (bias rows excluded), added in weight space (§3.2). Default 0. */
  weightDecay?: number;
  /** Optimiser of the targets. Default Adam, learning rate 0.01, TF1 constants. */
  optimizer?: TargetOptimizer;
  engine?: TargetSpaceEngine;
  /** Precision of the ridge solves on the tfjs engine (see core-linalg `ridgeSolve`). Default `'auto'`. */
  precision?: RidgePrecision;
  /** Seed of the target initialisation and the dropout masks. Default 0. */
  seed?: number;
}

/**
 * Options of {@link TargetSpaceMlp.fit}: the shared `FitOptions` (`validationData` is scored as `valLoss` and, for
 * class labels, `valAccuracy`; `trackAccuracy` / `metrics: ['accuracy']` add the training `accuracy`).
 */
export type TargetSpaceFitOptions = FitOptions;

/** JSON-serialisable state of a {@link TargetSpaceMlp}: enough to resume training exactly. */
export interface TargetSpaceMlpCheckpoint extends CheckpointEnvelope<'TargetSpaceMlp'> {
  architecture: ResolvedDenseArchitecture;
  options: {
    lambda: number;
    cascade: CascadeUntangling;
    dropout: number;
    weightDecay: number;
    engine: 'float64' | 'tfjs';
    precision: RidgePrecision;
    seed: number;
    targetStd: number;
  };
  realisationInputs: { rows: number; cols: number; data: number[] };
  state: ParameterState;
}

/**
 * A fully connected network trained in target space: its parameters are per-layer target matrices `T_j` on a fixed
 * realisation batch X̄, its weights are realised from them by ridge least squares with sequential cascade untangling
 * (Alg. 3), and training is gradient descent on the targets through the solves (Alg. 4, by automatic
 * differentiation). Output layers are linear (logits); classification uses mean softmax cross-entropy, regression
 * (float targets) mean squared error.
 *
 * @example
 * ```ts
 * const { train } = twoSpirals();
 * const x = tf.tensor2d(train.x, [194, 2]);
 * const net = new TargetSpaceMlp({ layers: [2, 5, 5, 5, 2], shortcuts: true }, { realisationInputs: x, seed: 1 });
 * await net.fit(x, tf.tensor1d(train.y, 'int32'), { epochs: 1500 });
 * const model = net.toLayersModel();   // plain tfjs, model.save() works
 * ```
 */
export class TargetSpaceMlp extends TargetSpaceModel {
  readonly architecture: ResolvedDenseArchitecture;
  readonly lambda: number;
  readonly cascade: CascadeUntangling;
  readonly dropout: number;
  readonly weightDecay: number;
  readonly targetStd: number;
  private readonly xBar: Matrix;
  private xBarTensor: tf.Tensor2D | null = null;

  constructor(architecture: DenseArchitecture, options: TargetSpaceMlpOptions) {
    const fn = 'TargetSpaceMlp';
    const arch = resolveDenseArchitecture(fn, architecture);
    if (!options || options.realisationInputs === undefined) {
      throw new InvalidArgumentError(fn, 'options.realisationInputs', 'is required: the fixed realisation batch X̄ [n̄_b, inputs]', undefined);
    }
    const xBar = toMatrixInput(fn, 'options.realisationInputs', options.realisationInputs, arch.layers[0]);
    super(fn, options, estimateStepWork(arch, xBar.rows));
    this.architecture = arch;
    this.xBar = xBar;
    this.lambda = options.lambda ?? 1e-3;
    checkNumber(fn, 'options.lambda', this.lambda, { min: 0, exclusiveMin: true });
    this.cascade = options.cascade ?? 'scu';
    if (this.cascade !== 'scu' && this.cascade !== 'ocu') throw new InvalidArgumentError(fn, 'options.cascade', "must be 'scu' or 'ocu'", this.cascade);
    this.dropout = options.dropout ?? 0;
    checkNumber(fn, 'options.dropout', this.dropout, { min: 0, max: 1, exclusiveMax: true });
    this.weightDecay = options.weightDecay ?? 0;
    checkNumber(fn, 'options.weightDecay', this.weightDecay, { min: 0 });
    this.targetStd = options.targetStd ?? 1;
    checkNumber(fn, 'options.targetStd', this.targetStd, { min: 0, exclusiveMin: true });
    const rng = createRng(this.seed).fork('targets');
    const initial = arch.layers.slice(1).map((d) => ({
      rows: xBar.rows,
      cols: d,
      data: Float64Array.from({ length: xBar.rows * d }, () => rng.truncatedNormal(0, this.targetStd)),
    }));
    this.setParams(initial, initial.length);
    // Eq. 13: realise once with SCU and replace the targets by the sums they achieve.
    if (options.projection ?? true) this.setTargets(this.achievedSums());
    if (this.engine === 'tfjs') this.xBarTensor = tf.tensor2d(Float32Array.from(xBar.data), [xBar.rows, xBar.cols]);
  }

  /** n̄_b, the number of rows of the realisation batch. */
  get realisationSize(): number {
    return this.xBar.rows;
  }

  /** Fan-in of each weight layer, bias included. */
  get fanIns(): number[] {
    return fanIns(this.architecture);
  }

  /** The realisation batch X̄ (a copy). */
  getRealisationInputs(): Matrix {
    return { rows: this.xBar.rows, cols: this.xBar.cols, data: this.xBar.data.slice() };
  }

  /** The weights realised from the current targets without dropout (Alg. 3), float64, `[f_j, d_j]`, bias in row 0. */
  realiseWeights(): Matrix[] {
    return this.realiseFloat64(this.cascade).weights.map((w) => w.value);
  }

  /**
   * The sums actually achieved on X̄ by the realised weights with SCU, `S̄_j` (float64). After the projection of
   * eq. 13 the targets equal them.
   */
  achievedSums(): Matrix[] {
    return this.realiseFloat64('scu').sums.map((s) => s.value);
  }

  /** Output logits (or regression outputs) `[n, d_out]` for inputs `[n, d₁]`, with weights realised without dropout. */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    this.assertLive('predict');
    checkTensor('TargetSpaceMlp.predict', 'x', x, { shape: [null, this.architecture.layers[0]], dtype: 'float32' });
    const out = this.forwardFloat64({ rows: x.shape[0], cols: x.shape[1], data: Float64Array.from(x.dataSync()) });
    return tf.tensor2d(Float32Array.from(out.data), [out.rows, out.cols]);
  }

  /**
   * A standard `tf.LayersModel` with the realised weights (dense layers, shortcut concatenations, no softmax), whose
   * `predict` matches {@link predict}; save and serve it with plain TensorFlow.js (in Node: `saveLayersModel` from
   * `@beyond-backprop/training/node`). `options.name` (default `'target_space_mlp'`) prefixes the layer names.
   *
   * @example
   * ```ts
   * const model = net.toLayersModel({ name: 'spirals' });
   * ```
   */
  toLayersModel(options?: ToLayersModelOptions | string): tf.LayersModel {
    return denseLayersModel(this.architecture, this.realiseWeights(), exportModelName('TargetSpaceMlp.toLayersModel', options, 'target_space_mlp'));
  }

  /**
   * Loss and `∂L/∂T_j` for one batch, computed by the active engine (no update). `x: [n, d₁]` as a float32 tensor or,
   * unrounded for the float64 engine, a `Matrix`, a row-major `Float64Array` or `number[][]`; `y`: int32 labels
   * `[n]` (−1 = not scored) or float targets `[n, d_out]`. Dropout masks are drawn for `iteration` when dropout is on.
   */
  lossAndGradients(x: MatrixInput, y: tf.Tensor, iteration = this.iterations): { loss: number; gradients: Matrix[] } {
    this.assertLive('lossAndGradients');
    const { xs, labels } = this.checkData('TargetSpaceMlp.lossAndGradients', x, y);
    return this.evaluate(this.lossFor(xs, labels, iteration, false));
  }

  /**
   * Trains the targets by gradient descent through the realisation (one update per minibatch). `x: [n, d₁]`: a float32
   * tensor, or float64 values (`Matrix`, row-major `Float64Array`, `number[][]`) that the float64 engine uses without
   * rounding them to float32; `y`: int32 class labels `[n]` (cross-entropy; −1 = not scored) or float targets
   * `[n, d_out]` (squared error).
   * When the batch is the whole training set and equals X̄, without dropout, the loss is evaluated on the realisation
   * pass itself (there `S̄_j` equals Alg. 1's `S_j` bit for bit), which is the same function of the targets at lower cost.
   */
  async fit(x: MatrixInput, y: tf.Tensor, options: TargetSpaceFitOptions): Promise<History> {
    this.assertLive('fit');
    const fn = 'TargetSpaceMlp.fit';
    const { xs, labels } = this.checkData(fn, x, y);
    const n = xs.rows;
    const batchSize = Math.min(options?.batchSize ?? n, n);
    const fused = this.cascade === 'scu' && this.dropout === 0 && batchSize >= n && sameMatrix(xs, this.xBar);
    const validation = options?.validationData ? this.checkData(fn, options.validationData[0] as tf.Tensor2D, options.validationData[1]) : null;
    const trainAccuracy = tracksAccuracy(options) && labels.kind === 'classes';
    return runFitLoop(fn, n, options, {
      trainBatch: (indices) =>
        fused
          ? this.trainStep(this.lossFor(xs, labels, this.iterations, true))
          : this.trainStep(this.lossFor(gatherRows(xs, indices), gatherTargets(labels, indices), this.iterations, false)),
      state: this.parameterSnapshots(),
      evaluate:
        trainAccuracy || validation
          ? () => ({
              ...(trainAccuracy && labels.kind === 'classes' ? { accuracy: scoredAccuracy(this.forwardFloat64(xs).data, labels.labels, labels.classes) } : {}),
              ...(validation ? this.scoreOn(validation.xs, validation.labels, 'val') : {}),
            })
          : undefined,
    });
  }

  /** Serialisable state (targets, X̄, optimiser state, iteration count) for an exact resume. */
  async checkpoint(): Promise<TargetSpaceMlpCheckpoint> {
    this.assertLive('checkpoint');
    return {
      ...checkpointEnvelope('TargetSpaceMlp'),
      architecture: { ...this.architecture, layers: [...this.architecture.layers] },
      options: {
        lambda: this.lambda,
        cascade: this.cascade,
        dropout: this.dropout,
        weightDecay: this.weightDecay,
        engine: this.engine,
        precision: this.precision,
        seed: this.seed,
        targetStd: this.targetStd,
      },
      realisationInputs: { rows: this.xBar.rows, cols: this.xBar.cols, data: Array.from(this.xBar.data) },
      state: await this.parameterState(),
    };
  }

  /**
   * Rebuilds a network from {@link checkpoint}; continue with `fit(…, { initialEpoch })` for an exact resume.
   * Validates every field (envelope, architecture and options through the constructor, X̄, every target's shape and
   * values, optimiser slots, counters): a bad checkpoint throws `CheckpointError` naming the field and frees what
   * was built.
   *
   * @example
   * ```ts
   * const again = await TargetSpaceMlp.fromCheckpoint(await net.checkpoint());
   * ```
   */
  static async fromCheckpoint(ckpt: TargetSpaceMlpCheckpoint): Promise<TargetSpaceMlp> {
    return TargetSpaceModel.rebuild('TargetSpaceMlp', ckpt, (body, optimizer) => {
      const r = new CheckpointReader('TargetSpaceMlp.fromCheckpoint');
      const x = r.object('realisationInputs', body.realisationInputs);
      const xBar = r.matrix('realisationInputs', x, r.integer('realisationInputs.rows', x.rows, 1), r.integer('realisationInputs.cols', x.cols, 1));
      return new TargetSpaceMlp(body.architecture as TargetSpaceMlpCheckpoint['architecture'], {
        ...(body.options as TargetSpaceMlpCheckpoint['options']),
        realisationInputs: xBar,
        projection: false,
        optimizer,
      });
    });
  }

  protected override disposeExtra(): void {
    this.xBarTensor?.dispose();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private realiseFloat64(cascade: CascadeUntangling) {
    this.assertLive('realise');
    const ops = new Float64Ops();
    const targets = this.getTargets().map((t) => ops.constant(t.data, t.rows, t.cols));
    return realise(ops, this.architecture, ops.constant(this.xBar.data, this.xBar.rows, this.xBar.cols), targets, this.lambda, cascade);
  }

  /** `${prefix}Loss` (the training loss without weight decay) and, for class labels, `${prefix}Accuracy` on `x`. */
  private scoreOn(x: Matrix, labels: Labels, prefix: string): Record<string, number> {
    const ops = new Float64Ops();
    const weights = this.realiseWeights().map((w) => ops.constant(w.data, w.rows, w.cols));
    const logits = feedForward(ops, this.architecture, ops.constant(x.data, x.rows, x.cols), weights);
    const loss = labels.kind === 'classes' ? ops.softmaxCrossEntropy(logits, labels.labels) : ops.meanSquaredError(logits, labels.values);
    return {
      [`${prefix}Loss`]: loss.scalar(),
      ...(labels.kind === 'classes' ? { [`${prefix}Accuracy`]: scoredAccuracy(logits.value.data, labels.labels, labels.classes) } : {}),
    };
  }

  private forwardFloat64(x: Matrix): Matrix {
    const ops = new Float64Ops();
    const weights = this.realiseWeights().map((w) => ops.constant(w.data, w.rows, w.cols));
    return feedForward(ops, this.architecture, ops.constant(x.data, x.rows, x.cols), weights).value;
  }

  private masksFor(pass: 'realisation' | 'training', rows: number, iteration: number): Array<Float64Array | null> | undefined {
    if (this.dropout === 0) return undefined;
    const rng = createRng(`dropout:${this.seed}:${iteration}:${pass}`);
    const last = this.architecture.layers.length - 1;
    return this.architecture.layers.map((d, l) => (l === 0 || l === last ? null : dropoutMask(rng, rows * d, this.dropout)));
  }

  /**
   * The loss as a function of the targets: Alg. 3 on X̄, then Alg. 1 on the batch (or, fused, the realisation's own
   * outputs on X̄ = the batch), then cross-entropy or squared error, plus weight decay on the realised weights.
   */
  private lossFor(batch: Matrix, labels: Labels, iteration: number, fused: boolean) {
    const arch = this.architecture;
    const realMasks = this.masksFor('realisation', this.xBar.rows, iteration);
    const trainMasks = fused ? undefined : this.masksFor('training', batch.rows, iteration);
    return <T>(ops: Ops<T>, targets: T[]): T => {
      const toConst = (m: Float64Array | null, rows: number, l: number) => (m ? ops.constant(m, rows, arch.layers[l]) : null);
      // The float64 constant wraps X̄'s array without copying; the tfjs engine keeps X̄ on the backend.
      const xBar = ops.engine === 'tfjs' && this.xBarTensor ? (this.xBarTensor as unknown as T) : ops.constant(this.xBar.data, this.xBar.rows, this.xBar.cols);
      const real = realise(
        ops,
        arch,
        xBar,
        targets,
        this.lambda,
        this.cascade,
        realMasks?.map((m, l) => toConst(m, this.xBar.rows, l)),
      );
      const logits = fused
        ? real.sums[real.sums.length - 1]
        : feedForward(
            ops,
            arch,
            ops.constant(batch.data, batch.rows, batch.cols),
            real.weights,
            trainMasks?.map((m, l) => toConst(m, batch.rows, l)),
          );
      let loss = labels.kind === 'classes' ? ops.softmaxCrossEntropy(logits, labels.labels) : ops.meanSquaredError(logits, labels.values);
      if (this.weightDecay > 0) {
        for (const w of real.weights) loss = ops.add(loss, ops.scale(ops.sumSquares(ops.sliceRows(w, 1, ops.rows(w) - 1)), this.weightDecay));
      }
      return loss;
    };
  }

  private checkData(fn: string, x: MatrixInput, y: tf.Tensor): { xs: Matrix; labels: Labels } {
    const d1 = this.architecture.layers[0];
    // Float64 inputs stay float64: the float64 engine then never sees a float32-rounded minibatch.
    const xs = toMatrixInput(fn, 'x', x, d1);
    const dims = { n: xs.rows };
    return { xs, labels: readLabels(fn, y, this.architecture.layers[this.architecture.layers.length - 1], dims) };
  }
}

/** Multiply-adds of one training step, for the engine choice: realisation (Gram + solve + sums) plus Alg. 1. */
export function estimateStepWork(arch: ResolvedDenseArchitecture, realisationRows: number, batchRows = realisationRows): number {
  const f = fanIns(arch);
  let work = 0;
  arch.layers.slice(1).forEach((d, i) => {
    const fi = f[i];
    work +=
      Math.min(realisationRows * fi * fi, realisationRows * realisationRows * fi) / 2 + 4 * realisationRows * fi * d + 3 * batchRows * fi * d + fi ** 3 / 3;
  });
  return work;
}

function sameMatrix(a: Matrix, b: Matrix): boolean {
  if (a.rows !== b.rows || a.cols !== b.cols) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
