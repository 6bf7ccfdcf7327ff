/**
 * The typed registry of experiments (data + network) and methods (training algorithms) that `bbp` runs. Each
 * algorithm package contributes its methods and experiments through {@link registerMethod} and
 * {@link registerExperiment}; the runner itself never changes.
 */
import type { Dataset } from '@beyond-backprop/datasets';
import type { FitCallbacks, History } from '@beyond-backprop/training';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';

/** A network shape an experiment asks every method to train (methods map it to their own parameterisation). */
export interface ArchitectureSpec {
  /** Hidden-layer widths, e.g. `[5, 5, 5]`. */
  hidden: number[];
  activation: 'tanh' | 'relu' | 'sigmoid' | 'leakyRelu';
  /** All shortcut connections (each layer sees the input and every earlier layer). */
  shortcuts: boolean;
}

/** A registered experiment: where the data comes from and which network to train on it. */
export interface Experiment {
  name: string;
  description: string;
  /** Paper and section the setup comes from. */
  source: string;
  /** Loads (or generates) the data; `seed` drives any randomness in generation. */
  load: (seed: number) => Dataset<Int32Array> | Promise<Dataset<Int32Array>>;
  architecture: ArchitectureSpec;
  /** Defaults used when the command line does not say. */
  defaults: { epochs: number; method: string; batchSize?: number; learningRate?: number; optimizer?: 'adam' | 'sgd' };
}

/** A command-line option a method understands, e.g. `{ flag: '--delay <n>', description: '…' }`. */
export interface MethodOption {
  flag: string;
  description: string;
  defaultValue?: string | number | boolean;
}

/** Everything a method needs to set up one training run. */
export interface MethodContext {
  experiment: Experiment;
  data: Dataset<Int32Array>;
  seed: number;
  /** Resolved hyperparameters: experiment defaults overridden by the command line. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd';
  /** Values of method-specific options, keyed by their camel-cased long flag (`delay`, …). */
  options: Record<string, string | number | boolean | undefined>;
}

/** A method set up for one experiment, ready to train and to predict. */
export interface MethodRun {
  /** Trains for `ctx.epochs` epochs, reporting through the callbacks. */
  fit(callbacks: FitCallbacks, signal?: AbortSignal): Promise<History>;
  /** Class scores (logits or probabilities), `[n, numClasses]` row-major, for inputs `x` of shape `shape`. */
  predict(x: Float32Array, shape: number[]): Float32Array;
  /** Frees every tensor the run holds. */
  dispose(): void;
}

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
