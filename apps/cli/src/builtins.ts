/**
 * Everything `bbp` ships with: the browser-safe built-ins of `@beyond-backprop/experiments` plus its file-based
 * experiments (MNIST, Fashion-MNIST, IMDB), and the runner with all of them registered.
 */
import { runExperiment as runRegisteredExperiment, type CompletedRun, type RunOptions } from '@beyond-backprop/experiments';
import { registerNodeBuiltins } from '@beyond-backprop/experiments/node';

/** Registers every built-in experiment and method of `bbp`, including those reading local files (idempotent). */
export function registerBuiltins(): void {
  registerNodeBuiltins();
}

/**
 * `runExperiment` from `@beyond-backprop/experiments` with every `bbp` experiment registered first, so file-based
 * experiments (`mnist-cnn`, `imdb`, …) run by name.
 *
 * @example
 * ```ts
 * const { result, run } = await runExperiment({ experiment: 'two-spirals', method: 'backprop', epochs: 200, seed: 1 });
 * console.log(result.testAccuracy);
 * run.dispose();
 * ```
 */
export function runExperiment(options: RunOptions): Promise<CompletedRun> {
  registerBuiltins();
  return runRegisteredExperiment(options);
}
