/**
 * Recurrent networks trained in target space (Fairbank & Samothrakis §4.1, Alg. 5–6; experiments §5.3–5.4).
 */
import * as tf from '@tensorflow/tfjs';
import {
  activation as checkActivationName,
  InvalidArgumentError,
  ShapeError,
  checkNumber,
  checkTensor,
  createRng,
  type Matrix,
  type RidgePrecision,
} from '@beyond-backprop/core-linalg';
import {
  CheckpointReader,
  checkpointEnvelope,
  exportModelName,
  type ToLayersModelOptions,
  type CheckpointEnvelope,
  type FitOptions,
  type History,
} from '@beyond-backprop/training';
import { realiseRecurrent, recurrentForward, type RecurrentCascade, type RecurrentShape } from './recurrent-realisation.js';
import { Float64Ops, TARGET_SPACE_ACTIVATIONS, type Activation, type Ops } from './tensor-ops.js';
import type { TargetOptimizer } from './target-optimizer.js';
import { TargetSpaceModel, type ParameterState, type TargetSpaceEngine } from './target-space-model.js';
import { scoredAccuracy } from './supervision.js';
import {
  allRows,
  batchLabels,
  fitSequences,
  readSequenceLabels,
  readSequences,
  stepInputs,
  timeMajorToBatchMajor,
  type Sequences,
} from './sequence-batches.js';

/** The paper's recurrent architecture: one fully recurrent layer and a linear exit layer. */
export interface RecurrentArchitecture {
  /** Features per time step; with `embedding`, the embedding width. */
  inputSize: number;
  /** Width of the recurrent (context) layer. */
  hidden: number;
  /** Output classes (logits). */
  outputs: number;
  /** Recurrent activation. Default `'tanh'`. */
  activation?: Activation;
  /** Score every step (`y: [n, time]`, −1 = not scored) or only the last (`y: [n]`). Default `'every-step'`. */
  readout?: 'every-step' | 'last-step';
  /**
   * Token inputs: `x` holds int32 token ids `[n, time]`, looked up in a learnable `[vocabulary, inputSize]` table that
   * is trained in weight space with the same optimiser (§7.4). Initialised from `N(0, std²)`, std default 0.1.
   */
  embedding?: { vocabulary: number; std?: number };
}

/** Construction options of {@link TargetSpaceRnn}. */
export interface TargetSpaceRnnOptions {
  /**
   * The fixed realisation sequences X̄, `[n̄_b, n̄_t, inputSize]` (float; already-embedded for token models — the
   * paper draws them from U[−1, 1] for IMDB, §5.4). n̄_t may be shorter than the training sequences.
   */
  realisationInputs: tf.Tensor3D | { data: Float32Array | Float64Array; shape: [number, number, number] };
  /** Tikhonov constant λ > 0. Default 0.1 (the bit-stream experiments, §5.3). */
  lambda?: number;
  /** Default `'hybrid'` (Alg. 6). */
  cascade?: RecurrentCascade;
  /** Std of the truncated-normal target initialisation. Default 1. */
  targetStd?: number;
  /** Replace the initial targets by the true sums of the realised network on X̄ (eq. 13, for RNNs §4.1). Default `true`. */
  projection?: boolean;
  /** Default Adam, learning rate 0.001 (the text's value for the RNN experiments, §5.3; the authors' code defaults to 0.01). */
  optimizer?: TargetOptimizer;
  engine?: TargetSpaceEngine;
  precision?: RidgePrecision;
  seed?: number;
}

/**
 * Options of {@link TargetSpaceRnn.fit}: the shared `FitOptions`; accuracies are over scored steps and
 * `validationData` is reported as `valAccuracy`.
 */
export type TargetSpaceRnnFitOptions = FitOptions;

/** JSON-serialisable state of a {@link TargetSpaceRnn}. */
export interface TargetSpaceRnnCheckpoint extends CheckpointEnvelope<'TargetSpaceRnn'> {
  architecture: Required<Omit<RecurrentArchitecture, 'embedding'>> & { embedding?: { vocabulary: number; std: number } };
  options: { lambda: number; cascade: RecurrentCascade; engine: 'float64' | 'tfjs'; precision: RidgePrecision; seed: number; targetStd: number };
  realisationInputs: { shape: [number, number, number]; data: number[] };
  state: ParameterState;
}

/**
 * A recurrent network trained in target space: targets `T₃^(t)` for the recurrent layer and `T₄^(t)` for the exit
 * layer on fixed realisation sequences X̄; weights realised by Alg. 6 (OCU for the recurrent feedback, the line-10
 * rerun, SCU for the exit layer); gradients by automatic differentiation through Alg. 6 and then Alg. 5.
 *
 * @example
 * ```ts
 * // delayed bit memorisation, delay 2: x [n, 52, 1] of 0/1, y [n, 52] with −1 for the first two steps
 * const net = new TargetSpaceRnn({ inputSize: 1, hidden: 5, outputs: 2 }, { realisationInputs: x.slice([0, 0, 0], [100, 52, 1]) });
 * await net.fit(x, y, { epochs: 50, batchSize: 100 });
 * ```
 */
export class TargetSpaceRnn extends TargetSpaceModel {
  readonly architecture: TargetSpaceRnnCheckpoint['architecture'];
  readonly lambda: number;
  readonly cascade: RecurrentCascade;
  readonly targetStd: number;
  private readonly shape: RecurrentShape;
  /** X̄ as one `[n̄_b, inputSize]` matrix per step. */
  private readonly xBar: Matrix[];
  private readonly xBarShape: [number, number, number];

  constructor(architecture: RecurrentArchitecture, options: TargetSpaceRnnOptions) {
    const fn = 'TargetSpaceRnn';
    const arch = resolveRecurrent(fn, architecture);
    const [xBar, xBarShape] = readRealisation(fn, options?.realisationInputs, arch.inputSize);
    const [nb, nt] = xBarShape;
    const f3 = 1 + arch.inputSize + arch.hidden;
    const work = nt * nb * (f3 * f3 + 6 * f3 * arch.hidden + 4 * (1 + arch.hidden) * arch.outputs);
    super(fn, { ...options, optimizer: options.optimizer ?? { kind: 'adam', learningRate: 1e-3 } }, work);
    this.architecture = arch;
    this.shape = { inputSize: arch.inputSize, hidden: arch.hidden, outputs: arch.outputs, activation: arch.activation };
    this.xBar = xBar;
    this.xBarShape = xBarShape;
    this.lambda = options.lambda ?? 0.1;
    checkNumber(fn, 'options.lambda', this.lambda, { min: 0, exclusiveMin: true });
    this.cascade = options.cascade ?? 'hybrid';
    if (this.cascade !== 'hybrid' && this.cascade !== 'ocu') throw new InvalidArgumentError(fn, 'options.cascade', "must be 'hybrid' or 'ocu'", this.cascade);
    this.targetStd = options.targetStd ?? 1;
    checkNumber(fn, 'options.targetStd', this.targetStd, { min: 0, exclusiveMin: true });
    const rng = createRng(this.seed).fork('targets');
    const draw = (rows: number, cols: number, sample: () => number) => ({ rows, cols, data: Float64Array.from({ length: rows * cols }, sample) });
    const params: Matrix[] = [
      draw(nt * nb, arch.hidden, () => rng.truncatedNormal(0, this.targetStd)),
      draw(nt * nb, arch.outputs, () => rng.truncatedNormal(0, this.targetStd)),
    ];
    if (arch.embedding) {
      const erng = createRng(this.seed).fork('embedding');
      params.push(draw(arch.embedding.vocabulary, arch.inputSize, () => erng.normal(0, arch.embedding!.std)));
    }
    this.setParams(params, 2);
    if (options.projection ?? true) this.project();
  }

  /** The realised weights without any training-pass randomness: `{ w3, w4 }` (float64; bias in row 0). */
  realiseWeights(): { w3: Matrix; w4: Matrix } {
    this.assertLive('realiseWeights');
    const ops = new Float64Ops();
    const [t3, t4] = this.getTargets();
    const r = realiseRecurrent(
      ops,
      this.shape,
      this.xBar.map((m) => ops.constant(m.data, m.rows, m.cols)),
      ops.constant(t3!.data, t3!.rows, t3!.cols),
      ops.constant(t4!.data, t4!.rows, t4!.cols),
      this.lambda,
      this.cascade,
    );
    return { w3: r.w3.value, w4: r.w4.value };
  }

  private get vocabulary(): number | null {
    return this.architecture.embedding?.vocabulary ?? null;
  }

  /** The learnable embedding table `[vocabulary, inputSize]`, if the architecture has one. */
  getEmbedding(): Matrix | null {
    this.pullParams();
    return this.architecture.embedding ? { ...this.params[2], data: this.params[2].data.slice() } : null;
  }

  /**
   * Logits: `[n, time, outputs]` for `'every-step'`, `[n, outputs]` for `'last-step'`. `x`: float `[n, time, inputSize]`
   * or int32 tokens `[n, time]`.
   */
  predict(x: tf.Tensor): tf.Tensor {
    this.assertLive('predict');
    const seq = readSequences('TargetSpaceRnn.predict', this.architecture.inputSize, this.vocabulary, x, {});
    const { w3, w4 } = this.realiseWeights();
    const ops = new Float64Ops();
    const embedding = this.architecture.embedding ? ops.constant(this.params[2].data, this.params[2].rows, this.params[2].cols) : null;
    this.pullParams();
    const all = allRows(seq.n);
    const steps = stepInputs(ops, this.architecture.inputSize, seq, all, embedding);
    const out = recurrentForward(
      ops,
      this.shape,
      steps,
      ops.constant(w3.data, w3.rows, w3.cols),
      ops.constant(w4.data, w4.rows, w4.cols),
      this.architecture.readout,
    ).value;
    const k = this.architecture.outputs;
    if (this.architecture.readout === 'last-step') return tf.tensor2d(Float32Array.from(out.data), [seq.n, k]);
    // Time-major rows → [n, time, k].
    return tf.tensor3d(timeMajorToBatchMajor(out.data, seq.n, seq.time, k), [seq.n, seq.time, k]);
  }

  /**
   * A standard tfjs model with the realised weights: `[embedding →] simpleRNN(hidden) → dense(outputs)` (time-distributed
   * for every-step readout), whose `predict` matches {@link predict}.
   */
  toLayersModel(options?: ToLayersModelOptions): tf.LayersModel {
    const name = exportModelName('TargetSpaceRnn.toLayersModel', options, 'target_space_rnn');
    const a = this.architecture;
    const { w3, w4 } = this.realiseWeights();
    const model = tf.sequential({ name });
    if (a.embedding) model.add(tf.layers.embedding({ inputDim: a.embedding.vocabulary, outputDim: a.inputSize, inputShape: [null] as unknown as number[] }));
    model.add(
      tf.layers.simpleRNN({
        units: a.hidden,
        activation: a.activation === 'leakyRelu' ? 'linear' : a.activation,
        returnSequences: a.readout === 'every-step',
        ...(a.embedding ? {} : { inputShape: [null, a.inputSize] as unknown as number[] }),
      }),
    );
    const dense = tf.layers.dense({ units: a.outputs });
    model.add(a.readout === 'every-step' ? tf.layers.timeDistributed({ layer: dense }) : dense);
    const d = a.inputSize;
    const h = a.hidden;
    const rows = (m: Matrix, start: number, count: number) => Float32Array.from(m.data.subarray(start * m.cols, (start + count) * m.cols));
    const tensors: tf.Tensor[] = [];
    if (a.embedding) {
      const e = this.getEmbedding()!;
      tensors.push(tf.tensor2d(Float32Array.from(e.data), [e.rows, e.cols]));
    }
    tensors.push(tf.tensor2d(rows(w3, 1, d), [d, h]), tf.tensor2d(rows(w3, 1 + d, h), [h, h]), tf.tensor1d(rows(w3, 0, 1)));
    tensors.push(tf.tensor2d(rows(w4, 1, h), [h, a.outputs]), tf.tensor1d(rows(w4, 0, 1)));
    model.setWeights(tensors);
    tf.dispose(tensors);
    return model;
  }

  /** Loss and gradients (targets, then the embedding if any) for one batch, without an update. */
  lossAndGradients(x: tf.Tensor, y: tf.Tensor): { loss: number; gradients: Matrix[] } {
    this.assertLive('lossAndGradients');
    const dims = {};
    const seq = readSequences('TargetSpaceRnn.lossAndGradients', this.architecture.inputSize, this.vocabulary, x, dims);
    const labels = readSequenceLabels('TargetSpaceRnn.lossAndGradients', this.architecture.readout, this.architecture.outputs, y, dims);
    return this.evaluate(
      this.lossFor(
        seq,
        labels,
        Int32Array.from({ length: seq.n }, (_, i) => i),
      ),
    );
  }

  /**
   * Trains by gradient descent on the targets through Alg. 6 and Alg. 5 (and on the embedding in weight space).
   * `x`: float `[n, time, inputSize]` or int32 tokens `[n, time]`; `y`: int32 `[n, time]` per-step labels (−1 = not
   * scored) for `'every-step'`, `[n]` for `'last-step'`.
   */
  async fit(x: tf.Tensor, y: tf.Tensor, options: TargetSpaceRnnFitOptions): Promise<History> {
    this.assertLive('fit');
    const spec = { ...this.architecture, vocabulary: this.vocabulary };
    return fitSequences(
      'TargetSpaceRnn.fit',
      spec,
      x,
      y,
      options,
      (seq, labels, indices) => this.trainStep(this.lossFor(seq, labels, indices)),
      (seq, labels) => this.accuracyOn(seq, labels),
      this.parameterSnapshots(),
    );
  }

  /** Serialisable state for an exact resume. */
  async checkpoint(): Promise<TargetSpaceRnnCheckpoint> {
    this.assertLive('checkpoint');
    const [nb, nt, d] = this.xBarShape;
    const data: number[] = new Array(nb * nt * d);
    for (let t = 0; t < nt; t++) for (let b = 0; b < nb; b++) for (let c = 0; c < d; c++) data[(b * nt + t) * d + c] = this.xBar[t].data[b * d + c];
    return {
      ...checkpointEnvelope('TargetSpaceRnn'),
      architecture: { ...this.architecture },
      options: { lambda: this.lambda, cascade: this.cascade, engine: this.engine, precision: this.precision, seed: this.seed, targetStd: this.targetStd },
      realisationInputs: { shape: this.xBarShape, data },
      state: await this.parameterState(),
    };
  }

  /**
   * Rebuilds a network from {@link checkpoint}, validating every field like `TargetSpaceMlp.fromCheckpoint`.
   *
   * @example
   * ```ts
   * const again = await TargetSpaceRnn.fromCheckpoint(await net.checkpoint());
   * ```
   */
  static async fromCheckpoint(ckpt: TargetSpaceRnnCheckpoint): Promise<TargetSpaceRnn> {
    return TargetSpaceModel.rebuild('TargetSpaceRnn', ckpt, (body, optimizer) => {
      const r = new CheckpointReader('TargetSpaceRnn.fromCheckpoint');
      const x = r.object('realisationInputs', body.realisationInputs);
      const shape = r.array('realisationInputs.shape', x.shape, 3).map((d, i) => r.integer(`realisationInputs.shape[${i}]`, d, 1)) as [number, number, number];
      const data = Float64Array.from(r.finiteArray('realisationInputs.data', x.data, shape[0] * shape[1] * shape[2]));
      return new TargetSpaceRnn(body.architecture as TargetSpaceRnnCheckpoint['architecture'], {
        ...(body.options as TargetSpaceRnnCheckpoint['options']),
        realisationInputs: { data, shape },
        projection: false,
        optimizer,
      });
    });
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Eq. 13 for RNNs (§7.4): realise, run Alg. 5 on X̄, set every target to the true sums. */
  private project(): void {
    const ops = new Float64Ops();
    const [t3, t4] = this.getTargets();
    const r = realiseRecurrent(
      ops,
      this.shape,
      this.xBar.map((m) => ops.constant(m.data, m.rows, m.cols)),
      ops.constant(t3!.data, t3!.rows, t3!.cols),
      ops.constant(t4!.data, t4!.rows, t4!.cols),
      this.lambda,
      'hybrid',
    );
    this.setTargets([r.sums3.value, r.sums4.value]);
  }

  private lossFor(seq: Sequences, labels: Int32Array, indices: Int32Array) {
    const scored = batchLabels(this.architecture.readout, seq.time, labels, indices);
    return <T>(ops: Ops<T>, params: T[]): T => {
      const xBar = this.xBar.map((m) => ops.constant(m.data, m.rows, m.cols));
      const r = realiseRecurrent(ops, this.shape, xBar, params[0], params[1], this.lambda, this.cascade);
      const steps = stepInputs(ops, this.architecture.inputSize, seq, indices, params[2] ?? null);
      return ops.softmaxCrossEntropy(recurrentForward(ops, this.shape, steps, r.w3, r.w4, this.architecture.readout), scored);
    };
  }

  private accuracyOn(seq: Sequences, labels: Int32Array): number {
    const { w3, w4 } = this.realiseWeights();
    const ops = new Float64Ops();
    this.pullParams();
    const embedding = this.architecture.embedding ? ops.constant(this.params[2].data, this.params[2].rows, this.params[2].cols) : null;
    const all = allRows(seq.n);
    const out = recurrentForward(
      ops,
      this.shape,
      stepInputs(ops, this.architecture.inputSize, seq, all, embedding),
      ops.constant(w3.data, w3.rows, w3.cols),
      ops.constant(w4.data, w4.rows, w4.cols),
      this.architecture.readout,
    );
    return scoredAccuracy(out.value.data, batchLabels(this.architecture.readout, seq.time, labels, all), this.architecture.outputs);
  }
}

function resolveRecurrent(fn: string, arch: RecurrentArchitecture): TargetSpaceRnnCheckpoint['architecture'] {
  if (!arch || typeof arch !== 'object') throw new InvalidArgumentError(fn, 'architecture', 'must be an object {inputSize, hidden, outputs}', arch);
  checkNumber(fn, 'architecture.inputSize', arch.inputSize, { min: 1, integer: true });
  checkNumber(fn, 'architecture.hidden', arch.hidden, { min: 1, integer: true });
  checkNumber(fn, 'architecture.outputs', arch.outputs, { min: 1, integer: true });
  const activation = arch.activation ?? 'tanh';
  checkActivationName(fn, 'architecture.activation', activation, TARGET_SPACE_ACTIVATIONS);
  const readout = arch.readout ?? 'every-step';
  if (readout !== 'every-step' && readout !== 'last-step')
    throw new InvalidArgumentError(fn, 'architecture.readout', "must be 'every-step' or 'last-step'", readout);
  let embedding: { vocabulary: number; std: number } | undefined;
  if (arch.embedding) {
    checkNumber(fn, 'architecture.embedding.vocabulary', arch.embedding.vocabulary, { min: 1, integer: true });
    embedding = { vocabulary: arch.embedding.vocabulary, std: arch.embedding.std ?? 0.1 };
    checkNumber(fn, 'architecture.embedding.std', embedding.std, { min: 0, exclusiveMin: true });
  }
  return { inputSize: arch.inputSize, hidden: arch.hidden, outputs: arch.outputs, activation, readout, ...(embedding ? { embedding } : {}) };
}

function readRealisation(fn: string, input: TargetSpaceRnnOptions['realisationInputs'] | undefined, inputSize: number): [Matrix[], [number, number, number]] {
  if (input === undefined || input === null)
    throw new InvalidArgumentError(fn, 'options.realisationInputs', 'is required: the fixed realisation sequences X̄ [n̄_b, n̄_t, inputSize]', input);
  let data: ArrayLike<number>;
  let shape: [number, number, number];
  if (input instanceof tf.Tensor) {
    checkTensor(fn, 'options.realisationInputs', input, { shape: [null, null, inputSize], dtype: 'float32', finite: true });
    data = input.dataSync();
    shape = input.shape as [number, number, number];
  } else {
    shape = input.shape;
    data = input.data;
    if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== inputSize || data.length !== shape[0] * shape[1] * shape[2]) {
      throw new ShapeError(fn, 'options.realisationInputs', ['n̄_b', 'n̄_t', inputSize], Array.isArray(shape) ? shape : [data.length]);
    }
  }
  const [nb, nt, d] = shape;
  if (nb === 0 || nt === 0)
    throw new InvalidArgumentError(fn, 'options.realisationInputs', 'must hold at least one sequence of one step', `shape [${shape.join(', ')}]`);
  const steps: Matrix[] = [];
  for (let t = 0; t < nt; t++) {
    const m = new Float64Array(nb * d);
    for (let b = 0; b < nb; b++) for (let c = 0; c < d; c++) m[b * d + c] = data[(b * nt + t) * d + c];
    steps.push({ rows: nb, cols: d, data: m });
  }
  return [steps, shape];
}
