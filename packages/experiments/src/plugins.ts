/**
 * The experiments and methods that ship with the runner and run anywhere TensorFlow.js does (browser or Node.js).
 * An algorithm package adds its methods by exporting them and listing them in {@link builtinMethods}; nothing else
 * changes. Experiments that read local files are registered by `registerNodeBuiltins` from
 * `@beyond-backprop/experiments/node`.
 */
import { bitAdditionExperiment, bitMemoryExperiment } from './experiments/bit-stream-tasks.js';
import { blobsExperiment } from './experiments/blobs.js';
import { checkerboardExperiment } from './experiments/checkerboard.js';
import { mixedFrequencyExperiment } from './experiments/mixed-frequency.js';
import { sineFitExperiment } from './experiments/sine-fit.js';
import { sinusoidBoundaryExperiment } from './experiments/sinusoid-boundary.js';
import { temporalTaskExperiments } from './experiments/temporal-tasks.js';
import { twoMoonsExperiment } from './experiments/two-moons.js';
import { twoSpiralsExperiment } from './experiments/two-spirals.js';
import { xorExperiment } from './experiments/xor.js';
import { backpropBnMethod, backpropMethod } from './methods/backprop.js';
import { gradientAmpMethods } from './methods/gradient-amp.js';
import { lraMethods } from './methods/lra.js';
import { targetSpaceMethod, targetSpaceOcuMethod } from './methods/target-space.js';
import { platonicMethod, platonicPcaMethod } from './methods/platonic.js';
import { registerExperiment, registerMethod, type Experiment, type Method } from './registry.js';

/**
 * The browser-safe built-in experiments, in the order `bbp list` shows them: the 2-D classification sets, the
 * regression sets, then the sequence tasks.
 */
export const builtinExperiments: readonly Experiment[] = [
  twoSpiralsExperiment,
  twoMoonsExperiment,
  blobsExperiment,
  xorExperiment,
  checkerboardExperiment,
  sinusoidBoundaryExperiment,
  mixedFrequencyExperiment,
  sineFitExperiment,
  bitMemoryExperiment,
  bitAdditionExperiment,
  ...temporalTaskExperiments,
];

/** Every built-in training method, in the order `bbp list` shows them. Algorithm packages add theirs here. */
export const builtinMethods: readonly Method[] = [
  backpropMethod,
  backpropBnMethod,
  targetSpaceMethod,
  targetSpaceOcuMethod,
  ...gradientAmpMethods,
  platonicMethod,
  platonicPcaMethod,
  ...lraMethods,
];

let registered = false;

/**
 * Registers {@link builtinExperiments} and {@link builtinMethods} (idempotent). The runner calls it before every run.
 *
 * @example
 * ```ts
 * registerBuiltins();
 * listMethods().map((m) => m.name); // ['backprop', 'backprop-bn', 'target-space', …]
 * ```
 */
export function registerBuiltins(): void {
  if (registered) return;
  registered = true;
  for (const experiment of builtinExperiments) registerExperiment(experiment);
  for (const method of builtinMethods) registerMethod(method);
}
