/**
 * A fitted Platonic network: its weights, a forward pass in the precision it was fitted in, and export to a
 * standard `tf.LayersModel` (for `save()`, serving, or fine-tuning by backprop — the hybrid start of §7.10.3 item 9).
 */
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, InvalidArgumentError, ShapeError, checkMatrix, checkTensor, toMatrix, type Matrix } from '@beyond-backprop/core-linalg';
import { activateInPlace, type PlatonicActivation } from './activation.js';
import { classScores, predictedClasses, type ClassCoding } from './class-targets.js';
import { arithmeticFor, type Precision } from './precision.js';

/** What a fit recorded, layer by layer (the per-layer LSD is what Fig. 7.5–7.7 and 7.10 plot). */
export interface PlatonicDiagnostics {
  /** LSD (Eq. 5.3, bias column included, layer solver) of each kept hidden representation `Z_i`. */
  layerLSD: number[];
  /** Every try's LSD per layer (`tryLSD[i][t]`); non-finite candidates are `Infinity`. */
  tryLSD: number[][];
  /** The try kept at each layer (0-based): the lowest LSD, earliest on ties. */
  chosenTry: number[];
  /** Numerical rank of `[1 | Z_i]`, the matrix the next layer (or the readout) solves from. */
  numericalRank: number[];
  /** Numerical rank of `[1 | X]` when a layer solved from it (`null` for Sorted-PCA or random-W first layers). */
  inputRank: number | null;
  /** Wall time of each hidden layer (all tries), seconds. */
  seconds: number[];
  /** Wall time of the readout solve, seconds. */
  readoutSeconds: number;
  /** Wall time of the whole fit, seconds. */
  totalSeconds: number;
  /** Training mean squared error of the readout, averaged over all `m·k` entries. */
  trainMSE: number;
  /** Fallbacks and suspicious settings noticed during the fit. */
  warnings: string[];
  /**
   * The per-example weights `r` of re-weighted Platonic PCA after the last hidden layer (§7.9.3:
   * `r ← λ_EMA·r + (1 − λ_EMA)·‖y_j − ŷ_j‖²`), or `null` without re-weighting.
   */
  rowWeights: Float64Array | null;
  /** `'aborted'` when the signal stopped the fit early; the readout then sits on the last completed layer. */
  stopReason: 'completed' | 'aborted';
}

/** Everything a {@link PlatonicModel} is made of. */
export interface PlatonicModelParts {
  /** `W_1 … W_L`, each `(h_{i−1} + 1) × h_i`, row 0 the bias. */
  weights: Matrix[];
  /** `(h_L + 1) × k` linear readout, row 0 the bias. */
  readout: Matrix;
  /** One activation per hidden layer. */
  activations: PlatonicActivation[];
  /** Negative slope of `'leakyRelu'`. */
  leakyAlpha: number;
  /** Precision of the forward pass (the fit's). */
  precision: Precision;
  /** Class coding for classification fits, `null` for regression. */
  classes: ClassCoding | null;
  diagnostics: PlatonicDiagnostics;
}

/** Options of {@link PlatonicModel.toLayersModel}. */
export interface LayersModelExportOptions {
  /** Layer-name prefix. Default `'platonic'`. */
  name?: string;
  /**
   * `'targets'` (default): the readout's `k` outputs. `'classScores'` (classification fits): `numClasses` logits,
   * `[−ŷ, ŷ]` for ±1 coding as a 2-unit dense layer, so the model can be fine-tuned with softmax cross-entropy.
   */
  output?: 'targets' | 'classScores';
  /**
   * Which layers a backprop fine-tune may change. `'all'` (default): every layer. `'readout'`: only the readout; the
   * hidden layers are exported with `trainable = false`. Use `'readout'` to fine-tune pseudo-inverse and small-λ ridge
   * fits: their outputs rest on cancellations between large hidden weights (|W| ≈ 2e3 for two spirals with ridge
   * λ = 1e-6, up to 1e12 with pinv), so `∂L/∂W₁` is amplified by the product of the downstream weights and one
   * Adam or SGD step at lr 1e-4 on the hidden layers throws the fit away (cross-entropy 0.15 → 80, accuracy to chance),
   * while the readout sees bounded features and fine-tunes safely.
   */
  trainable?: 'all' | 'readout';
}

function withBias(z: Matrix): Matrix {
  const { rows, cols } = z;
  const p = cols + 1;
  const out = new Float64Array(rows * p);
  for (let i = 0; i < rows; i++) {
    out[i * p] = 1;
    out.set(z.data.subarray(i * cols, (i + 1) * cols), i * p + 1);
  }
  return { rows, cols: p, data: out };
}

/** @internal `[1 | Z]`. */
export const prependOnes = withBias;

/**
 * A network fitted by {@link fitPlatonic}: `Z_i = σ_i([1 | Z_{i−1}]·W_i)`, `Ŷ = [1 | Z_L]·W_{L+1}` (linear
 * readout).
 *
 * @example
 * ```ts
 * const model = await fitPlatonic(x, labels, { hiddenWidths: [32, 32], activation: 'tanh', beta: 2 });
 * model.predictClasses(x);                     // Int32Array of class indices
 * const tfModel = model.toLayersModel();       // a standard tf.LayersModel
 * await tfModel.save('localstorage://platonic');
 * ```
 */
export class PlatonicModel {
  /** Input features `n`. */
  readonly inputSize: number;
  /** Readout outputs `k`. */
  readonly outputSize: number;
  /** `W_1 … W_L`, each `(h_{i−1} + 1) × h_i`, row 0 the bias. */
  readonly weights: readonly Matrix[];
  /** `(h_L + 1) × k`, row 0 the bias. */
  readonly readout: Matrix;
  /** One activation per hidden layer. */
  readonly activations: readonly PlatonicActivation[];
  /** Negative slope of `'leakyRelu'`. */
  readonly leakyAlpha: number;
  /** Precision of {@link PlatonicModel.forward} (the fit's). */
  readonly precision: Precision;
  /** Class coding of a classification fit, `null` for regression. */
  readonly classes: ClassCoding | null;
  /** What the fit recorded. */
  readonly diagnostics: PlatonicDiagnostics;

  constructor(parts: PlatonicModelParts) {
    const first = parts.weights[0] ?? parts.readout;
    this.inputSize = first.rows - 1;
    this.outputSize = parts.readout.cols;
    this.weights = parts.weights;
    this.readout = parts.readout;
    this.activations = parts.activations;
    this.leakyAlpha = parts.leakyAlpha;
    this.precision = parts.precision;
    this.classes = parts.classes;
    this.diagnostics = parts.diagnostics;
  }

  /** Hidden widths `h_1 … h_L`. */
  get hiddenWidths(): number[] {
    return this.weights.map((w) => w.cols);
  }

  /** Number of parameters, biases included. */
  get parameterCount(): number {
    return [...this.weights, this.readout].reduce((s, w) => s + w.rows * w.cols, 0);
  }

  /**
   * Forward pass on the host in the fit's precision: every hidden representation `Z_i` (`m × h_i`, without the bias
   * column) and the readout `Ŷ` (`m × k`). For a float64 fit without input standardisation, `hidden[i]` is
   * bit-identical to the `Z_i` the fit solved from.
   */
  forward(x: Matrix): { hidden: Matrix[]; output: Matrix } {
    const fn = 'PlatonicModel.forward';
    checkMatrix(fn, 'x', x);
    if (x.cols !== this.inputSize) throw new ShapeError(fn, 'x', ['n', this.inputSize], [x.rows, x.cols], 'one column per input feature of the fitted network');
    const arithmetic = arithmeticFor(this.precision);
    const hidden: Matrix[] = [];
    let z = x;
    if (this.precision !== 'float64') {
      z = { rows: x.rows, cols: x.cols, data: x.data.slice() };
      arithmetic.round(z.data);
    }
    this.weights.forEach((w, i) => {
      const s = arithmetic.matmul(withBias(z), w);
      activateInPlace(s.data, this.activations[i], this.leakyAlpha);
      arithmetic.round(s.data);
      hidden.push(s);
      z = s;
    });
    const output = arithmetic.matmul(withBias(z), this.readout);
    return { hidden, output };
  }

  /** Readout outputs `Ŷ` (`m × k`) as a float64 matrix. */
  predictMatrix(x: Matrix): Matrix {
    return this.forward(x).output;
  }

  /**
   * Readout outputs `Ŷ` as a float32 tensor `[m, k]`, computed on the host in the fit's precision (use
   * {@link PlatonicModel.toLayersModel} for a TensorFlow.js graph).
   */
  predict(x: tf.Tensor | Matrix): tf.Tensor2D {
    const out = this.predictMatrix(this.inputMatrix('PlatonicModel.predict', x));
    return tf.tensor2d(Float32Array.from(out.data), [out.rows, out.cols], 'float32');
  }

  /** Class scores `m × numClasses` (`[−ŷ, ŷ]` for ±1 coding); classification fits only. */
  classScores(x: tf.Tensor | Matrix): Matrix {
    return classScores(this.predictMatrix(this.inputMatrix('PlatonicModel.classScores', x)), this.requireClasses('PlatonicModel.classScores'));
  }

  /** Predicted class per row: `sign(ŷ)` for ±1 coding, arg-max for one-hot (thesis Fig. 7.3 lines 22–26, §7.9.2). Classification fits only. */
  predictClasses(x: tf.Tensor | Matrix): Int32Array {
    return predictedClasses(this.predictMatrix(this.inputMatrix('PlatonicModel.predictClasses', x)), this.requireClasses('PlatonicModel.predictClasses'));
  }

  /**
   * The same network as a standard functional `tf.LayersModel`: `Dense(h_i)` + activation per hidden layer, a
   * linear `Dense` readout; kernels are rows `1…` of each `W_i`, biases row 0, rounded to float32. It `predict`s,
   * `save`s and trains like any tfjs model (`fitBackprop(model, …)` fine-tunes it). A float64 fit whose weights rely
   * on cancellation between large entries can lose accuracy in float32; compare its predictions with
   * {@link PlatonicModel.predictMatrix}.
   */
  toLayersModel(options: LayersModelExportOptions = {}): tf.LayersModel {
    const fn = 'PlatonicModel.toLayersModel';
    const prefix = options.name ?? 'platonic';
    const output = options.output ?? 'targets';
    if (output !== 'targets' && output !== 'classScores') throw new InvalidArgumentError(fn, 'options.output', "must be 'targets' or 'classScores'", output);
    const trainable = options.trainable ?? 'all';
    if (trainable !== 'all' && trainable !== 'readout') throw new InvalidArgumentError(fn, 'options.trainable', "must be 'all' or 'readout'", trainable);
    const classes = output === 'classScores' ? this.requireClasses(fn) : null;
    const input = tf.input({ shape: [this.inputSize], name: `${prefix}_input` });
    let h: tf.SymbolicTensor = input;
    const assignments: Array<{ layer: tf.layers.Layer; w: Matrix; mirror: boolean }> = [];
    this.weights.forEach((w, i) => {
      const layer = tf.layers.dense({ units: w.cols, name: `${prefix}_hidden_${i + 1}`, trainable: trainable === 'all' });
      h = layer.apply(h) as tf.SymbolicTensor;
      const act = this.activations[i];
      if (act !== 'linear') h = ACTIVATIONS[act].layer({ alpha: this.leakyAlpha, name: `${prefix}_act_${i + 1}` })!.apply(h) as tf.SymbolicTensor;
      assignments.push({ layer, w, mirror: false });
    });
    const mirror = classes?.coding === 'plusMinusOne';
    const readoutLayer = tf.layers.dense({ units: mirror ? 2 : this.outputSize, name: `${prefix}_readout` });
    const out = readoutLayer.apply(h) as tf.SymbolicTensor;
    assignments.push({ layer: readoutLayer, w: this.readout, mirror });
    const model = tf.model({ inputs: input, outputs: out, name: prefix });
    for (const { layer, w, mirror: mirrored } of assignments) {
      const units = mirrored ? 2 : w.cols;
      const kernel = new Float32Array((w.rows - 1) * units);
      const bias = new Float32Array(units);
      for (let r = 0; r < w.rows; r++) {
        for (let c = 0; c < units; c++) {
          const v = mirrored ? (c === 0 ? -w.data[r] : w.data[r]) : w.data[r * w.cols + c];
          if (r === 0) bias[c] = v;
          else kernel[(r - 1) * units + c] = v;
        }
      }
      const kt = tf.tensor2d(kernel, [w.rows - 1, units]);
      const bt = tf.tensor1d(bias);
      layer.setWeights([kt, bt]);
      tf.dispose([kt, bt]);
    }
    return model;
  }

  private requireClasses(fn: string): ClassCoding {
    if (!this.classes) throw new InvalidArgumentError(fn, 'this', 'needs a classification fit (labels given to fitPlatonic)', 'a regression model');
    return this.classes;
  }

  private inputMatrix(fn: string, x: tf.Tensor | Matrix): Matrix {
    if (x instanceof tf.Tensor) {
      checkTensor(fn, 'x', x, { shape: [null, this.inputSize] });
      return toMatrix(x, { fn, argument: 'x' });
    }
    return x;
  }
}
