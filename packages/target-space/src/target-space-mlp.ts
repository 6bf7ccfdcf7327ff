/**
 * Fully connected networks trained in target space (Fairbank & Samothrakis, §2–3, Alg. 1–4).
 */
import * as tf from '@tensorflow/tfjs';
import {
  BbpError,
  InvalidArgumentError,
  ShapeError,
  Tape,
  checkNumber,
  checkTensor,
  createRng,
  type Matrix,
  type RidgePrecision,
} from '@beyond-backprop/core-linalg';
import { denseNetwork, runFitLoop, type FitOptions, type History } from '@beyond-backprop/training';
import { fanIns, resolveDenseArchitecture, type DenseArchitecture, type ResolvedDenseArchitecture } from './dense-architecture.js';
import { feedForward, realise, type CascadeUntangling } from './realisation.js';
import { Float64Ops, TfOps, type Ops } from './tensor-ops.js';
import {
  createFloat64Optimizer,
  resolveOptimizerConfig,
  tfOptimizerFor,
  type Float64Optimizer,
  type Float64OptimizerState,
  type TargetOptimizer,
  type TargetOptimizerConfig,
} from './target-optimizer.js';
import { dropoutMask } from './dropout.js';
import { toMatrixInput, type MatrixInput } from './matrix-input.js';

/**
 * Which arithmetic trains the network.
 * - `'float64'`: every step on the CPU in float64 with the tape — exact gradients and no per-op dispatch cost; the
 *   fastest choice for small networks such as two-spirals.
 * - `'tfjs'`: on the active TensorFlow.js backend (GPU with tfjs-node-gpu); ridge solves still factorise in float64.
 * - `'auto'` (default): float64 while a step costs under ~2·10⁷ multiply-adds, tfjs beyond.
 */
export type TargetSpaceEngine = 'auto' | 'float64' | 'tfjs';

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

/** Options of {@link TargetSpaceMlp.fit}. */
export interface TargetSpaceFitOptions extends FitOptions {
  /** Report training-set accuracy (classification) after every epoch. Default `false`. */
  trackAccuracy?: boolean;
}

/** JSON-serialisable state of a {@link TargetSpaceMlp}: enough to resume training exactly. */
export interface TargetSpaceMlpCheckpoint {
  format: 'beyond-backprop/target-space-mlp';
  version: 1;
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
  targets: Array<{ rows: number; cols: number; data: number[] }>;
  optimizer:
    | { kind: 'float64'; config: Required<TargetOptimizerConfig>; state: Float64OptimizerState }
    | { kind: 'tf'; className: string; config: tf.serialization.ConfigDict; weights: Array<{ name: string; shape: number[]; data: number[] }> };
  iterations: number;
}

/** Multiply-adds per step up to which `engine: 'auto'` trains in float64 on the CPU. */
export const FLOAT64_ENGINE_WORK_LIMIT = 2e7;

type Labels = { kind: 'classes'; labels: Int32Array; classes: number } | { kind: 'values'; values: Float32Array; width: number };

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
export class TargetSpaceMlp {
  readonly architecture: ResolvedDenseArchitecture;
  readonly engine: 'float64' | 'tfjs';
  readonly lambda: number;
  readonly cascade: CascadeUntangling;
  readonly dropout: number;
  readonly weightDecay: number;
  readonly precision: RidgePrecision;
  readonly seed: number;
  readonly targetStd: number;
  /** Updates applied so far, across `fit` calls (drives the dropout masks, so resuming is exact). */
  iterations = 0;
  private readonly xBar: Matrix;
  private targets: Matrix[];
  private targetVars: tf.Variable[] | null = null;
  private xBarTensor: tf.Tensor2D | null = null;
  private f64Optimizer: Float64Optimizer | null = null;
  private tfOptimizer: tf.Optimizer | null = null;
  private disposed = false;

  constructor(architecture: DenseArchitecture, options: TargetSpaceMlpOptions) {
    const fn = 'TargetSpaceMlp';
    this.architecture = resolveDenseArchitecture(fn, architecture);
    if (!options || options.realisationInputs === undefined) {
      throw new InvalidArgumentError(fn, 'options.realisationInputs', 'is required: the fixed realisation batch X̄ [n̄_b, inputs]', undefined);
    }
    this.xBar = toMatrixInput(fn, 'options.realisationInputs', options.realisationInputs, this.architecture.layers[0]!);
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
    this.seed = options.seed ?? 0;
    checkNumber(fn, 'options.seed', this.seed, { integer: true });
    this.precision = options.precision ?? 'auto';
    const engine = options.engine ?? 'auto';
    if (!['auto', 'float64', 'tfjs'].includes(engine)) throw new InvalidArgumentError(fn, 'options.engine', "must be 'auto', 'float64' or 'tfjs'", engine);
    this.engine = engine === 'auto' ? (estimateStepWork(this.architecture, this.xBar.rows) <= FLOAT64_ENGINE_WORK_LIMIT ? 'float64' : 'tfjs') : engine;
    this.setOptimizer(options.optimizer);
    this.targets = this.initialTargets();
    if (options.projection ?? true) this.project();
    this.syncVariables();
  }

  /** n̄_b, the number of rows of the realisation batch. */
  get realisationSize(): number {
    return this.xBar.rows;
  }

  /** Fan-in of each weight layer, bias included. */
  get fanIns(): number[] {
    return fanIns(this.architecture);
  }

  /** A copy of the target matrices `T_j`, `[n̄_b, d_j]` each (float64). */
  getTargets(): Matrix[] {
    this.assertLive('getTargets');
    this.pullTargets();
    return this.targets.map((t) => ({ rows: t.rows, cols: t.cols, data: t.data.slice() }));
  }

  /** Replaces the targets (shapes must match). */
  setTargets(targets: Matrix[]): void {
    this.assertLive('setTargets');
    if (!Array.isArray(targets) || targets.length !== this.targets.length) {
      throw new InvalidArgumentError('TargetSpaceMlp.setTargets', 'targets', `must hold ${this.targets.length} matrices`, targets);
    }
    targets.forEach((t, i) => {
      const ref = this.targets[i]!;
      if (t.rows !== ref.rows || t.cols !== ref.cols) throw new ShapeError('TargetSpaceMlp.setTargets', `targets[${i}]`, [ref.rows, ref.cols], [t.rows, t.cols]);
    });
    this.targets = targets.map((t) => ({ rows: t.rows, cols: t.cols, data: Float64Array.from(t.data) }));
    this.syncVariables();
  }

  /** The realisation batch X̄ (a copy). */
  getRealisationInputs(): Matrix {
    return { rows: this.xBar.rows, cols: this.xBar.cols, data: this.xBar.data.slice() };
  }

  /** The weights realised from the current targets without dropout (Alg. 3), float64, `[f_j, d_j]`, bias in row 0. */
  realiseWeights(): Matrix[] {
    this.assertLive('realiseWeights');
    this.pullTargets();
    const ops = new Float64Ops();
    const r = realise(ops, this.architecture, ops.constant(this.xBar.data, this.xBar.rows, this.xBar.cols), this.targets.map((t) => ops.constant(t.data, t.rows, t.cols)), this.lambda, this.cascade);
    return r.weights.map((w) => w.value);
  }

  /**
   * The sums actually achieved on X̄ by the realised weights, `S̄_j` (float64). After the projection of eq. 13 they
   * equal the targets.
   */
  achievedSums(): Matrix[] {
    this.pullTargets();
    const ops = new Float64Ops();
    const r = realise(ops, this.architecture, ops.constant(this.xBar.data, this.xBar.rows, this.xBar.cols), this.targets.map((t) => ops.constant(t.data, t.rows, t.cols)), this.lambda, 'scu');
    return r.sums.map((s) => s.value);
  }

  /** Output logits (or regression outputs) `[n, d_out]` for inputs `[n, d₁]`, with weights realised without dropout. */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    this.assertLive('predict');
    checkTensor('TargetSpaceMlp.predict', 'x', x, { shape: [null, this.architecture.layers[0]!], dtype: 'float32' });
    const weights = this.realiseWeights();
    const xm = { rows: x.shape[0], cols: x.shape[1], data: Float64Array.from(x.dataSync()) };
    const ops = new Float64Ops();
    const out = feedForward(ops, this.architecture, ops.constant(xm.data, xm.rows, xm.cols), weights.map((w) => ops.constant(w.data, w.rows, w.cols)));
    return tf.tensor2d(Float32Array.from(out.value.data), [out.rows, out.cols]);
  }

  /**
   * A standard `tf.LayersModel` with the realised weights (dense layers, shortcut concatenations, no softmax), whose
   * `predict` matches {@link predict}; save and serve it with plain TensorFlow.js.
   */
  toLayersModel(name = 'target_space_mlp'): tf.LayersModel {
    const a = this.architecture;
    const model = denseNetwork({
      inputSize: a.layers[0]!,
      hidden: a.layers.slice(1, -1),
      outputs: a.layers[a.layers.length - 1]!,
      activation: a.activation,
      shortcuts: a.shortcuts,
      name,
    });
    const weights = this.realiseWeights();
    const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
    dense.forEach((layer, i) => {
      const w = weights[i]!;
      const kernel = tf.tensor2d(Float32Array.from(w.data.subarray(w.cols)), [w.rows - 1, w.cols]);
      const bias = tf.tensor1d(Float32Array.from(w.data.subarray(0, w.cols)));
      layer.setWeights([kernel, bias]);
      tf.dispose([kernel, bias]);
    });
    return model;
  }

  /**
   * Loss and `∂L/∂T_j` for one batch, computed by the active engine (no update). `x: [n, d₁]`; `y`: int32 labels
   * `[n]` (−1 = not scored) or float targets `[n, d_out]`. Dropout masks are drawn for `iteration` when dropout is on.
   */
  lossAndGradients(x: tf.Tensor2D, y: tf.Tensor, iteration = this.iterations): { loss: number; gradients: Matrix[] } {
    this.assertLive('lossAndGradients');
    const { xs, labels } = this.checkData('TargetSpaceMlp.lossAndGradients', x, y);
    const all = Int32Array.from({ length: xs.rows }, (_, i) => i);
    return this.step(xs, labels, all, iteration, false);
  }

  /**
   * Trains the targets by gradient descent through the realisation (one update per minibatch). `x: [n, d₁]`;
   * `y`: int32 class labels `[n]` (cross-entropy; −1 = not scored) or float targets `[n, d_out]` (squared error).
   * When the batch is the whole training set and equals X̄, without dropout, the loss is evaluated on the realisation
   * pass itself (spec §4.4), which is the same function of the targets at lower cost.
   */
  async fit(x: tf.Tensor2D, y: tf.Tensor, options: TargetSpaceFitOptions): Promise<History> {
    this.assertLive('fit');
    const fn = 'TargetSpaceMlp.fit';
    const { xs, labels } = this.checkData(fn, x, y);
    const n = xs.rows;
    const batchSize = Math.min(options?.batchSize ?? n, n);
    const fused = this.cascade === 'scu' && this.dropout === 0 && batchSize >= n && sameMatrix(xs, this.xBar);
    return runFitLoop(fn, n, options, {
      trainBatch: (indices) => {
        let result: { loss: number; gradients: Matrix[] };
        try {
          result = this.step(xs, labels, indices, this.iterations, fused);
        } catch (error) {
          // Targets grown past float range make the Gram matrix overflow: that is divergence, not a usage error.
          if (error instanceof BbpError && (error.code === 'not-positive-definite' || error.code === 'non-finite')) return Number.NaN;
          throw error;
        }
        const { loss, gradients } = result;
        if (!Number.isFinite(loss) || !gradients.every((g) => allFinite(g.data))) return Number.NaN;
        const before = this.getTargets();
        this.applyGradients(gradients);
        this.pullTargets();
        if (!this.targets.every((t) => allFinite(t.data))) {
          // Never keep (or let a checkpoint see) a non-finite state: roll the update back and report divergence.
          this.setTargets(before);
          return Number.NaN;
        }
        this.iterations++;
        return loss;
      },
      evaluate:
        options.trackAccuracy && labels.kind === 'classes'
          ? () => ({ accuracy: this.accuracyOn(xs, labels.labels, labels.classes) })
          : undefined,
    });
  }

  /** Serialisable state (targets, X̄, optimiser state, iteration count) for an exact resume. */
  async checkpoint(): Promise<TargetSpaceMlpCheckpoint> {
    this.assertLive('checkpoint');
    this.pullTargets();
    let optimizer: TargetSpaceMlpCheckpoint['optimizer'];
    if (this.f64Optimizer) {
      optimizer = { kind: 'float64', config: this.f64Optimizer.config, state: this.f64Optimizer.getState() };
    } else {
      const opt = this.tfOptimizer!;
      const named = await opt.getWeights();
      optimizer = {
        kind: 'tf',
        className: opt.getClassName(),
        config: opt.getConfig(),
        weights: named.map((w) => ({ name: w.name, shape: w.tensor.shape, data: Array.from(w.tensor.dataSync()) })),
      };
    }
    return {
      format: 'beyond-backprop/target-space-mlp',
      version: 1,
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
      targets: this.targets.map((t) => ({ rows: t.rows, cols: t.cols, data: Array.from(t.data) })),
      optimizer,
      iterations: this.iterations,
    };
  }

  /** Rebuilds a network from {@link checkpoint}; continue with `fit(…, { initialEpoch })` for an exact resume. */
  static async fromCheckpoint(ckpt: TargetSpaceMlpCheckpoint): Promise<TargetSpaceMlp> {
    if (!ckpt || ckpt.format !== 'beyond-backprop/target-space-mlp' || ckpt.version !== 1) {
      throw new InvalidArgumentError('TargetSpaceMlp.fromCheckpoint', 'checkpoint', "must be a 'beyond-backprop/target-space-mlp' version 1 checkpoint", ckpt?.format);
    }
    const o = ckpt.options;
    const optimizer: TargetOptimizer =
      ckpt.optimizer.kind === 'float64'
        ? ckpt.optimizer.config
        : (tf.serialization.SerializationMap.getMap().classNameMap[ckpt.optimizer.className]![1] as (cls: unknown, config: tf.serialization.ConfigDict) => tf.Optimizer)(
            tf.serialization.SerializationMap.getMap().classNameMap[ckpt.optimizer.className]![0],
            ckpt.optimizer.config,
          );
    const net = new TargetSpaceMlp(ckpt.architecture, {
      realisationInputs: { rows: ckpt.realisationInputs.rows, cols: ckpt.realisationInputs.cols, data: Float64Array.from(ckpt.realisationInputs.data) },
      lambda: o.lambda,
      cascade: o.cascade,
      dropout: o.dropout,
      weightDecay: o.weightDecay,
      engine: o.engine,
      precision: o.precision,
      seed: o.seed,
      targetStd: o.targetStd,
      projection: false,
      optimizer,
    });
    net.setTargets(ckpt.targets.map((t) => ({ rows: t.rows, cols: t.cols, data: Float64Array.from(t.data) })));
    if (ckpt.optimizer.kind === 'float64') net.f64Optimizer!.setState(ckpt.optimizer.state);
    else {
      const weights = ckpt.optimizer.weights.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape) }));
      await net.tfOptimizer!.setWeights(weights);
    }
    net.iterations = ckpt.iterations;
    return net;
  }

  /** Frees the tensors the network holds (tfjs engine, tf optimisers). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.targetVars) tf.dispose(this.targetVars);
    this.xBarTensor?.dispose();
    this.tfOptimizer?.dispose();
    this.targetVars = null;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private setOptimizer(optimizer: TargetOptimizer | undefined): void {
    if (isTfOptimizer(optimizer)) {
      this.tfOptimizer = optimizer;
      return;
    }
    const config = resolveOptimizerConfig('TargetSpaceMlp', optimizer);
    if (this.engine === 'float64') this.f64Optimizer = createFloat64Optimizer(config);
    else this.tfOptimizer = tfOptimizerFor(config);
  }

  private initialTargets(): Matrix[] {
    const rng = createRng(this.seed).fork('targets');
    return this.architecture.layers.slice(1).map((d) => {
      const data = new Float64Array(this.xBar.rows * d);
      for (let i = 0; i < data.length; i++) data[i] = rng.truncatedNormal(0, this.targetStd);
      return { rows: this.xBar.rows, cols: d, data };
    });
  }

  /** Eq. 13: realise with SCU once and replace the targets by the sums achieved. */
  private project(): void {
    this.targets = this.achievedSums();
  }

  /** Variables mirror the targets whenever updates run through tfjs (tfjs engine or a tf.train optimiser). */
  private syncVariables(): void {
    if (this.engine !== 'tfjs' && !this.tfOptimizer) return;
    if (this.targetVars) tf.dispose(this.targetVars);
    this.targetVars = this.targets.map((t, i) => tf.variable(tf.tensor2d(Float32Array.from(t.data), [t.rows, t.cols]), true, `target_${i + 1}_${uniqueId()}`));
    if (this.engine === 'tfjs' && !this.xBarTensor) this.xBarTensor = tf.tensor2d(Float32Array.from(this.xBar.data), [this.xBar.rows, this.xBar.cols]);
  }

  /** Brings float64 targets up to date with the variables after tfjs-side updates. */
  private pullTargets(): void {
    if (!this.targetVars) return;
    this.targets = this.targetVars.map((v) => ({ rows: v.shape[0]!, cols: v.shape[1]!, data: Float64Array.from(v.dataSync()) }));
  }

  private applyGradients(gradients: Matrix[]): void {
    if (this.f64Optimizer) {
      this.f64Optimizer.apply(
        this.targets.map((t) => t.data),
        gradients.map((g) => g.data),
      );
      return;
    }
    const vars = this.targetVars!;
    const named: Record<string, tf.Tensor> = {};
    vars.forEach((v, i) => {
      named[v.name] = tf.tensor2d(Float32Array.from(gradients[i]!.data), v.shape as [number, number]);
    });
    this.tfOptimizer!.applyGradients(named);
    tf.dispose(Object.values(named));
    if (this.engine === 'float64') this.pullTargets();
  }

  private masksFor(pass: 'realisation' | 'training', rows: number, iteration: number): Array<Float64Array | null> | undefined {
    if (this.dropout === 0) return undefined;
    const rng = createRng(`dropout:${this.seed}:${iteration}:${pass}`);
    return this.architecture.layers.map((d, l) => (l === 0 || l === this.architecture.layers.length - 1 ? null : dropoutMask(rng, rows * d, this.dropout)));
  }

  /** One evaluation of the loss and its target gradients on the rows `indices` of `xs`. */
  private step(xs: Matrix, labels: Labels, indices: Int32Array, iteration: number, fused: boolean): { loss: number; gradients: Matrix[] } {
    // The fused loss is evaluated on X̄ itself: the minibatch rows are not needed.
    const batch = fused ? xs : gatherRows(xs, indices);
    const batchLabels = fused ? labels : gatherLabels(labels, indices);
    const realMasks = this.masksFor('realisation', this.xBar.rows, iteration);
    const trainMasks = this.masksFor('training', batch.rows, iteration);
    if (this.engine === 'float64') {
      this.pullTargets();
      const ops = new Float64Ops(new Tape());
      const targets = this.targets.map((t) => ops.variable(t));
      const loss = this.lossGraph(ops, targets, batch, fused ? labels : batchLabels, fused, realMasks, trainMasks);
      const gradients = ops.tape.gradients(loss, targets);
      return { loss: loss.scalar(), gradients };
    }
    const ops = new TfOps(this.precision);
    const vars = this.targetVars!;
    // variableGrads runs the loss in its own scope: only the value and the gradients survive it.
    const { value, grads } = tf.variableGrads(
      () => tf.reshape(this.lossGraph(ops, vars as tf.Tensor2D[], batch, fused ? labels : batchLabels, fused, realMasks, trainMasks), []) as tf.Scalar,
      vars,
    );
    const gradients = vars.map((v) => {
      const g = grads[v.name]!;
      return { rows: g.shape[0]!, cols: g.shape[1]!, data: Float64Array.from(g.dataSync()) };
    });
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, gradients };
  }

  /** Alg. 3 on X̄, then Alg. 1 on the batch (or the realisation outputs when fused), then the loss. */
  private lossGraph<T>(
    ops: Ops<T>,
    targets: T[],
    batch: Matrix,
    labels: Labels,
    fused: boolean,
    realMasks: Array<Float64Array | null> | undefined,
    trainMasks: Array<Float64Array | null> | undefined,
  ): T {
    const arch = this.architecture;
    const toConst = (m: Float64Array | null, rows: number, l: number) => (m ? ops.constant(m, rows, arch.layers[l]!) : null);
    const xBar = ops.engine === 'tfjs' && this.xBarTensor ? (this.xBarTensor as unknown as T) : ops.constant(this.xBar.data, this.xBar.rows, this.xBar.cols);
    // (The float64 constant wraps X̄'s array without copying.)
    const real = realise(ops, arch, xBar, targets, this.lambda, this.cascade, realMasks?.map((m, l) => toConst(m, this.xBar.rows, l)));
    const logits = fused
      ? real.sums[real.sums.length - 1]!
      : feedForward(
          ops,
          arch,
          ops.constant(batch.data, batch.rows, batch.cols),
          real.weights,
          trainMasks?.map((m, l) => toConst(m, batch.rows, l)),
        );
    let loss = labels.kind === 'classes' ? ops.softmaxCrossEntropy(logits, labels.labels) : ops.meanSquaredError(logits, labels.values);
    if (this.weightDecay > 0) {
      for (const w of real.weights) {
        const body = ops.sliceRows(w, 1, ops.rows(w) - 1);
        loss = ops.add(loss, ops.scale(ops.sumSquares(body), this.weightDecay));
      }
    }
    return loss;
  }

  private accuracyOn(xs: Matrix, labels: Int32Array, classes: number): number {
    const weights = this.realiseWeights();
    const ops = new Float64Ops();
    const out = feedForward(ops, this.architecture, ops.constant(xs.data, xs.rows, xs.cols), weights.map((w) => ops.constant(w.data, w.rows, w.cols))).value.data;
    let correct = 0;
    let scored = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i]! < 0) continue;
      scored++;
      let best = 0;
      for (let k = 1; k < classes; k++) if (out[i * classes + k]! > out[i * classes + best]!) best = k;
      if (best === labels[i]) correct++;
    }
    return scored === 0 ? 0 : correct / scored;
  }

  private checkData(fn: string, x: tf.Tensor2D, y: tf.Tensor): { xs: Matrix; labels: Labels } {
    const dims = {};
    const d1 = this.architecture.layers[0]!;
    const out = this.architecture.layers[this.architecture.layers.length - 1]!;
    checkTensor(fn, 'x', x, { shape: ['n', d1], dtype: 'float32', finite: true }, dims);
    if (x.shape[0] === 0) throw new InvalidArgumentError(fn, 'x', 'must contain at least one example', 'an empty tensor');
    const xs = { rows: x.shape[0], cols: x.shape[1], data: Float64Array.from(x.dataSync()) };
    if (y.dtype === 'int32') {
      checkTensor(fn, 'y', y, { shape: ['n'] }, dims);
      const labels = y.dataSync() as Int32Array;
      labels.forEach((l, i) => {
        if (l >= out) throw new InvalidArgumentError(fn, `y[${i}]`, `must be a class index below ${out} (or −1 to skip)`, l);
      });
      return { xs, labels: { kind: 'classes', labels: Int32Array.from(labels), classes: out } };
    }
    checkTensor(fn, 'y', y, { shape: ['n', out], dtype: 'float32', finite: true }, dims);
    return { xs, labels: { kind: 'values', values: Float32Array.from(y.dataSync()), width: out } };
  }

  private assertLive(fn: string): void {
    if (this.disposed) throw new InvalidArgumentError(`TargetSpaceMlp.${fn}`, 'this', 'must not be disposed', 'a disposed network');
  }
}

/** `instanceof tf.Optimizer` throws on `undefined` (its hasInstance reads a property), so test the shape first. */
export function isTfOptimizer(value: unknown): value is tf.Optimizer {
  return value !== null && typeof value === 'object' && value instanceof tf.Optimizer;
}

let idCounter = 0;
function uniqueId(): number {
  return idCounter++;
}

/** Multiply-adds of one training step, for the engine choice: realisation (Gram + solve + sums) plus Alg. 1. */
export function estimateStepWork(arch: ResolvedDenseArchitecture, realisationRows: number, batchRows = realisationRows): number {
  const f = fanIns(arch);
  let work = 0;
  arch.layers.slice(1).forEach((d, i) => {
    const fi = f[i]!;
    const rows = realisationRows;
    work += Math.min(rows * fi * fi, rows * rows * fi) / 2 + 4 * rows * fi * d + 3 * batchRows * fi * d + fi ** 3 / 3;
  });
  return work;
}

function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i]! - values[i]! !== 0) return false;
  return true;
}

function sameMatrix(a: Matrix, b: Matrix): boolean {
  if (a.rows !== b.rows || a.cols !== b.cols) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

function gatherRows(m: Matrix, indices: Int32Array): Matrix {
  const out = new Float64Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) out.set(m.data.subarray(indices[i]! * m.cols, (indices[i]! + 1) * m.cols), i * m.cols);
  return { rows: indices.length, cols: m.cols, data: out };
}

function gatherLabels(labels: Labels, indices: Int32Array): Labels {
  if (labels.kind === 'classes') return { ...labels, labels: Int32Array.from(indices, (i) => labels.labels[i]!) };
  const w = labels.width;
  const values = new Float32Array(indices.length * w);
  for (let i = 0; i < indices.length; i++) values.set(labels.values.subarray(indices[i]! * w, (indices[i]! + 1) * w), i * w);
  return { kind: 'values', values, width: w };
}
