/**
 * Fitting an MLP with Platonic projections (thesis ch. 7): bottom-up, one least-squares problem per layer, no
 * gradients and no passes over the data beyond the products. Each hidden layer's pre-activation target is a
 * projection of `α·[Z̄ | β·Y]`; its weights come from a pseudo-inverse (or least squares, or ridge); the readout is a
 * linear least-squares fit (§7.3.2, Fig. 7.3, §7.5.1–7.5.2, §7.8, §7.9.3).
 */
import * as tf from '@tensorflow/tfjs';
import {
  InvalidArgumentError,
  LEAKY_RELU_ALPHA,
  NonFiniteError,
  ShapeError,
  checkFiniteValues,
  checkMatrix,
  checkNumber,
  checkTensor,
  matmulF64,
  scale as scaleMatrix,
  toMatrix,
  type Matrix,
} from '@beyond-backprop/core-linalg';
import { activateInPlace, checkActivation, type PlatonicActivation } from './activation.js';
import { classTargets, type ClassCoding, type TargetCoding } from './class-targets.js';
import { checkSolverSpec, prepareSolver, sameSolver, type PreparedSolver, type SolverSpec } from './least-squares-solver.js';
import { augmentedMatrix, gaussianMatrix } from './platonic-projection.js';
import { platonicPCAProjection } from './platonic-pca.js';
import { PlatonicModel, prependOnes, type PlatonicDiagnostics } from './platonic-model.js';
import { arithmeticFor, type Arithmetic, type Precision } from './precision.js';
import { sortedPCAWeights } from './sorted-pca.js';

/**
 * How the hidden layers' targets (and so their weights) are chosen.
 *
 * - `gaussian`: `T = α·[Z̄ | β·Y]·P`, `P ~ N(0, 1)`, the best of `nTries` draws by LSD (§7.3–7.5).
 * - `platonicPCA`: `P` = the leading principal components of `α·[Z̄ | β·(r ⊙ Y)]` (§7.8.1), deterministic.
 *   `center` (default true) centres the covariance; `centerTargets` (default false) uses `(A − 1μᵀ)·P` as the target
 *   instead of `A·P`; `reweight` turns on the per-example EMA weights `r` of §7.9.3 (`lambdaEma` weighs the old value;
 *   0.2 in the text, 0.02 in Table 7.3's caption), applied to the PCA only unless `weightTargets`.
 * - `yOnly`: the ablation `T = α·β·Y·P` of §7.10.2 (hidden targets from the labels alone), Gaussian `P`.
 */
export type ProjectionSpec =
  | { kind: 'gaussian'; nTries?: number }
  | { kind: 'platonicPCA'; center?: boolean; centerTargets?: boolean; reweight?: { lambdaEma: number; weightTargets?: boolean } }
  | { kind: 'yOnly'; nTries?: number };

/**
 * The first hidden layer: any {@link ProjectionSpec}, or
 *
 * - `sortedPCA`: weights are input rows chosen along the first principal component (§7.8.2); inputs should be
 *   centred (see `standardize`);
 * - `randomW`: `W₁ ~ N(0, 1)`, bias row included, the Extreme Learning Machine baseline (§7.4, §7.9.2), best of
 *   `nTries` by LSD.
 */
export type FirstLayerSpec = ProjectionSpec | { kind: 'sortedPCA'; source?: 'X' | 'XY' } | { kind: 'randomW'; nTries?: number };

/** Everything that defines a Platonic fit except the data and the seed. */
export interface PlatonicConfig {
  /** Hidden widths `h_1 … h_L`; may be empty (a linear least-squares model). */
  hiddenWidths: number[];
  /** Hidden activation, shared or one per layer. Default `'tanh'`. */
  activation?: PlatonicActivation | PlatonicActivation[];
  /** Negative slope of `'leakyRelu'`. Default 0.2. */
  leakyAlpha?: number;
  /** α: scales the augmented matrix, bias column included (§7.5.2). Default 1. */
  alpha?: number;
  /** β: weight of `Y` against `Z̄` (§7.5.2). Default 1. */
  beta?: number;
  /** Targets of hidden layers 2…L (and of layer 1 unless `firstLayer` says otherwise). Default Gaussian, 1 try. */
  projection?: ProjectionSpec;
  /** Layer 1. Default: `projection`. */
  firstLayer?: FirstLayerSpec;
  /** Solver of the hidden layers and of the LSD. Default `{ kind: 'pinv' }` (torch's default cut-off). */
  solver?: SolverSpec;
  /** Solver of the readout. Default: `solver`. */
  readoutSolver?: SolverSpec;
  /** Precision mode (see {@link Precision}). Default `'float64'`. */
  precision?: Precision;
  /**
   * Standardise the inputs with training statistics before fitting (`'per-feature'`: each column to mean 0, std 1;
   * `'global'`: one mean and std over all entries, the usual MNIST normalisation). The statistics are folded into
   * `W_1`, so the fitted network still takes raw inputs. Sorted PCA needs centred inputs (§7.8.2). Default
   * `'none'`.
   */
  standardize?: 'none' | 'per-feature' | 'global';
  /** How class labels become targets. Default `'auto'` (±1 for two classes, one-hot otherwise). */
  targetCoding?: TargetCoding;
  /** Number of classes when labels are given. Default: largest label + 1 (at least 2). */
  numClasses?: number;
}

/** Logged after each hidden layer. */
export interface PlatonicLayerLogs {
  /** LSD of the kept representation. */
  lsd: number;
  /** Try kept (0-based). */
  chosenTry: number;
  /** Numerical rank of `[1 | Z_i]`. */
  rank: number;
  /** Units in the layer. */
  width: number;
  /** Wall time of the layer, seconds. */
  seconds: number;
}

/** What {@link PlatonicCallbacks.onTrainBegin} receives. */
export interface PlatonicFitInfo {
  layers: number;
  examples: number;
  features: number;
  outputs: number;
}

/**
 * Progress hooks of {@link fitPlatonic}; each may be async. Layers are 0-based (`weights[layer]`). The begin/end hooks
 * carry the fit loop's names (`onTrainBegin` / `onTrainEnd`, as in `@beyond-backprop/training` and tfjs).
 */
export interface PlatonicCallbacks {
  onTrainBegin?: (info: PlatonicFitInfo) => void | Promise<void>;
  /** @deprecated Use {@link PlatonicCallbacks.onTrainBegin}; still called (after it). */
  onFitBegin?: (info: PlatonicFitInfo) => void | Promise<void>;
  /** After every candidate of a layer, with its LSD (`Infinity` when its representation was not finite). */
  onTryEnd?: (layer: number, tryIndex: number, logs: { lsd: number }) => void | Promise<void>;
  onLayerEnd?: (layer: number, logs: PlatonicLayerLogs) => void | Promise<void>;
  /** When a fallback or a suspicious setting is noticed (also kept in `diagnostics.warnings`). */
  onWarning?: (message: string) => void;
  onTrainEnd?: (model: PlatonicModel) => void | Promise<void>;
  /** @deprecated Use {@link PlatonicCallbacks.onTrainEnd}; still called (after it). */
  onFitEnd?: (model: PlatonicModel) => void | Promise<void>;
}

/** Run options of {@link fitPlatonic}. */
export interface PlatonicFitOptions {
  /** Seed of every random projection (sub-stream per layer and try). Ignored by deterministic variants. Default 0. */
  seed?: number;
  /**
   * Stops adding layers at the next try or layer boundary; the readout is then fitted on the last completed
   * layer and `diagnostics.stopReason` is `'aborted'`.
   */
  signal?: AbortSignal;
  callbacks?: PlatonicCallbacks | PlatonicCallbacks[];
}

type ResolvedConfig = Required<Omit<PlatonicConfig, 'activation' | 'numClasses' | 'readoutSolver' | 'firstLayer'>> & {
  activations: PlatonicActivation[];
  readoutSolver: SolverSpec;
  firstLayer: FirstLayerSpec;
  numClasses?: number;
};

const FN = 'fitPlatonic';

function checkProjection(argument: string, spec: FirstLayerSpec, first: boolean): void {
  if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError(FN, argument, 'must be an object with a kind', spec);
  const kinds = first ? ['gaussian', 'platonicPCA', 'yOnly', 'sortedPCA', 'randomW'] : ['gaussian', 'platonicPCA', 'yOnly'];
  if (!kinds.includes(spec.kind)) {
    const hint = first ? '' : " (sortedPCA and randomW are first-layer methods: set them as 'firstLayer')";
    throw new InvalidArgumentError(FN, `${argument}.kind`, `must be one of ${kinds.map((k) => `'${k}'`).join(', ')}${hint}`, spec.kind);
  }
  if ((spec.kind === 'gaussian' || spec.kind === 'yOnly' || spec.kind === 'randomW') && spec.nTries !== undefined) {
    checkNumber(FN, `${argument}.nTries`, spec.nTries, { min: 1, integer: true });
  }
  if (spec.kind === 'platonicPCA' && spec.reweight !== undefined) {
    checkNumber(FN, `${argument}.reweight.lambdaEma`, spec.reweight.lambdaEma, { min: 0, max: 1 });
  }
  if (spec.kind === 'sortedPCA' && spec.source !== undefined && spec.source !== 'X' && spec.source !== 'XY') {
    throw new InvalidArgumentError(FN, `${argument}.source`, "must be 'X' or 'XY'", spec.source);
  }
}

function resolveConfig(config: PlatonicConfig): ResolvedConfig {
  if (config === null || typeof config !== 'object') throw new InvalidArgumentError(FN, 'config', 'must be an object with at least { hiddenWidths }', config);
  if (!Array.isArray(config.hiddenWidths)) throw new InvalidArgumentError(FN, 'config.hiddenWidths', 'must be an array of layer widths', config.hiddenWidths);
  config.hiddenWidths.forEach((w, i) => checkNumber(FN, `config.hiddenWidths[${i}]`, w, { min: 1, integer: true }));
  const layers = config.hiddenWidths.length;
  const act = config.activation ?? 'tanh';
  let activations: PlatonicActivation[];
  if (Array.isArray(act)) {
    if (act.length !== layers) {
      throw new ShapeError(FN, 'config.activation', [layers], [act.length], `one activation per hidden layer (hiddenWidths has ${layers})`);
    }
    act.forEach((a, i) => checkActivation(FN, `config.activation[${i}]`, a));
    activations = [...act];
  } else {
    checkActivation(FN, 'config.activation', act);
    activations = Array.from({ length: layers }, () => act);
  }
  const leakyAlpha = config.leakyAlpha ?? LEAKY_RELU_ALPHA;
  checkNumber(FN, 'config.leakyAlpha', leakyAlpha);
  const alpha = config.alpha ?? 1;
  const beta = config.beta ?? 1;
  checkNumber(FN, 'config.alpha', alpha, { min: 0, exclusiveMin: true });
  checkNumber(FN, 'config.beta', beta, { min: 0 });
  const projection: ProjectionSpec = config.projection ?? { kind: 'gaussian', nTries: 1 };
  checkProjection('config.projection', projection, false);
  const firstLayer: FirstLayerSpec = config.firstLayer ?? projection;
  checkProjection('config.firstLayer', firstLayer, true);
  const solver: SolverSpec = config.solver ?? { kind: 'pinv' };
  checkSolverSpec(FN, 'config.solver', solver);
  const readoutSolver = config.readoutSolver ?? solver;
  checkSolverSpec(FN, 'config.readoutSolver', readoutSolver);
  const precision = config.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'mixed' && precision !== 'float32') {
    throw new InvalidArgumentError(FN, 'config.precision', "must be 'float64', 'mixed' or 'float32'", precision);
  }
  const standardize = config.standardize ?? 'none';
  if (standardize !== 'none' && standardize !== 'per-feature' && standardize !== 'global') {
    throw new InvalidArgumentError(FN, 'config.standardize', "must be 'none', 'per-feature' or 'global'", standardize);
  }
  if (config.numClasses !== undefined) checkNumber(FN, 'config.numClasses', config.numClasses, { min: 2, integer: true });
  return {
    hiddenWidths: [...config.hiddenWidths],
    activations,
    leakyAlpha,
    alpha,
    beta,
    projection,
    firstLayer,
    solver,
    readoutSolver,
    precision,
    standardize,
    targetCoding: config.targetCoding ?? 'auto',
    numClasses: config.numClasses,
  };
}

function inputMatrix(x: tf.Tensor | Matrix): Matrix {
  if (x instanceof tf.Tensor) {
    checkTensor(FN, 'x', x, { rank: 2, dtype: 'float32' });
    return toMatrix(x, { fn: FN, argument: 'x' });
  }
  checkMatrix(FN, 'x', x);
  return x;
}

function targetMatrix(y: tf.Tensor | Matrix | Int32Array, m: number, config: ResolvedConfig): { y: Matrix; classes: ClassCoding | null } {
  let labels: Int32Array | null = null;
  if (y instanceof Int32Array) labels = y;
  else if (y instanceof tf.Tensor && y.dtype === 'int32') {
    checkTensor(FN, 'y', y, { shape: [m] });
    labels = y.dataSync() as Int32Array;
  }
  if (labels) {
    if (labels.length !== m) throw new ShapeError(FN, 'y', [m], [labels.length], 'one label per row of x');
    let max = 1;
    for (const l of labels) max = Math.max(max, l);
    const { targets, coding } = classTargets(labels, config.numClasses ?? max + 1, config.targetCoding);
    return { y: targets, classes: coding };
  }
  let t: Matrix;
  if (y instanceof tf.Tensor) {
    checkTensor(FN, 'y', y, { dtype: 'float32' });
    if (y.rank !== 1 && y.rank !== 2) throw new ShapeError(FN, 'y', [m, 'k'], y.shape, 'targets must be [m] or [m, k] (or int32 labels [m])');
    if (y.rank === 1) {
      const values = y.dataSync();
      checkFiniteValues(FN, 'y', values, y.shape);
      t = { rows: y.shape[0], cols: 1, data: Float64Array.from(values) };
    } else {
      t = toMatrix(y, { fn: FN, argument: 'y' });
    }
  } else {
    checkMatrix(FN, 'y', y as Matrix);
    t = y as Matrix;
  }
  if (t.rows !== m) throw new ShapeError(FN, 'y', [m, t.cols], [t.rows, t.cols], 'one target row per row of x');
  if (t.cols < 1) throw new ShapeError(FN, 'y', [m, 'k ≥ 1'], [t.rows, t.cols], 'at least one target column');
  return { y: t, classes: null };
}

/** Column statistics for standardisation: `mean`, `scale` (std, 1 where the std is 0). */
function inputStatistics(x: Matrix, mode: 'per-feature' | 'global'): { mean: Float64Array; scale: Float64Array } {
  const { rows: m, cols: n, data } = x;
  const mean = new Float64Array(n);
  const scale = new Float64Array(n);
  if (mode === 'global') {
    let s = 0;
    for (const v of data) s += v;
    const mu = s / data.length;
    let ss = 0;
    for (const v of data) ss += (v - mu) ** 2;
    const sd = Math.sqrt(ss / data.length);
    mean.fill(mu);
    scale.fill(sd > 0 ? sd : 1);
    return { mean, scale };
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mean[j] += data[i * n + j];
  for (let j = 0; j < n; j++) mean[j] = mean[j] / m;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) scale[j] += (data[i * n + j] - mean[j]) ** 2;
  for (let j = 0; j < n; j++) {
    const sd = Math.sqrt(scale[j] / m);
    scale[j] = sd > 0 ? sd : 1;
  }
  return { mean, scale };
}

/** Folds `x ↦ (x − μ)/s` into the first weight matrix, so the network takes raw inputs. */
function foldStandardisation(w: Matrix, mean: Float64Array, scale: Float64Array): Matrix {
  const out = w.data.slice();
  const h = w.cols;
  for (let j = 0; j < mean.length; j++) {
    for (let c = 0; c < h; c++) {
      const v = w.data[(j + 1) * h + c] / scale[j];
      out[(j + 1) * h + c] = v;
      out[c] = out[c] - mean[j] * v;
    }
  }
  return { rows: w.rows, cols: h, data: out };
}

/** The result of fitting one candidate representation. */
interface Candidate {
  w: Matrix;
  z: Matrix;
  zb: Matrix;
  solver: PreparedSolver;
  residualNorms: Float64Array;
  lsd: number;
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (cb: () => void) => void }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });

function firstNonFinite(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) return i;
  return -1;
}

/**
 * Fits an MLP with Platonic projections, bottom-up in closed form (thesis ch. 7):
 *
 *     Z_0 = X;  for i = 1…L:  T_i = α·[Z̄_{i−1} | β·Y]·P_i,  W_i = Z̄_{i−1}⁺·T_i,  Z_i = σ_i(Z̄_{i−1}·W_i)
 *     readout:  W_{L+1} = Z̄_L⁺·Y,  Ŷ = Z̄_L·W_{L+1}                       (Z̄ = [1 | Z], Fig. 7.3)
 *
 * Per layer, `nTries` Gaussian `P` are drawn and the one whose representation has the lowest LSD
 * `(1/m)‖Y − Z̄_i·Z̄_i⁺Y‖²_F` (Eq. 5.3) is kept (§7.5.1); `Z̄_{i−1}` is factorised once per layer and reused by every
 * try through `W = (Z̄⁺A)·P` (Eq. 7.1–7.2). Platonic PCA, Sorted PCA, re-weighting and the ELM baseline are chosen
 * with `projection`/`firstLayer` (§7.8, §7.9). Deterministic variants ignore the seed and give bit-identical
 * weights on every run.
 *
 * `x`: `[m, n]` float32 tensor or float64 {@link Matrix}. `y`: int32 labels `[m]` (tensor or `Int32Array`;
 * coded ±1 or one-hot, see `targetCoding`), or float targets `[m]`/`[m, k]` (regression).
 *
 * @example
 * ```ts
 * // Two spirals, 2-32-32-32-32-1 tanh, Table 7.1's α = 1, β = 2, float64 pinv:
 * const model = await fitPlatonic(x, labels, { hiddenWidths: [32, 32, 32, 32], activation: 'tanh', alpha: 1, beta: 2 }, { seed: 1 });
 * model.diagnostics.layerLSD;   // decreasing layer by layer
 * ```
 */
export async function fitPlatonic(
  x: tf.Tensor | Matrix,
  y: tf.Tensor | Matrix | Int32Array,
  config: PlatonicConfig,
  options: PlatonicFitOptions = {},
): Promise<PlatonicModel> {
  const started = performance.now();
  const cfg = resolveConfig(config);
  const seed = options.seed ?? 0;
  checkNumber(FN, 'options.seed', seed, { integer: true });
  if (options.signal !== undefined && !(typeof options.signal === 'object' && options.signal !== null && 'aborted' in options.signal)) {
    throw new InvalidArgumentError(FN, 'options.signal', 'must be an AbortSignal', options.signal);
  }
  const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  let xm = inputMatrix(x);
  const m = xm.rows;
  const n = xm.cols;
  if (m < 1) throw new ShapeError(FN, 'x', ['m ≥ 1', n], [m, n], 'at least one example is needed');
  if (n < 1) throw new ShapeError(FN, 'x', [m, 'n ≥ 1'], [m, n], 'at least one input feature is needed');
  const { y: ym, classes } = targetMatrix(y, m, cfg);
  const k = ym.cols;
  const arithmetic: Arithmetic = arithmeticFor(cfg.precision);
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    for (const c of callbacks) c.onWarning?.(message);
  };

  const stats = cfg.standardize === 'none' ? null : inputStatistics(xm, cfg.standardize);
  if (stats || cfg.precision !== 'float64') {
    const data = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) data[i * n + j] = stats ? (xm.data[i * n + j] - stats.mean[j]) / stats.scale[j] : xm.data[i * n + j];
    }
    arithmetic.round(data);
    xm = { rows: m, cols: n, data };
  }
  const yWork = cfg.precision === 'float64' ? ym : { rows: m, cols: k, data: ym.data.slice() };
  arithmetic.round(yWork.data);

  if (cfg.precision === 'mixed' && cfg.solver.kind !== 'ridge' && !(cfg.solver.kind === 'pinv' && (cfg.solver.atol ?? 0) > 0)) {
    warn("precision 'mixed' rounds products to float32 while keeping float64 cut-offs; use the ridge solver or a pinv atol");
  }

  const L = cfg.hiddenWidths.length;
  for (const c of callbacks) {
    await c.onTrainBegin?.({ layers: L, examples: m, features: n, outputs: k });
    await c.onFitBegin?.({ layers: L, examples: m, features: n, outputs: k });
  }

  const diagnostics: PlatonicDiagnostics = {
    layerLSD: [],
    tryLSD: [],
    chosenTry: [],
    numericalRank: [],
    inputRank: null,
    seconds: [],
    readoutSeconds: 0,
    totalSeconds: 0,
    trainMSE: Number.NaN,
    warnings,
    rowWeights: null,
    stopReason: 'completed',
  };
  const weights: Matrix[] = [];
  let z: Matrix = xm;
  let zb = prependOnes(xm);
  let solver: PreparedSolver | null = null;
  const rowWeights = new Float64Array(m).fill(1);
  const reweight = cfg.projection.kind === 'platonicPCA' ? cfg.projection.reweight : undefined;

  /** Fits σ([1|Z]·W), its LSD solver and residuals: one candidate (`null` when the representation is not finite). */
  const evaluate = (w: Matrix, activation: PlatonicActivation): Candidate | null => {
    const s = arithmetic.matmul(zb, w);
    activateInPlace(s.data, activation, cfg.leakyAlpha);
    arithmetic.round(s.data);
    if (firstNonFinite(s.data) >= 0 || firstNonFinite(w.data) >= 0) return null;
    const cb = prependOnes(s);
    const sc = prepareSolver(cb, cfg.solver, arithmetic, warn);
    const fit = arithmetic.matmul(cb, sc.solve(yWork));
    const residualNorms = new Float64Array(m);
    let total = 0;
    for (let i = 0; i < m; i++) {
      let e = 0;
      for (let j = 0; j < k; j++) e += (yWork.data[i * k + j] - fit.data[i * k + j]) ** 2;
      residualNorms[i] = e;
      total += e;
    }
    const lsd = total / m;
    return Number.isFinite(lsd) ? { w, z: s, zb: cb, solver: sc, residualNorms, lsd } : null;
  };

  let aborted = false;
  for (let layer = 0; layer < L && !aborted; layer++) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const t0 = performance.now();
    const h = cfg.hiddenWidths[layer];
    const activation = cfg.activations[layer];
    const spec: FirstLayerSpec = layer === 0 ? cfg.firstLayer : cfg.projection;
    const p = zb.cols;
    const needsSolver = spec.kind !== 'sortedPCA' && spec.kind !== 'randomW';
    if (needsSolver && solver === null) {
      solver = prepareSolver(zb, cfg.solver, arithmetic, warn);
      if (layer === 0) diagnostics.inputRank = solver.rank;
    }
    const zbSolver = solver;
    const layerNo = layer + 1;

    // Candidate weight generator for this layer.
    let tries = 1;
    let candidateWeights: (t: number) => Matrix;
    if (spec.kind === 'sortedPCA') {
      if (h > m) warn(`sortedPCA: h = ${h} > m = ${m}; some input rows are used more than once`);
      candidateWeights = () =>
        sortedPCAWeights(z, h, { source: spec.source ?? 'X', y: yWork, alpha: cfg.alpha, beta: cfg.beta, precision: cfg.precision, onWarning: warn });
    } else if (spec.kind === 'randomW') {
      tries = spec.nTries ?? 1;
      candidateWeights = (t) => {
        const w = gaussianMatrix(seed, `platonic/W/layer-${layerNo}/try-${t + 1}`, p, h);
        arithmetic.round(w.data);
        return w;
      };
    } else {
      const s = zbSolver!;
      if (spec.kind === 'gaussian' || spec.kind === 'yOnly') tries = spec.nTries ?? 1;
      const rowsOfP = spec.kind === 'yOnly' ? k : p + k;
      // The projection matrix of try t.
      let projection: (t: number) => Matrix;
      let weightedY = yWork;
      let centerTargets = false;
      if (spec.kind === 'platonicPCA') {
        if (h > p + k) {
          throw new ShapeError(
            FN,
            `config.hiddenWidths[${layer}]`,
            [`≤ ${p + k}`],
            [h],
            `Platonic PCA of α[Z̄ | βY] has only h_${layer} + 1 + k = ${p} + ${k} components`,
          );
        }
        const pca = platonicPCAProjection(zb, yWork, h, {
          alpha: cfg.alpha,
          beta: cfg.beta,
          rowWeights: reweight ? rowWeights : undefined,
          center: spec.center ?? true,
          precision: cfg.precision,
          onWarning: warn,
        });
        if (h > pca.numericalRank) {
          warn(`platonicPCA: layer ${layer} asks for ${h} components but α[Z̄ | βY] has numerical rank ${pca.numericalRank}; the trailing ones are arbitrary`);
        }
        const P = pca.projection;
        arithmetic.round(P.data);
        projection = () => P;
        centerTargets = spec.centerTargets ?? false;
        if (reweight?.weightTargets) {
          weightedY = { rows: m, cols: k, data: new Float64Array(m * k) };
          for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) weightedY.data[i * k + j] = rowWeights[i] * yWork.data[i * k + j];
          arithmetic.round(weightedY.data);
        }
      } else {
        projection = (t) => {
          const P = gaussianMatrix(seed, `platonic/P/layer-${layerNo}/try-${t + 1}`, rowsOfP, h);
          arithmetic.round(P.data);
          return P;
        };
      }
      const scale = spec.kind === 'yOnly' ? cfg.alpha * cfg.beta : cfg.alpha;
      if (cfg.precision === 'float32') {
        // Literal torch order, every step in float32: T = A·P, W = pinv(Z̄)·T.
        const a = spec.kind === 'yOnly' ? scaleMatrix(weightedY, scale) : augmentedMatrix(zb, weightedY, cfg.alpha, cfg.beta);
        if (centerTargets) centreColumns(a);
        arithmetic.round(a.data);
        candidateWeights = (t) => s.solve(arithmetic.matmul(a, projection(t)));
      } else {
        // W = (Z̄⁺A)·P with Z̄⁺A = α[Z̄⁺Z̄ | β·Z̄⁺Y] formed once per layer (Eq. 7.1–7.2, §7.5.1).
        const b =
          spec.kind === 'yOnly' ? scaleMatrix(s.solve(weightedY), scale) : hstackScaled(s.solveSelf(), s.solve(weightedY), cfg.alpha, cfg.alpha * cfg.beta);
        if (centerTargets) {
          // (A − 1μᵀ)·P: subtract Z̄⁺1·μᵀ, where Z̄⁺1 solves for the bias column.
          const a = augmentedMatrix(zb, weightedY, cfg.alpha, cfg.beta);
          const mu = columnMeans(a);
          const ones = { rows: m, cols: 1, data: new Float64Array(m).fill(1) };
          const sol1 = s.solve(ones);
          for (let r = 0; r < b.rows; r++) for (let c = 0; c < b.cols; c++) b.data[r * b.cols + c] = b.data[r * b.cols + c] - sol1.data[r] * mu[c];
        }
        candidateWeights = (t) => matmulF64(b, projection(t));
      }
    }

    let best: Candidate | null = null;
    let bestTry = -1;
    const lsds: number[] = [];
    for (let t = 0; t < tries; t++) {
      if (t > 0 && options.signal?.aborted) {
        aborted = true;
        break;
      }
      const candidate = evaluate(candidateWeights(t), activation);
      const lsd = candidate?.lsd ?? Number.POSITIVE_INFINITY;
      lsds.push(lsd);
      if (candidate && (best === null || candidate.lsd < best.lsd)) {
        best = candidate;
        bestTry = t;
      }
      for (const c of callbacks) await c.onTryEnd?.(layer, t, { lsd });
      if (tries > 1) await yieldToEventLoop();
    }
    if (best === null) {
      if (aborted) break;
      throw new NonFiniteError(
        FN,
        `layer ${layer} (hiddenWidths[${layer}])`,
        -1,
        Number.NaN,
        undefined,
        `every try's representation σ([1 | Z]·W); lower alpha or use a ridge solver`,
      );
    }
    weights.push(best.w);
    z = best.z;
    zb = best.zb;
    solver = best.solver;
    if (reweight) {
      const lam = reweight.lambdaEma;
      for (let i = 0; i < m; i++) rowWeights[i] = lam * rowWeights[i] + (1 - lam) * best.residualNorms[i];
    }
    const seconds = (performance.now() - t0) / 1000;
    diagnostics.layerLSD.push(best.lsd);
    diagnostics.tryLSD.push(lsds);
    diagnostics.chosenTry.push(bestTry);
    diagnostics.numericalRank.push(best.solver.rank);
    diagnostics.seconds.push(seconds);
    for (const c of callbacks) await c.onLayerEnd?.(layer, { lsd: best.lsd, chosenTry: bestTry, rank: best.solver.rank, width: h, seconds });
    await yieldToEventLoop();
    if (options.signal?.aborted && layer < L - 1) aborted = true;
  }

  // Readout: linear least squares of Y on [1 | Z_L], reusing the last factorisation when the solvers agree.
  const tr = performance.now();
  const readoutSolver = solver !== null && sameSolver(cfg.solver, cfg.readoutSolver) ? solver : prepareSolver(zb, cfg.readoutSolver, arithmetic, warn);
  let readout = readoutSolver.solve(yWork);
  if (firstNonFinite(readout.data) >= 0) {
    throw new NonFiniteError(FN, 'readout', firstNonFinite(readout.data), Number.NaN, [readout.rows, readout.cols], 'the readout solve');
  }
  const fitted = arithmetic.matmul(zb, readout);
  let sse = 0;
  for (let i = 0; i < fitted.data.length; i++) sse += (yWork.data[i] - fitted.data[i]) ** 2;
  diagnostics.trainMSE = sse / (m * k);
  diagnostics.readoutSeconds = (performance.now() - tr) / 1000;
  if (stats) {
    if (weights.length > 0) weights[0] = foldStandardisation(weights[0], stats.mean, stats.scale);
    else readout = foldStandardisation(readout, stats.mean, stats.scale);
  }
  diagnostics.rowWeights = reweight ? rowWeights.slice() : null;
  diagnostics.stopReason = aborted ? 'aborted' : 'completed';
  diagnostics.totalSeconds = (performance.now() - started) / 1000;
  const model = new PlatonicModel({
    weights,
    readout,
    activations: cfg.activations.slice(0, weights.length),
    leakyAlpha: cfg.leakyAlpha,
    precision: cfg.precision,
    classes,
    diagnostics,
  });
  for (const c of callbacks) {
    await c.onTrainEnd?.(model);
    await c.onFitEnd?.(model);
  }
  return model;
}

/** `[s1·A | s2·B]` for matrices with the same rows. */
function hstackScaled(a: Matrix, b: Matrix, s1: number, s2: number): Matrix {
  const rows = a.rows;
  const cols = a.cols + b.cols;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < a.cols; j++) out[i * cols + j] = s1 * a.data[i * a.cols + j];
    for (let j = 0; j < b.cols; j++) out[i * cols + a.cols + j] = s2 * b.data[i * b.cols + j];
  }
  return { rows, cols, data: out };
}

function columnMeans(a: Matrix): Float64Array {
  const mu = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) mu[j] += a.data[i * a.cols + j];
  for (let j = 0; j < a.cols; j++) mu[j] = mu[j] / Math.max(1, a.rows);
  return mu;
}

function centreColumns(a: Matrix): void {
  const mu = columnMeans(a);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) a.data[i * a.cols + j] = a.data[i * a.cols + j] - mu[j];
}
