/**
 * `platonic` and `platonic-pca`: closed-form fitting of the experiment's MLP with Platonic projections (Øland 2024,
 * ch. 7), optionally followed by backprop fine-tuning of the exported tfjs model (the hybrid start of §7.10.3).
 *
 * - `platonic`: random Gaussian projections, best of `--tries` per layer by LSD. Defaults α = 0.1, β = 10 (the
 *   thesis' two-spirals setting, §7.6.2), float64 pinv, no input standardisation.
 * - `platonic-pca`: the fully deterministic pipeline (Sorted PCA first layer, Platonic PCA above, §7.8.3) on
 *   per-feature standardised inputs (Sorted PCA needs centred inputs); α = 1, β = 1e4 (§7.9.2), float64 pinv. The same data gives bit-identical weights whatever
 *   `--seed` says (the seed only orders `--finetune` batches).
 *
 * Architecture mapping: dense experiments only. The Platonic recurrence is layer to layer, so `shortcuts` are not
 * modelled (the plain chain of the same widths is fitted); the hidden activation is the experiment's unless
 * `--activation` says otherwise. Widths: `--width` (one number for every layer, or a comma list), else the
 * experiment's widths raised to at least 96 units — closed-form fits need far more units than backprop to memorise
 * a data set (thesis §7.7, §7.10.1). `--epochs` is ignored unless `--finetune` is given.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, checkNumber } from '@beyond-backprop/core-linalg';
import {
  PLATONIC_ACTIVATIONS,
  fitPlatonic,
  fullyDeterministicConfig,
  type PlatonicActivation,
  type PlatonicConfig,
  type PlatonicModel,
  type Precision,
  type SolverSpec,
} from '@beyond-backprop/platonic';
import { fitBackprop, paperAdam, type EpochLogs, type FitCallbacks, type History } from '@beyond-backprop/training';
import type { ArchitectureSpec, Method, MethodContext, MethodOption, MethodRun } from '../registry.js';

/** Units per hidden layer when neither `--width` nor a wider experiment says otherwise. */
export const PLATONIC_DEFAULT_MIN_WIDTH = 96;

const platonicOptions: MethodOption[] = [
  {
    flag: '--width <units>',
    description: `hidden units per layer, or a comma list such as 128,64 (default: the experiment's widths, at least ${PLATONIC_DEFAULT_MIN_WIDTH})`,
  },
  { flag: '--layers <n>', description: "hidden layers when --width is one number (default: the experiment's depth)" },
  { flag: '--alpha <value>', description: 'α, scale of the augmented matrix [Z̄ | βY] (default 0.1 for platonic, 1 for platonic-pca)' },
  { flag: '--beta <value>', description: 'β, weight of the labels in [Z̄ | βY] (default 10 for platonic, 1e4 for platonic-pca)' },
  { flag: '--tries <n>', description: 'random projections tried per layer, the lowest LSD kept (platonic; default 1)' },
  { flag: '--solver <kind>', description: 'least-squares solver: pinv (default), lstsq or ridge' },
  { flag: '--lambda <value>', description: 'ridge λ, absolute (implies --solver ridge)' },
  { flag: '--atol <value>', description: "absolute pinv cut-off, torch semantics (the thesis' tol=1e-5; default: relative max(m,p)·ε)" },
  { flag: '--precision <mode>', description: 'float64 (default), mixed (tfjs float32 products, float64 factorisations) or float32' },
  { flag: '--activation <name>', description: `hidden activation: ${PLATONIC_ACTIVATIONS.join(', ')} (default: the experiment's)` },
  { flag: '--finetune <epochs>', description: "backprop epochs on the exported tfjs model's readout after the closed-form fit (default 0)" },
  {
    flag: '--finetune-layers <which>',
    description: 'readout (default: the hidden weights of a closed-form fit are large and cancel, so backprop on them ruins it) or all',
  },
  {
    flag: '--standardize <mode>',
    description: 'input standardisation folded into W₁: none, per-feature or global (default none for platonic, per-feature for platonic-pca)',
  },
  { flag: '--reweight <lambdaEma>', description: 'platonic-pca: per-example EMA re-weighting of Platonic PCA, λ_EMA (thesis 0.2; default off)' },
  { flag: '--sorted-source <source>', description: 'platonic-pca: Sorted PCA on X (default) or XY = α[X | βY]' },
];

type OptionValue = string | number | boolean | undefined;

function numberOption(name: string, value: OptionValue, range: Parameters<typeof checkNumber>[3] = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  checkNumber('bbp run', `--${name}`, n, range);
  return n;
}

function stringOption(value: OptionValue): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** Hidden widths from `--width` / `--layers` and the experiment's dense architecture. */
export function platonicWidths(arch: ArchitectureSpec, options: Record<string, OptionValue>): number[] {
  const base = arch.kind === 'dense' ? arch.hidden : [];
  const layers = numberOption('layers', options.layers, { min: 0, integer: true });
  const width = options.width;
  if (width !== undefined && String(width).includes(',')) {
    if (layers !== undefined) throw new InvalidArgumentError('bbp run', '--layers', 'cannot be combined with a comma list in --width', layers);
    return String(width)
      .split(',')
      .map((w, i) => numberOption(`width[${i}]`, w.trim(), { min: 1, integer: true })!);
  }
  const depth = layers ?? Math.max(1, base.length);
  const w = numberOption('width', width, { min: 1, integer: true }) ?? Math.max(PLATONIC_DEFAULT_MIN_WIDTH, ...base);
  return Array.from({ length: depth }, () => w);
}

/** Solver from `--solver`, `--lambda`, `--atol`. */
function solverOf(options: Record<string, OptionValue>): SolverSpec {
  const lambda = numberOption('lambda', options.lambda, { min: 0, exclusiveMin: true });
  const atol = numberOption('atol', options.atol, { min: 0 });
  const kind = stringOption(options.solver) ?? (lambda !== undefined ? 'ridge' : 'pinv');
  if (kind === 'pinv') return atol === undefined ? { kind } : { kind, atol };
  if (kind === 'lstsq') return { kind };
  if (kind === 'ridge') {
    if (lambda === undefined) throw new InvalidArgumentError('bbp run', '--lambda', 'is required with --solver ridge', lambda);
    return { kind, lambda };
  }
  throw new InvalidArgumentError('bbp run', '--solver', "must be 'pinv', 'lstsq' or 'ridge'", kind);
}

/** The {@link PlatonicConfig} a run uses, from the experiment's architecture and the method options. */
export function platonicConfig(variant: 'random' | 'deterministic', arch: ArchitectureSpec, options: Record<string, OptionValue>): PlatonicConfig {
  if (arch.kind !== 'dense') throw new InvalidArgumentError('bbp run', '--method', 'platonic methods need a dense architecture', arch.kind);
  const hiddenWidths = platonicWidths(arch, options);
  const activation = (stringOption(options.activation) ?? arch.activation) as PlatonicActivation;
  if (!PLATONIC_ACTIVATIONS.includes(activation)) {
    throw new InvalidArgumentError('bbp run', '--activation', `must be one of ${PLATONIC_ACTIVATIONS.join(', ')}`, activation);
  }
  const precision = (stringOption(options.precision) ?? 'float64') as Precision;
  if (precision !== 'float64' && precision !== 'mixed' && precision !== 'float32') {
    throw new InvalidArgumentError('bbp run', '--precision', "must be 'float64', 'mixed' or 'float32'", precision);
  }
  const solver = solverOf(options);
  const standardize = stringOption(options.standardize) ?? (variant === 'random' ? 'none' : 'per-feature');
  if (standardize !== 'none' && standardize !== 'per-feature' && standardize !== 'global') {
    throw new InvalidArgumentError('bbp run', '--standardize', "must be 'none', 'per-feature' or 'global'", standardize);
  }
  if (variant === 'random') {
    const tries = numberOption('tries', options.tries, { min: 1, integer: true }) ?? 1;
    return {
      hiddenWidths,
      activation,
      alpha: numberOption('alpha', options.alpha, { min: 0, exclusiveMin: true }) ?? 0.1,
      beta: numberOption('beta', options.beta, { min: 0 }) ?? 10,
      projection: { kind: 'gaussian', nTries: tries },
      solver,
      precision,
      standardize,
    };
  }
  const reweight = numberOption('reweight', options.reweight, { min: 0, max: 1 });
  const source = stringOption(options.sortedSource) ?? 'X';
  if (source !== 'X' && source !== 'XY') throw new InvalidArgumentError('bbp run', '--sorted-source', "must be 'X' or 'XY'", source);
  const config = fullyDeterministicConfig(hiddenWidths, {
    activation,
    beta: numberOption('beta', options.beta, { min: 0 }) ?? 1e4,
    lambdaEma: reweight ?? null,
    sortedSource: source,
    solver,
    standardize,
  });
  return { ...config, alpha: numberOption('alpha', options.alpha, { min: 0, exclusiveMin: true }) ?? 1, precision };
}

/** Flattens `[n, …]` inputs to `[n, features]` in float64. */
function flatten(x: Float32Array, shape: number[]): { rows: number; cols: number; data: Float64Array } {
  const rows = shape[0] ?? 0;
  const cols = shape.slice(1).reduce((p, d) => p * d, 1);
  return { rows, cols, data: Float64Array.from(x) };
}

/** Resolves on the next event-loop turn (where signal handlers such as Ctrl-C's run). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (cb: () => void) => void }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });
}

function createPlatonicRun(variant: 'random' | 'deterministic', ctx: MethodContext): MethodRun {
  const { data } = ctx;
  const config = platonicConfig(variant, ctx.architecture, ctx.options);
  const finetune = numberOption('finetune', ctx.options.finetune, { min: 0, integer: true }) ?? 0;
  const finetuneLayers = ctx.options.finetuneLayers ?? 'readout';
  if (finetuneLayers !== 'readout' && finetuneLayers !== 'all')
    throw new InvalidArgumentError('bbp run', '--finetune-layers', "must be 'readout' or 'all'", finetuneLayers);
  const classification = data.train.y instanceof Int32Array;
  const numClasses = data.numClasses ?? 2;
  const xAll = flatten(data.train.x, data.train.xShape);
  if (classification && data.train.yShape.length !== 1) {
    throw new InvalidArgumentError(
      'bbp run',
      '--method',
      'platonic methods classify one label per example (y: [n])',
      `y of shape [${data.train.yShape.join(', ')}]`,
    );
  }
  // Unscored examples (label −1) take no part in the fit.
  let x = xAll;
  let labels: Int32Array | null = null;
  let targets: { rows: number; cols: number; data: Float64Array } | null = null;
  if (classification) {
    const y = data.train.y as Int32Array;
    const keep: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] >= 0) keep.push(i);
    if (keep.length !== y.length) {
      const cols = xAll.cols;
      const kept = new Float64Array(keep.length * cols);
      keep.forEach((row, i) => kept.set(xAll.data.subarray(row * cols, (row + 1) * cols), i * cols));
      x = { rows: keep.length, cols, data: kept };
    }
    labels = Int32Array.from(keep, (i) => y[i]);
  } else {
    const k = data.train.yShape.slice(1).reduce((p, d) => p * d, 1);
    targets = { rows: xAll.rows, cols: k, data: Float64Array.from(data.train.y) };
  }
  let model: PlatonicModel | null = null;
  let tfModel: tf.LayersModel | null = null;
  let optimizer: tf.Optimizer | null = null;
  const tensors: tf.Tensor[] = [];
  const predictScores = (xv: Float32Array, shape: number[]): Float32Array => {
    if (tfModel) {
      // Read back outside tf.tidy: returning a typed array from tidy makes it walk every element.
      const out = tf.tidy(() => tfModel!.predict(tf.tensor2d(xv, [shape[0], xAll.cols])) as tf.Tensor);
      try {
        return out.dataSync() as Float32Array;
      } finally {
        out.dispose();
      }
    }
    if (!model) throw new InvalidArgumentError('MethodRun.predict', 'this', 'needs fit() first', 'an unfitted run');
    const xm = flatten(xv, shape);
    return Float32Array.from(classification ? model.classScores(xm).data : model.predictMatrix(xm).data);
  };
  // The fit is CPU work between event-loop turns; the float64 pinv path is all float64, the others mix in float32.
  const fitEngine = config.precision === 'float64' || config.precision === undefined ? 'float64' : config.precision === 'mixed' ? 'mixed' : 'float32';
  return {
    engine: finetune > 0 ? `${fitEngine}+tfjs` : fitEngine,
    oneShot: finetune === 0,
    totalEpochs: 1 + finetune,
    epochLabel: (epoch) => (epoch === 0 ? 'closed-form fit' : `fine-tune epoch ${epoch}/${finetune}`),
    async fit(callbacks: FitCallbacks, signal?: AbortSignal): Promise<History> {
      const started = performance.now();
      await callbacks.onTrainBegin?.();
      await callbacks.onEpochBegin?.(0);
      // A Ctrl-C reaches the signal only on an event-loop turn: take one before the fit and one after it.
      await nextTurn();
      model = await fitPlatonic(x, labels ?? targets!, { ...config, numClasses: classification ? numClasses : undefined }, { seed: ctx.seed, signal });
      const solveMs = performance.now() - started;
      await nextTurn();
      const logs: EpochLogs = { loss: model.diagnostics.trainMSE, layers: model.weights.length };
      const history: History = {
        epoch: [0],
        history: { loss: [logs.loss] },
        // Interrupted during the last layer or the readout (which always finish), the fit still counts as aborted.
        stopReason: signal?.aborted ? 'aborted' : model.diagnostics.stopReason,
        // One "iteration" per least-squares solve: every hidden layer and the readout.
        iterations: model.weights.length + 1,
        msPerIteration: solveMs / (model.weights.length + 1),
      };
      await callbacks.onEpochEnd?.(0, logs);
      if (finetune > 0 && history.stopReason === 'completed') {
        tfModel = model.toLayersModel({ output: classification ? 'classScores' : 'targets', trainable: finetuneLayers });
        const xt = tf.tensor2d(Float32Array.from(xAll.data), [xAll.rows, xAll.cols]);
        const yt = classification
          ? tf.tensor1d(data.train.y as Int32Array, 'int32')
          : tf.tensor2d(Float32Array.from(targets!.data), [targets!.rows, targets!.cols]);
        tensors.push(xt, yt);
        optimizer = ctx.optimizer === 'adam' ? paperAdam(ctx.learningRate) : tf.train.sgd(ctx.learningRate);
        const shifted: FitCallbacks = {
          onEpochBegin: (epoch) => callbacks.onEpochBegin?.(epoch + 1),
          onBatchEnd: (batch, l) => callbacks.onBatchEnd?.(batch, l),
          onEpochEnd: (epoch, l) => callbacks.onEpochEnd?.(epoch + 1, l),
        };
        const tuned = await fitBackprop(tfModel, xt, yt, {
          epochs: finetune,
          batchSize: ctx.batchSize,
          seed: ctx.seed,
          optimizer,
          loss: classification ? 'softmaxCrossEntropy' : 'meanSquaredError',
          callbacks: shifted,
          signal,
        });
        history.epoch.push(...tuned.epoch.map((e) => e + 1));
        for (const [key, values] of Object.entries(tuned.history)) {
          const column = (history.history[key] ??= key === 'loss' ? [] : Array.from({ length: 1 }, () => Number.NaN));
          column.push(...values);
        }
        history.stopReason = tuned.stopReason;
        history.msPerIteration = (solveMs + tuned.msPerIteration * tuned.iterations) / (history.iterations + tuned.iterations);
        history.iterations += tuned.iterations;
      }
      await callbacks.onTrainEnd?.(history);
      return history;
    },
    predict: predictScores,
    dispose() {
      tfModel?.dispose();
      optimizer?.dispose();
      tf.dispose(tensors);
      tensors.length = 0;
    },
  };
}

const source = 'Øland, Efficient Deep Learning (CMU-CS-24-147, 2024), ch. 7';

/** Random Platonic projections (thesis §7.3–7.6). */
export const platonicMethod: Method = {
  name: 'platonic',
  description: 'closed-form fit with random Platonic projections (no gradients; α = 0.1, β = 10, pinv, float64)',
  source: `${source} §7.3–7.6`,
  options: platonicOptions,
  supports: (experiment) => experiment.architecture.kind === 'dense',
  create: (ctx) => createPlatonicRun('random', ctx),
};

/** Fully deterministic Platonic projections: Sorted PCA, then Platonic PCA (thesis §7.8). */
export const platonicPcaMethod: Method = {
  name: 'platonic-pca',
  description: 'closed-form fit, fully deterministic: Sorted PCA first layer, Platonic PCA above (seed-independent)',
  source: `${source} §7.8–7.9`,
  options: platonicOptions,
  supports: (experiment) => experiment.architecture.kind === 'dense',
  create: (ctx) => createPlatonicRun('deterministic', ctx),
};
