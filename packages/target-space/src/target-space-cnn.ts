/**
 * Convolutional networks trained in target space (Fairbank & Samothrakis §4.2, §4.2.1, §5.2).
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
import { convForward, convOutputSizes, realiseConv, resolveConv, type ConvArchitecture, type ConvShape } from './conv-realisation.js';
import { dropoutMask } from './dropout.js';
import { TfOps } from './tensor-ops.js';
import type { TargetOptimizer } from './target-optimizer.js';
import { TargetSpaceModel, type ParameterState } from './target-space-model.js';
import { scoredAccuracy } from './supervision.js';
import { convLayersModel } from './weight-space-cnn.js';

/** Construction options of {@link TargetSpaceCnn}. */
export interface TargetSpaceCnnOptions {
  /** Fixed realisation images X̄ `[n̄_b, H, W, C]` (the authors used the first 100 training images). */
  realisationInputs: tf.Tensor4D;
  /** Default 0.1 (§5.2). */
  lambda?: number;
  /** Std of the truncated-normal target initialisation. Default 0.1 (§5.2). */
  targetStd?: number;
  /** Default `true` (eq. 13). */
  projection?: boolean;
  /**
   * Drop probability, in both passes, on the outputs of every hidden dense layer and every conv layer followed by
   * pooling (after the pool; paper §5.2, footnote 4). Default 0.
   */
  dropout?: number;
  /**
   * Solve each conv layer's kernel from this many fixed, randomly chosen patch rows instead of all `n̄_b·H·W` of
   * them (eqs. 19–20, suggested in §4.2.1 but not evaluated in the paper): far cheaper for deep channels. Default:
   * all rows.
   */
  patchRows?: number;
  /** Default Adam 0.01 (§5.2). */
  optimizer?: TargetOptimizer;
  precision?: RidgePrecision;
  seed?: number;
}

/**
 * Options of {@link TargetSpaceCnn.fit}: the shared `FitOptions`; `validationData` (`[x: [n, H, W, C], y: [n]]`) is
 * reported as `valAccuracy`, `trackAccuracy` / `metrics: ['accuracy']` add the training `accuracy`.
 */
export type TargetSpaceCnnFitOptions = FitOptions;

/** JSON-serialisable state of a {@link TargetSpaceCnn}. */
export interface TargetSpaceCnnCheckpoint extends CheckpointEnvelope<'TargetSpaceCnn'> {
  architecture: ConvShape;
  options: { lambda: number; targetStd: number; dropout: number; patchRows: number | null; precision: RidgePrecision; seed: number };
  realisationInputs: { shape: [number, number, number, number]; data: number[] };
  patchIndices: number[][];
  state: ParameterState;
}

/**
 * A convolutional network trained in target space. Conv kernels and dense weights are realised from targets on the
 * fixed realisation images; training is Adam (or any optimiser) on the targets with gradients through the solves.
 * Runs on the TensorFlow.js engine (conv layers are large); solves factorise in float64.
 *
 * @example
 * ```ts
 * const net = new TargetSpaceCnn(
 *   { input: [28, 28, 1], conv: [{ kernel: 3, channels: 16, pool: 2 }], dense: [64], outputs: 10 },
 *   { realisationInputs: xTrain.slice([0, 0, 0, 0], [100, 28, 28, 1]), patchRows: 4000 },
 * );
 * await net.fit(xTrain, yTrain, { epochs: 2, batchSize: 100 });
 * ```
 */
export class TargetSpaceCnn extends TargetSpaceModel {
  readonly architecture: ConvShape;
  readonly lambda: number;
  readonly targetStd: number;
  readonly dropout: number;
  readonly patchRowCount: number | null;
  private readonly xBar: tf.Tensor4D;
  private readonly patchIndices: Int32Array[];
  private readonly patchTensors: Array<tf.Tensor1D | null>;

  constructor(architecture: ConvArchitecture, options: TargetSpaceCnnOptions) {
    const fn = 'TargetSpaceCnn';
    const shape = resolveConv(fn, architecture);
    if (!options || !(options.realisationInputs instanceof tf.Tensor)) {
      throw new InvalidArgumentError(fn, 'options.realisationInputs', 'is required: the fixed realisation images X̄ [n̄_b, H, W, C]', options?.realisationInputs);
    }
    checkTensor(fn, 'options.realisationInputs', options.realisationInputs, { shape: [null, ...shape.input], dtype: 'float32', finite: true });
    super(fn, { ...options, engine: 'tfjs', optimizer: options.optimizer ?? { kind: 'adam', learningRate: 0.01 } }, Number.POSITIVE_INFINITY);
    this.architecture = shape;
    this.xBar = tf.keep(tf.clone(options.realisationInputs));
    this.lambda = options.lambda ?? 0.1;
    checkNumber(fn, 'options.lambda', this.lambda, { min: 0, exclusiveMin: true });
    this.targetStd = options.targetStd ?? 0.1;
    checkNumber(fn, 'options.targetStd', this.targetStd, { min: 0, exclusiveMin: true });
    this.dropout = options.dropout ?? 0;
    checkNumber(fn, 'options.dropout', this.dropout, { min: 0, max: 1, exclusiveMax: true });
    const nb = this.xBar.shape[0];
    this.patchRowCount = options.patchRows ?? null;
    // Patch rows of conv layer j: n̄_b images × the layer's input resolution.
    let [h, w] = [shape.input[0], shape.input[1]];
    const rowsPerLayer = shape.conv.map((c) => {
      const r = nb * h * w;
      [h, w] = [Math.ceil(h / c.pool), Math.ceil(w / c.pool)];
      return r;
    });
    if (this.patchRowCount !== null) checkNumber(fn, 'options.patchRows', this.patchRowCount, { min: 1, integer: true });
    const prng = createRng(this.seed).fork('patches');
    this.patchIndices = rowsPerLayer.map((r) =>
      this.patchRowCount === null || this.patchRowCount >= r
        ? new Int32Array(0)
        : Int32Array.from(
            prng
              .permutation(r)
              .slice(0, this.patchRowCount)
              .sort((p, q) => p - q),
          ),
    );
    this.patchTensors = this.patchIndices.map((idx) => (idx.length > 0 ? tf.keep(tf.tensor1d(idx, 'int32')) : null));
    const rng = createRng(this.seed).fork('targets');
    const targetRows = [
      ...rowsPerLayer.map((r, j) => (this.patchIndices[j].length > 0 ? this.patchIndices[j].length : r)),
      ...[...shape.dense, shape.outputs].map(() => nb),
    ];
    const widths = [...shape.conv.map((c) => c.channels), ...shape.dense, shape.outputs];
    this.setParams(
      widths.map((d, j) => ({
        rows: targetRows[j],
        cols: d,
        data: Float64Array.from({ length: targetRows[j] * d }, () => rng.truncatedNormal(0, this.targetStd)),
      })),
      widths.length,
    );
    if (options.projection ?? true) this.setTargets(this.achievedSums());
  }

  /** Sums the realised weights achieve on X̄ (the projection of eq. 13 sets the targets to them). */
  achievedSums(): Matrix[] {
    const sums = tf.tidy(() => realiseConv(this.architecture, this.xBar, this.targetTensors(), this.lambda, this.precision, this.patchTensors).sums);
    const out = sums.map((s) => ({ rows: s.shape[0], cols: s.shape[1], data: Float64Array.from(s.dataSync()) }));
    tf.dispose(sums);
    return out;
  }

  /** Realised weights (no dropout), float64 `[f, d]` with the bias in row 0; conv kernels in im2col row order. */
  realiseWeights(): Matrix[] {
    const ws = tf.tidy(() => realiseConv(this.architecture, this.xBar, this.targetTensors(), this.lambda, this.precision, this.patchTensors).weights);
    const out = ws.map((w) => ({ rows: w.shape[0], cols: w.shape[1], data: Float64Array.from(w.dataSync()) }));
    tf.dispose(ws);
    return out;
  }

  /** Logits `[n, outputs]` for images `[n, H, W, C]` (weights realised without dropout). */
  predict(x: tf.Tensor4D, batchSize = 256): tf.Tensor2D {
    this.assertLive('predict');
    checkTensor('TargetSpaceCnn.predict', 'x', x, { shape: [null, ...this.architecture.input], dtype: 'float32' });
    const weights = this.realiseWeights().map((w) => tf.tensor2d(Float32Array.from(w.data), [w.rows, w.cols]));
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < x.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, x.shape[0] - start);
      parts.push(tf.tidy(() => convForward(this.architecture, tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D, weights)));
    }
    const out = parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D);
    if (parts.length > 1) tf.dispose(parts);
    tf.dispose(weights);
    return out;
  }

  /** A standard tfjs model (conv2d + max-pool + flatten + dense) with the realised weights. */
  toLayersModel(options?: ToLayersModelOptions): tf.LayersModel {
    const name = exportModelName('TargetSpaceCnn.toLayersModel', options, 'target_space_cnn');
    const s = this.architecture;
    const weights = this.realiseWeights();
    const model = convLayersModel(s, { name });
    let channels = s.input[2];
    const tensors: tf.Tensor[] = [];
    s.conv.forEach((c, j) => {
      const w = weights[j];
      tensors.push(
        tf.tensor4d(Float32Array.from(w.data.subarray(w.cols)), [c.kernel, c.kernel, channels, c.channels]),
        tf.tensor1d(Float32Array.from(w.data.subarray(0, w.cols))),
      );
      channels = c.channels;
    });
    [...s.dense, s.outputs].forEach((_, i) => {
      const w = weights[s.conv.length + i];
      tensors.push(tf.tensor2d(Float32Array.from(w.data.subarray(w.cols)), [w.rows - 1, w.cols]), tf.tensor1d(Float32Array.from(w.data.subarray(0, w.cols))));
    });
    model.setWeights(tensors);
    tf.dispose(tensors);
    return model;
  }

  /** Loss and target gradients for one batch (no update). */
  lossAndGradients(x: tf.Tensor4D, y: tf.Tensor1D, iteration = this.iterations): { loss: number; gradients: Matrix[] } {
    this.assertLive('lossAndGradients');
    const { labels } = this.checkData('TargetSpaceCnn.lossAndGradients', x, y);
    const all = Int32Array.from({ length: x.shape[0] }, (_, i) => i);
    return this.evaluate(this.lossFor(x, labels, all, iteration) as never);
  }

  /** Trains on images `x: [n, H, W, C]` with int32 labels `y: [n]` (mean softmax cross-entropy over labels ≥ 0; −1 = not scored). */
  async fit(x: tf.Tensor4D, y: tf.Tensor1D, options: TargetSpaceCnnFitOptions): Promise<History> {
    this.assertLive('fit');
    const fn = 'TargetSpaceCnn.fit';
    const { labels } = this.checkData(fn, x, y);
    let validation: { x: tf.Tensor4D; labels: Int32Array } | null = null;
    if (options?.validationData) {
      const [vx, vy] = options.validationData as [tf.Tensor4D, tf.Tensor1D];
      validation = { x: vx, labels: this.checkData(fn, vx, vy).labels };
    }
    const accuracyOn = (images: tf.Tensor4D, scored: Int32Array) => {
      const logits = this.predict(images);
      const acc = scoredAccuracy(logits.dataSync(), scored, this.architecture.outputs);
      logits.dispose();
      return acc;
    };
    const trainAccuracy = tracksAccuracy(options);
    return runFitLoop(fn, x.shape[0], options, {
      trainBatch: (indices) => this.trainStep(this.lossFor(x, labels, indices, this.iterations) as never),
      evaluate:
        validation || trainAccuracy
          ? () => ({
              ...(trainAccuracy ? { accuracy: accuracyOn(x, labels) } : {}),
              ...(validation ? { valAccuracy: accuracyOn(validation.x, validation.labels) } : {}),
            })
          : undefined,
      state: this.parameterSnapshots(),
    });
  }

  /** Serialisable state for an exact resume. */
  async checkpoint(): Promise<TargetSpaceCnnCheckpoint> {
    return {
      ...checkpointEnvelope('TargetSpaceCnn'),
      architecture: this.architecture,
      options: {
        lambda: this.lambda,
        targetStd: this.targetStd,
        dropout: this.dropout,
        patchRows: this.patchRowCount,
        precision: this.precision,
        seed: this.seed,
      },
      realisationInputs: { shape: this.xBar.shape, data: Array.from(this.xBar.dataSync()) },
      patchIndices: this.patchIndices.map((p) => Array.from(p)),
      state: await this.parameterState(),
    };
  }

  /**
   * Rebuilds a network from {@link checkpoint}, validating every field like `TargetSpaceMlp.fromCheckpoint`.
   *
   * @example
   * ```ts
   * const again = await TargetSpaceCnn.fromCheckpoint(await net.checkpoint());
   * ```
   */
  static async fromCheckpoint(ckpt: TargetSpaceCnnCheckpoint): Promise<TargetSpaceCnn> {
    return TargetSpaceModel.rebuild('TargetSpaceCnn', ckpt, (body, optimizer) => {
      const r = new CheckpointReader('TargetSpaceCnn.fromCheckpoint');
      const x = r.object('realisationInputs', body.realisationInputs);
      const shape = r.array('realisationInputs.shape', x.shape, 4).map((d, i) => r.integer(`realisationInputs.shape[${i}]`, d, 1)) as [
        number,
        number,
        number,
        number,
      ];
      const data = r.finiteArray(
        'realisationInputs.data',
        x.data,
        shape.reduce((a, b) => a * b, 1),
      );
      const { patchRows, ...rest } = body.options as TargetSpaceCnnCheckpoint['options'];
      const xBar = tf.tensor4d(data, shape);
      try {
        return new TargetSpaceCnn(body.architecture as TargetSpaceCnnCheckpoint['architecture'], {
          ...rest,
          ...(patchRows === null ? {} : { patchRows }),
          realisationInputs: xBar,
          projection: false,
          optimizer,
        });
      } finally {
        xBar.dispose();
      }
    });
  }

  protected override disposeExtra(): void {
    this.xBar.dispose();
    tf.dispose(this.patchTensors.filter((t): t is tf.Tensor1D => t !== null));
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The targets as tensors (for realisations outside a gradient computation). */
  private targetTensors(): tf.Tensor2D[] {
    return this.getTargets().map((t) => tf.tensor2d(Float32Array.from(t.data), [t.rows, t.cols]));
  }

  /** Dropout masks: conv layers followed by pooling, and hidden dense layers (paper §5.2, footnote 4). */
  private masks(pass: 'realisation' | 'training', n: number, iteration: number): Array<Float64Array | null> | undefined {
    if (this.dropout === 0) return undefined;
    const rng = createRng(`dropout:${this.seed}:${iteration}:${pass}`);
    const sizes = convOutputSizes(this.architecture);
    const conv = this.architecture.conv.map((c, j) => (c.pool > 1 ? dropoutMask(rng, n * sizes[j][0] * sizes[j][1] * c.channels, this.dropout) : null));
    const dense = [...this.architecture.dense.map((d) => dropoutMask(rng, n * d, this.dropout)), null];
    return [...conv, ...dense];
  }

  private maskTensors(masks: Array<Float64Array | null> | undefined, n: number): Array<tf.Tensor | null> | undefined {
    if (!masks) return undefined;
    const sizes = convOutputSizes(this.architecture);
    return masks.map((m, j) => {
      if (!m) return null;
      if (j < this.architecture.conv.length) return tf.tensor4d(Float32Array.from(m), [n, sizes[j][0], sizes[j][1], this.architecture.conv[j].channels]);
      return tf.tensor2d(Float32Array.from(m), [n, this.architecture.dense[j - this.architecture.conv.length]]);
    });
  }

  private lossFor(x: tf.Tensor4D, labels: Int32Array, indices: Int32Array, iteration: number) {
    const nb = this.xBar.shape[0];
    const realMasks = this.masks('realisation', nb, iteration);
    const trainMasks = this.masks('training', indices.length, iteration);
    const batchLabels = Int32Array.from(indices, (i) => labels[i]);
    return (_ops: unknown, params: tf.Tensor2D[]): tf.Tensor2D => {
      const r = realiseConv(this.architecture, this.xBar, params, this.lambda, this.precision, this.patchTensors, this.maskTensors(realMasks, nb));
      const xb = tf.gather(x, tf.tensor1d(indices, 'int32')) as tf.Tensor4D;
      const logits = convForward(this.architecture, xb, r.weights, this.maskTensors(trainMasks, indices.length));
      return new TfOps().softmaxCrossEntropy(logits, batchLabels);
    };
  }

  private checkData(fn: string, x: tf.Tensor4D, y: tf.Tensor1D): { labels: Int32Array } {
    const dims = {};
    checkTensor(fn, 'x', x, { shape: ['n', ...this.architecture.input], dtype: 'float32' }, dims);
    if (x.shape[0] === 0) throw new InvalidArgumentError(fn, 'x', 'must contain at least one image', 'an empty tensor');
    checkTensor(fn, 'y', y, { shape: ['n'], dtype: 'int32' }, dims);
    const labels = Int32Array.from(y.dataSync() as Int32Array);
    labels.forEach((l, i) => {
      if (l < -1 || l >= this.architecture.outputs)
        throw new InvalidArgumentError(fn, `y[${i}]`, `must be a class index in [0, ${this.architecture.outputs}) or −1 to skip`, l);
    });
    return { labels };
  }
}
