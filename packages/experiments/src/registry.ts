/**
 * The typed registry of experiments (data + network) and methods (training algorithms) that `bbp` runs. Each
 * algorithm package contributes its methods and experiments through {@link registerMethod} and
 * {@link registerExperiment}; the runner itself never changes.
 */
import type { Dataset } from '@beyond-backprop/datasets';
import type { FitCallbacks, History } from '@beyond-backprop/training';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';

/** Hidden activations an architecture may ask for. */
export type ArchitectureActivation = 'tanh' | 'relu' | 'sigmoid' | 'leakyRelu';

/** A fully connected network (inputs are rows of features). */
export interface DenseArchitecture {
  kind: 'dense';
  /** Hidden-layer widths, e.g. `[5, 5, 5]`. */
  hidden: number[];
  activation: ArchitectureActivation;
  /** All shortcut connections (each layer sees the input and every earlier layer). */
  shortcuts: boolean;
}

/** A convolutional network on NHWC images: compound conv layers, then dense layers. */
export interface ConvArchitecture {
  kind: 'conv';
  /** Each compound layer: `kernel × kernel` conv, stride 1, 'same', `channels` outputs, then `pool × pool` max-pool (1 = none). */
  conv: Array<{ kernel: number; channels: number; pool: number }>;
  /** Hidden dense widths after flattening (the output layer is added from the class count). */
  dense: number[];
  activation: ArchitectureActivation;
}

/** A recurrent network over sequences `[n, time, features]` (or token ids `[n, time]` with an embedding). */
export interface RecurrentArchitecture {
  kind: 'recurrent';
  /** Width of the recurrent layer. */
  hidden: number;
  activation: ArchitectureActivation;
  /** Token embedding for integer inputs. */
  embedding?: { vocabulary: number; dim: number };
  /** Score every time step (`y: [n, time]`) or only the last (`y: [n]`). */
  readout: 'every-step' | 'last-step';
}

/** The network an experiment asks every method to train (methods map it to their own parameterisation). */
export type ArchitectureSpec = DenseArchitecture | ConvArchitecture | RecurrentArchitecture;

/** A registered experiment: where the data comes from and which network to train on it. */
export interface Experiment {
  name: string;
  description: string;
  /** Paper and section the setup comes from. */
  source: string;
  /**
   * `'classification'`: integer labels (`y: Int32Array`, `-1` marks a position that is not scored, e.g. the first N
   * steps of a delayed-memory stream); `'regression'`: float targets.
   */
  task: 'classification' | 'regression';
  /** Experiment-specific command-line options (e.g. `--delay <n>`); their values reach `load` and `configure`. */
  options?: MethodOption[];
  /** Loads (or generates) the data; `seed` drives any randomness in generation. */
  load: (seed: number, options: OptionValues) => Dataset<Int32Array | Float32Array> | Promise<Dataset<Int32Array | Float32Array>>;
  /** The network (its kind decides which methods apply); `configure` may adapt it to the option values. */
  architecture: ArchitectureSpec;
  /** The architecture for given option values, e.g. a hidden width that grows with the delay. Default: `architecture`. */
  configure?: (options: OptionValues) => ArchitectureSpec;
  /** Defaults used when the command line does not say. */
  defaults: {
    epochs: number;
    method: string;
    batchSize?: number;
    learningRate?: number;
    optimizer?: 'adam' | 'sgd';
    /** Stop once the test accuracy reaches this (the experiment's success criterion); `--target-accuracy none` runs on. */
    targetAccuracy?: number;
  };
  /**
   * Per-method option defaults for this experiment (e.g. `{ 'target-space': { lambda: 0.001 } }`); the key `'*'` holds
   * defaults for every method that declares the option. The command line overrides them.
   */
  methodDefaults?: Record<string, Record<string, string | number | boolean>>;
  /**
   * Per-method learning rate and optimiser, where methods need different ones on the same problem (the target-space
   * paper trains CNN targets with Adam 0.01 and the weight-space baseline with 0.001); the command line overrides them.
   */
  methodTraining?: Record<string, { learningRate?: number; optimizer?: 'adam' | 'sgd' }>;
}

/** Option values keyed by camel-cased long flag (`--t-neg` → `tNeg`). */
export type OptionValues = Record<string, string | number | boolean | undefined>;

/** A command-line option a method understands, e.g. `{ flag: '--delay <n>', description: '…' }`. */
export interface MethodOption {
  flag: string;
  description: string;
}

/** Everything a method needs to set up one training run. */
export interface MethodContext {
  experiment: Experiment;
  /** The experiment's architecture for these option values. */
  architecture: ArchitectureSpec;
  data: Dataset<Int32Array | Float32Array>;
  seed: number;
  /** Resolved hyperparameters: experiment defaults overridden by the command line. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd';
  /**
   * Values of method-specific options, keyed by their camel-cased long flag (`delay`, …): the experiment's
   * `methodDefaults` for this method, overridden by the command line.
   */
  options: OptionValues;
}

/** A method set up for one experiment, ready to train and to predict. */
export interface MethodRun {
  /**
   * The arithmetic it trains on, as the run result and the summary report it: `'float64'` (CPU, the float64 tape or
   * solves), `'tfjs'` (the active TensorFlow.js backend) or a method's own name for a mix. Default `'tfjs'`.
   */
  engine?: string;
  /**
   * Epochs `fit` reports in all (`onEpochEnd` calls), when that is not `ctx.epochs` — e.g. units × epochs for the
   * layer-wise methods, whose `--epochs` is per unit. The progress line counts to it. Default `ctx.epochs`.
   */
  totalEpochs?: number;
  /**
   * How the progress line names the 0-based run-wide `epoch` (e.g. `'unit 2/3 · epoch 4/5'`) when counting to
   * {@link totalEpochs} would mislead. Default: `epoch <epoch + 1>/<totalEpochs>`.
   */
  epochLabel?(epoch: number): string;
  /**
   * Which unit (layer-wise window: unit, segment or partition) the 0-based run-wide `epoch` trained, for a user
   * interface that follows a layer-wise run unit by unit (the browser demo's per-unit accuracy table). `undefined` for
   * methods that train the whole network at once, for epochs not yet reported, and for a pipelined run (every partition
   * at once). While a unit trains, `predict` (and so the accuracies the runner reports for that epoch) is the network
   * up to that unit's last layer followed by the unit's current decision head, in inference mode; once training ends,
   * `predict` is the output model (every kept unit and the last head), so the last unit's final-epoch accuracy is the
   * run's final accuracy on a sequential schedule.
   */
  unitProgress?(epoch: number): UnitProgress | undefined;
  /**
   * `true` for a closed-form fit done in one shot (no epochs to report; `fit` reports one pseudo-epoch holding the
   * fit's loss). Default `false`.
   */
  oneShot?: boolean;
  /** Trains for `ctx.epochs` epochs, reporting through the callbacks. */
  fit(callbacks: FitCallbacks, signal?: AbortSignal): Promise<History>;
  /**
   * Predictions for inputs `x` of shape `shape`, row-major and aligned with the split's `y`: class scores (logits or
   * probabilities) with a trailing class axis for classification (`y: [n]` → `[n, k]`, `y: [n, t]` → `[n, t, k]`),
   * values of `y`'s shape for regression.
   */
  predict(x: Float32Array, shape: number[]): Float32Array;
  /** Frees every tensor the run holds. */
  dispose(): void;
  /**
   * Method-specific measurements added to the run result (and `bbp run --json`) after training, e.g. the bits per
   * parameter a compressed synchronisation sent. A name that is already a result field is ignored, so the standard
   * fields never change.
   */
  resultFields?(): Record<string, ResultFieldValue>;
}

/** Where one epoch of a layer-wise run stands: {@link MethodRun.unitProgress}. */
export interface UnitProgress {
  /** What the method trains one at a time: `'unit'` (dll), `'segment'` (dsl) or `'partition'` (dpl). */
  noun: 'unit' | 'segment' | 'partition';
  /** 0-based index of the unit (window) this epoch trained. */
  unit: number;
  /** Units (windows) the run trains. */
  units: number;
  /** 0-based epoch within that unit's training (counted across its turns on a robin schedule). */
  epochInUnit: number;
  /** Epochs each unit trains (`--epochs`; rounds × epochs per turn on a robin schedule). */
  epochsInUnit: number;
}

/** A value {@link MethodRun.resultFields} may report. */
export type ResultFieldValue = number | string | boolean | null | ReadonlyArray<number | null | ReadonlyArray<number | null>>;

/** A registered training method. */
export interface Method {
  name: string;
  description: string;
  /** Paper and section, if the method comes from one. */
  source?: string;
  options?: MethodOption[];
  /** Whether the method can train this experiment. */
  supports: (experiment: Experiment) => boolean;
  create: (ctx: MethodContext) => MethodRun | Promise<MethodRun>;
}

const experiments = new Map<string, Experiment>();
const methods = new Map<string, Method>();

/**
 * Adds an experiment to `bbp`. Names are unique.
 *
 * @example
 * ```ts
 * registerExperiment({ name: 'xor', description: 'XOR', source: '…', load: () => xor(),
 *   architecture: { hidden: [3], activation: 'tanh', shortcuts: false }, defaults: { epochs: 500, method: 'backprop' } });
 * ```
 */
export function registerExperiment(experiment: Experiment): void {
  if (experiments.has(experiment.name)) throw new InvalidArgumentError('registerExperiment', 'name', 'must be unique', experiment.name);
  experiments.set(experiment.name, experiment);
}

/** Adds a training method to `bbp`. Names are unique. */
export function registerMethod(method: Method): void {
  if (methods.has(method.name)) throw new InvalidArgumentError('registerMethod', 'name', 'must be unique', method.name);
  methods.set(method.name, method);
}

/** All registered experiments, in registration order. */
export function listExperiments(): Experiment[] {
  return [...experiments.values()];
}

/** All registered methods, in registration order. */
export function listMethods(): Method[] {
  return [...methods.values()];
}

/** The experiment called `name`, or an error listing the known ones. */
export function getExperiment(name: string): Experiment {
  const e = experiments.get(name);
  if (!e) throw new InvalidArgumentError('bbp run', 'experiment', `must be one of: ${[...experiments.keys()].join(', ')}`, name);
  return e;
}

/** The method called `name` that supports `experiment`, or an error listing the ones that do. */
export function getMethod(name: string, experiment: Experiment): Method {
  const m = methods.get(name);
  const usable = [...methods.values()].filter((x) => x.supports(experiment)).map((x) => x.name);
  if (!m || !m.supports(experiment)) {
    throw new InvalidArgumentError('bbp run', '--method', `must be one of the methods for '${experiment.name}': ${usable.join(', ')}`, name);
  }
  return m;
}
