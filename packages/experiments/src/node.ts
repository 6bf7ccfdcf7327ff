/**
 * `@beyond-backprop/experiments/node` — the experiments that read real data sets from local files (MNIST,
 * Fashion-MNIST, CIFAR, IMDB through `@beyond-backprop/datasets/node`; Node.js only), and
 * {@link registerNodeBuiltins}, which registers them after the browser-safe built-ins. Everything else — registry,
 * runner, methods, synthetic experiments — is in the browser-safe main entry `@beyond-backprop/experiments`.
 *
 * @module node
 */
import { fashionDeepMlpExperiment, mnistDeepMlpExperiment } from './node/deep-squashing-mlp.js';
import { fashionCnnExperiment, mnistCnnExperiment } from './node/image-classification.js';
import { fashionTanhMlpExperiment, mnistTanhMlpExperiment } from './node/image-mlps.js';
import { imdbExperiment } from './node/imdb.js';
import { mnistMlpExperiment } from './node/mnist-mlp.js';
import { mnistCompressionExperiment } from './node/mnist-compression.js';
import { registerBuiltins } from './plugins.js';
import { dataParallelMethod } from './node/data-parallel.js';
import { pipelineLauncherFor } from './node/pipeline.js';
import { usePipelineLaunchers } from './methods/layerwise.js';
import { registerExperiment, registerMethod, type Experiment, type Method } from './registry.js';

export { fashionDeepMlpExperiment, mnistDeepMlpExperiment } from './node/deep-squashing-mlp.js';
export { fashionCnnExperiment, mnistCnnExperiment } from './node/image-classification.js';
export { fashionTanhMlpExperiment, mnistTanhMlpExperiment } from './node/image-mlps.js';
export { imdbExperiment } from './node/imdb.js';
export { mnistMlpExperiment } from './node/mnist-mlp.js';
export { mnistCompressionExperiment } from './node/mnist-compression.js';
export { dataParallelMethod, launcherFor } from './node/data-parallel.js';
export { pipelineLauncherFor } from './node/pipeline.js';

/** The experiments on real data sets read from local files, in the order `bbp list` shows them. */
export const fileExperiments: readonly Experiment[] = [
  mnistMlpExperiment,
  mnistCnnExperiment,
  fashionCnnExperiment,
  imdbExperiment,
  mnistTanhMlpExperiment,
  fashionTanhMlpExperiment,
  mnistDeepMlpExperiment,
  fashionDeepMlpExperiment,
  mnistCompressionExperiment,
];

/** The methods that need Node.js (worker threads, processes, Redis), in the order `bbp list` shows them. */
export const nodeMethods: readonly Method[] = [dataParallelMethod];

let registered = false;

/**
 * Registers the browser-safe built-ins (`registerBuiltins`) and then {@link fileExperiments} (idempotent): everything
 * `bbp` ships with.
 *
 * @example
 * ```ts
 * import { runExperiment } from '@beyond-backprop/experiments';
 * import { registerNodeBuiltins } from '@beyond-backprop/experiments/node';
 * registerNodeBuiltins();
 * const { result, run } = await runExperiment({ experiment: 'mnist-mlp', epochs: 1 });
 * run.dispose();
 * ```
 */
export function registerNodeBuiltins(): void {
  registerBuiltins();
  if (registered) return;
  registered = true;
  usePipelineLaunchers(pipelineLauncherFor);
  for (const experiment of fileExperiments) registerExperiment(experiment);
  for (const method of nodeMethods) registerMethod(method);
}
