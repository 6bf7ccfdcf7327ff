/**
 * The weight-space twin of a {@link TargetSpaceMlp}: the same layers and wiring trained by ordinary backpropagation,
 * on the same engine, so that accuracy and cost per iteration compare like with like (paper §5, "weight space").
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber, checkTensor, createRng, matrixVariable, type Matrix } from '@beyond-backprop/core-linalg';
import {
  checkInit,
  exportModelName,
  initScheme,
  runFitLoop,
  type DenseInit,
  type FitOptions,
  type History,
  type ToLayersModelOptions,
} from '@beyond-backprop/training';
import { denseLayersModel, fanIns, resolveDenseArchitecture, type DenseArchitecture, type ResolvedDenseArchitecture } from './dense-architecture.js';
import { feedForward } from './realisation.js';
import { DenseBackpropF64 } from './dense-backprop-f64.js';
import { Float64Ops, TfOps } from './tensor-ops.js';
import { createFloat64Optimizer, resolveOptimizerConfig, tfOptimizerFor, type Float64Optimizer, type TargetOptimizerConfig } from './target-optimizer.js';

/**
 * Initial weights of the twin:
 * - `'glorot-truncated'` (default): the authors' "Glorot" — truncated normal (±2σ), `σ = √(6/(f + d_out))` with the
 *   bias row counted in the fan-in `f` and randomised too (the authors' code; the text does not define it);
 * - `'glorot-uniform'`: Keras' default, zero biases;
 * - `'he-normal'`: normal with `σ = √(2/f)`, bias row included (the authors' He variant).
 */
export type WeightInit = DenseInit;

let twinCounter = 0;

/** Options of {@link WeightSpaceMlp}. */
export interface WeightSpaceMlpOptions {
  init?: WeightInit;
  /** Default Adam 0.01 with TF1 constants. */
  optimizer?: TargetOptimizerConfig;
  /** `'float64'` (default) trains on the CPU tape like the target-space float64 engine; `'tfjs'` on the backend. */
  engine?: 'float64' | 'tfjs';
  seed?: number;
  /**
   * Start from these weights (`[f_j, d_j]`, bias in row 0, copied) instead of drawing them by `init` — e.g. a tfjs
   * model's initial weights, so both engines start from the same point.
   */
  weights?: Matrix[];
}

/** Weights `[f_j, d_j]` (bias in row 0) drawn by `init`. */
export function initialWeights(arch: ResolvedDenseArchitecture, init: WeightInit, seed: number): Matrix[] {
  const rng = createRng(seed).fork('weights');
  const f = fanIns(arch);
  return arch.layers.slice(1).map((d, i) => {
    const fi = f[i];
    const data = new Float64Array(fi * d);
    // Row 0 is the bias row: fan-in without it is fi − 1; zero biases leave it out of the stream.
    const scheme = initScheme(init, fi - 1, d);
    for (let k = scheme.randomBias ? 0 : d; k < data.length; k++) data[k] = scheme.draw(rng);
    return { rows: fi, cols: d, data };
  });
}

/** Copies of `weights` after checking them against the architecture's `[f_j, d_j]` shapes. */
function checkWeights(fn: string, arch: ResolvedDenseArchitecture, weights: Matrix[]): Matrix[] {
  const f = fanIns(arch);
  const dOut = arch.layers.slice(1);
  if (!Array.isArray(weights) || weights.length !== dOut.length)
    throw new InvalidArgumentError(fn, 'options.weights', `must hold ${dOut.length} matrices, one per layer`, weights);
  return weights.map((w, i) => {
    if (!w || w.rows !== f[i] || w.cols !== dOut[i] || w.data?.length !== f[i] * dOut[i]) {
      throw new InvalidArgumentError(fn, `options.weights[${i}]`, `must be a ${f[i]}×${dOut[i]} matrix (bias in row 0)`, w && `${w.rows}×${w.cols}`);
    }
    return { rows: w.rows, cols: w.cols, data: Float64Array.from(w.data) };
  });
}

/**
 * A dense network (same {@link DenseArchitecture} as the target-space one) trained by backpropagation, on the float64
 * tape or on TensorFlow.js. Mean softmax cross-entropy for int32 labels, mean squared error for float targets.
 *
 * @example
 * ```ts
 * const twin = new WeightSpaceMlp({ layers: [2, 5, 5, 5, 2], shortcuts: true }, { seed: 1 });
 * await twin.fit(x, y, { epochs: 1500 });
 * ```
 */
export class WeightSpaceMlp {
  readonly architecture: ResolvedDenseArchitecture;
  readonly engine: 'float64' | 'tfjs';
  private weights: Matrix[];
  private readonly optimizer: Float64Optimizer | null;
  private readonly tfOptimizer: tf.Optimizer | null;
  private vars: tf.Variable[] | null = null;
  private backprop: DenseBackpropF64 | null = null;

  constructor(architecture: DenseArchitecture, options: WeightSpaceMlpOptions = {}) {
    const fn = 'WeightSpaceMlp';
    this.architecture = resolveDenseArchitecture(fn, architecture);
    const init = options.init ?? 'glorot-truncated';
    checkInit(fn, init, 'options.init');
    const seed = options.seed ?? 0;
    checkNumber(fn, 'options.seed', seed, { integer: true });
    this.engine = options.engine ?? 'float64';
    if (this.engine !== 'float64' && this.engine !== 'tfjs') throw new InvalidArgumentError(fn, 'options.engine', "must be 'float64' or 'tfjs'", this.engine);
    this.weights = options.weights === undefined ? initialWeights(this.architecture, init, seed) : checkWeights(fn, this.architecture, options.weights);
    const config = resolveOptimizerConfig(fn, options.optimizer);
    this.optimizer = this.engine === 'float64' ? createFloat64Optimizer(config) : null;
    this.tfOptimizer = this.engine === 'tfjs' ? tfOptimizerFor(config) : null;
    if (this.engine === 'tfjs') this.vars = this.weights.map((w, i) => matrixVariable(w, `twin_w${i}_${twinCounter++}`));
  }

  /** Current weights, float64 copies, `[f_j, d_j]` with the bias in row 0. */
  getWeights(): Matrix[] {
    if (this.vars) this.weights = this.vars.map((v) => ({ rows: v.shape[0]!, cols: v.shape[1]!, data: Float64Array.from(v.dataSync()) }));
    return this.weights.map((w) => ({ ...w, data: w.data.slice() }));
  }

  /** Output logits `[n, d_out]`. */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    checkTensor('WeightSpaceMlp.predict', 'x', x, { shape: [null, this.architecture.layers[0]], dtype: 'float32' });
    const weights = this.getWeights();
    const ops = new Float64Ops();
    const out = feedForward(
      ops,
      this.architecture,
      ops.constant(Float64Array.from(x.dataSync()), x.shape[0], x.shape[1]),
      weights.map((w) => ops.constant(w.data, w.rows, w.cols)),
    );
    return tf.tensor2d(Float32Array.from(out.value.data), [out.rows, out.cols]);
  }

  /** A standard `tf.LayersModel` with these weights (`options.name` default `'weight_space_mlp'`). */
  toLayersModel(options?: ToLayersModelOptions | string): tf.LayersModel {
    return denseLayersModel(this.architecture, this.getWeights(), exportModelName('WeightSpaceMlp.toLayersModel', options, 'weight_space_mlp'));
  }

  /** Backpropagation with minibatches from {@link runFitLoop}; a non-finite loss is never applied. */
  async fit(x: tf.Tensor2D, y: tf.Tensor, options: FitOptions): Promise<History> {
    const fn = 'WeightSpaceMlp.fit';
    const dims = {};
    const out = this.architecture.layers[this.architecture.layers.length - 1];
    checkTensor(fn, 'x', x, { shape: ['n', this.architecture.layers[0]], dtype: 'float32', finite: true }, dims);
    const classification = y.dtype === 'int32';
    checkTensor(fn, 'y', y, { shape: classification ? ['n'] : ['n', out], finite: true }, dims);
    const xs = Float64Array.from(x.dataSync());
    const ys = classification ? Int32Array.from(y.dataSync()) : Float32Array.from(y.dataSync());
    const d1 = this.architecture.layers[0];
    // Batch buffers are reused while the batch size stays the same (every batch but a shorter last one).
    let bx = new Float64Array(0);
    let by: Int32Array | Float32Array = classification ? new Int32Array(0) : new Float32Array(0);
    return runFitLoop(fn, x.shape[0], options, {
      trainBatch: (indices) => {
        const n = indices.length;
        if (bx.length !== n * d1) {
          bx = new Float64Array(n * d1);
          by = classification ? new Int32Array(n) : new Float32Array(n * out);
        }
        for (let i = 0; i < n; i++) {
          const r = indices[i];
          for (let c = 0; c < d1; c++) bx[i * d1 + c] = xs[r * d1 + c];
          if (classification) by[i] = ys[r];
          else for (let c = 0; c < out; c++) by[i * out + c] = ys[r * out + c];
        }
        return this.engine === 'float64' ? this.stepFloat64(bx, by, n) : this.stepTf(bx, by, n);
      },
    });
  }

  /** Frees the tensors of the tfjs engine. */
  dispose(): void {
    if (this.vars) tf.dispose(this.vars);
    this.tfOptimizer?.dispose();
    this.vars = null;
  }

  private stepFloat64(bx: Float64Array, by: Int32Array | Float32Array, n: number): number {
    this.backprop ??= new DenseBackpropF64(this.architecture);
    const params = this.weights.map((m) => m.data);
    const value = this.backprop.step(params, bx, by, n);
    if (!Number.isFinite(value)) return value;
    this.optimizer!.apply(params, this.backprop.grads);
    return value;
  }

  private stepTf(bx: Float64Array, by: Int32Array | Float32Array, n: number): number {
    const ops = new TfOps();
    const vars = this.vars!;
    const { value, grads } = tf.variableGrads(() => {
      const logits = feedForward(ops, this.architecture, ops.constant(bx, n, this.architecture.layers[0]), vars as tf.Tensor2D[]);
      const loss = by instanceof Int32Array ? ops.softmaxCrossEntropy(logits, by) : ops.meanSquaredError(logits, by);
      return tf.reshape(loss, []) as tf.Scalar;
    }, vars);
    const loss = value.dataSync()[0];
    if (Number.isFinite(loss)) this.tfOptimizer!.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  }
}
