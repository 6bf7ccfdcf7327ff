/**
 * The weight-space twin of a {@link TargetSpaceRnn}: the same recurrent architecture trained by backpropagation
 * through time, on the same engine, for the paper's comparisons (§5.3–5.4, "weight-space RNN").
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, Tape, checkNumber, createRng, matrixVariable, type Matrix } from '@beyond-backprop/core-linalg';
import type { FitOptions, History } from '@beyond-backprop/training';
import { recurrentForward, type RecurrentShape } from './recurrent-realisation.js';
import { Float64Ops, TfOps, type Ops } from './tensor-ops.js';
import { createFloat64Optimizer, resolveOptimizerConfig, tfOptimizerFor, type Float64Optimizer, type TargetOptimizerConfig } from './target-optimizer.js';
import { scoredAccuracy } from './supervision.js';
import { allRows, batchLabels, fitSequences, readSequences, stepInputs, timeMajorToBatchMajor, type Sequences } from './sequence-batches.js';
import type { RecurrentArchitecture } from './target-space-rnn.js';

/** Options of {@link WeightSpaceRnn}. */
export interface WeightSpaceRnnOptions {
  /** Default Adam 0.001 (the paper's RNN learning rate). */
  optimizer?: TargetOptimizerConfig;
  engine?: 'float64' | 'tfjs';
  seed?: number;
}

/** Options of {@link WeightSpaceRnn.fit}: the shared `FitOptions`. */
export type WeightSpaceRnnFitOptions = FitOptions;

let counter = 0;

/**
 * A recurrent network (`[1 | x_t | h_{t−1}]·W₃ → tanh`, `[1 | h_t]·W₄` logits) trained by BPTT. Weights start from the
 * target-space authors' Glorot variant (truncated normal, σ = √(6/(f + d_out)), bias row included, as in the authors' code);
 * embeddings from N(0, 0.1²).
 *
 * @example
 * ```ts
 * const twin = new WeightSpaceRnn({ inputSize: 1, hidden: 5, outputs: 2 }, { seed: 1 });
 * await twin.fit(x, y, { epochs: 50, batchSize: 100 });
 * ```
 */
export class WeightSpaceRnn {
  readonly architecture: Required<Omit<RecurrentArchitecture, 'embedding'>> & { embedding?: { vocabulary: number; std: number } };
  readonly engine: 'float64' | 'tfjs';
  private readonly shape: RecurrentShape;
  private params: Matrix[];
  private vars: tf.Variable[] | null = null;
  private readonly f64: Float64Optimizer | null;
  private readonly tfOpt: tf.Optimizer | null;

  constructor(architecture: RecurrentArchitecture, options: WeightSpaceRnnOptions = {}) {
    const fn = 'WeightSpaceRnn';
    checkNumber(fn, 'architecture.inputSize', architecture?.inputSize, { min: 1, integer: true });
    checkNumber(fn, 'architecture.hidden', architecture.hidden, { min: 1, integer: true });
    checkNumber(fn, 'architecture.outputs', architecture.outputs, { min: 1, integer: true });
    const a = architecture;
    this.architecture = {
      inputSize: a.inputSize,
      hidden: a.hidden,
      outputs: a.outputs,
      activation: a.activation ?? 'tanh',
      readout: a.readout ?? 'every-step',
      ...(a.embedding ? { embedding: { vocabulary: a.embedding.vocabulary, std: a.embedding.std ?? 0.1 } } : {}),
    };
    this.shape = { inputSize: a.inputSize, hidden: a.hidden, outputs: a.outputs, activation: this.architecture.activation };
    const seed = options.seed ?? 0;
    checkNumber(fn, 'options.seed', seed, { integer: true });
    this.engine = options.engine ?? 'float64';
    if (this.engine !== 'float64' && this.engine !== 'tfjs') throw new InvalidArgumentError(fn, 'options.engine', "must be 'float64' or 'tfjs'", this.engine);
    const rng = createRng(seed).fork('weights');
    const glorot = (rows: number, cols: number) => {
      const std = Math.sqrt(6 / (rows + cols));
      return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.truncatedNormal(0, std)) };
    };
    this.params = [glorot(1 + a.inputSize + a.hidden, a.hidden), glorot(1 + a.hidden, a.outputs)];
    if (this.architecture.embedding) {
      const e = this.architecture.embedding;
      this.params.push({ rows: e.vocabulary, cols: a.inputSize, data: Float64Array.from({ length: e.vocabulary * a.inputSize }, () => rng.normal(0, e.std)) });
    }
    const config = resolveOptimizerConfig(fn, options.optimizer ?? { kind: 'adam', learningRate: 1e-3 });
    this.f64 = this.engine === 'float64' ? createFloat64Optimizer(config) : null;
    this.tfOpt = this.engine === 'tfjs' ? tfOptimizerFor(config) : null;
    if (this.engine === 'tfjs') this.vars = this.params.map((p, i) => matrixVariable(p, `rnn_twin_${i}_${counter++}`));
  }

  /** `{ w3, w4, embedding? }`, float64 copies. */
  getWeights(): { w3: Matrix; w4: Matrix; embedding?: Matrix } {
    this.pull();
    const [w3, w4, e] = this.params.map((p) => ({ ...p, data: p.data.slice() }));
    return { w3: w3!, w4: w4!, ...(e ? { embedding: e } : {}) };
  }

  /** Logits: `[n, time, outputs]` (every-step) or `[n, outputs]` (last-step). */
  predict(x: tf.Tensor): tf.Tensor {
    const seq = readSequences('WeightSpaceRnn.predict', this.architecture.inputSize, this.architecture.embedding?.vocabulary ?? null, x, {});
    this.pull();
    const ops = new Float64Ops();
    const [w3, w4, e] = this.params.map((p) => ops.constant(p.data, p.rows, p.cols));
    const out = recurrentForward(
      ops,
      this.shape,
      stepInputs(ops, this.architecture.inputSize, seq, allRows(seq.n), e ?? null),
      w3!,
      w4!,
      this.architecture.readout,
    ).value;
    const k = this.architecture.outputs;
    if (this.architecture.readout === 'last-step') return tf.tensor2d(Float32Array.from(out.data), [seq.n, k]);
    return tf.tensor3d(timeMajorToBatchMajor(out.data, seq.n, seq.time, k), [seq.n, seq.time, k]);
  }

  /** Backpropagation through time with minibatches from `runFitLoop`; non-finite losses are never applied. */
  async fit(x: tf.Tensor, y: tf.Tensor, options: WeightSpaceRnnFitOptions): Promise<History> {
    const spec = { ...this.architecture, vocabulary: this.architecture.embedding?.vocabulary ?? null };
    return fitSequences(
      'WeightSpaceRnn.fit',
      spec,
      x,
      y,
      options,
      (seq, labels, indices) => this.step(seq, labels, indices),
      (seq, labels) => this.accuracyOn(seq, labels),
    );
  }

  /** Frees the tfjs engine's tensors. */
  dispose(): void {
    if (this.vars) tf.dispose(this.vars);
    this.tfOpt?.dispose();
    this.vars = null;
  }

  private pull(): void {
    if (this.vars) this.params = this.vars.map((v) => ({ rows: v.shape[0]!, cols: v.shape[1]!, data: Float64Array.from(v.dataSync()) }));
  }

  private lossGraph<T>(ops: Ops<T>, params: T[], seq: Sequences, labels: Int32Array, indices: Int32Array): T {
    const out = recurrentForward(
      ops,
      this.shape,
      stepInputs(ops, this.architecture.inputSize, seq, indices, params[2] ?? null),
      params[0],
      params[1],
      this.architecture.readout,
    );
    return ops.softmaxCrossEntropy(out, batchLabels(this.architecture.readout, seq.time, labels, indices));
  }

  private step(seq: Sequences, labels: Int32Array, indices: Int32Array): number {
    if (this.engine === 'float64') {
      const ops = new Float64Ops(new Tape());
      const nodes = this.params.map((p) => ops.variable(p));
      const loss = this.lossGraph(ops, nodes, seq, labels, indices);
      const value = loss.scalar();
      if (!Number.isFinite(value)) return value;
      const grads = ops.tape.gradients(loss, nodes);
      this.f64!.apply(
        this.params.map((p) => p.data),
        grads.map((g) => g.data),
      );
      return value;
    }
    const ops = new TfOps();
    const vars = this.vars!;
    const { value, grads } = tf.variableGrads(() => tf.reshape(this.lossGraph(ops, vars as tf.Tensor2D[], seq, labels, indices), []) as tf.Scalar, vars);
    const loss = value.dataSync()[0];
    if (Number.isFinite(loss)) this.tfOpt!.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  }

  private accuracyOn(seq: Sequences, labels: Int32Array): number {
    this.pull();
    const ops = new Float64Ops();
    const [w3, w4, e] = this.params.map((p) => ops.constant(p.data, p.rows, p.cols));
    const all = allRows(seq.n);
    const out = recurrentForward(ops, this.shape, stepInputs(ops, this.architecture.inputSize, seq, all, e ?? null), w3!, w4!, this.architecture.readout);
    return scoredAccuracy(out.value.data, batchLabels(this.architecture.readout, seq.time, labels, all), this.architecture.outputs);
  }
}
