/**
 * The experiments and methods `bbp` ships with. An algorithm package adds its own by exporting them and listing them
 * here; nothing else in the CLI changes.
 */
import { bitAdditionExperiment, bitMemoryExperiment } from './experiments/bit-stream-tasks.js';
import { blobsExperiment } from './experiments/blobs.js';
import { checkerboardExperiment } from './experiments/checkerboard.js';
import { fashionDeepMlpExperiment, mnistDeepMlpExperiment } from './experiments/deep-squashing-mlp.js';
import { fashionCnnExperiment, mnistCnnExperiment } from './experiments/image-classification.js';
import { fashionTanhMlpExperiment, mnistTanhMlpExperiment } from './experiments/image-mlps.js';
import { imdbExperiment } from './experiments/imdb.js';
import { mnistMlpExperiment } from './experiments/mnist-mlp.js';
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
import { registerExperiment, registerMethod } from './registry.js';

let registered = false;

/** Registers every built-in experiment and method (idempotent). */
export function registerBuiltins(): void {
  if (registered) return;
  registered = true;
  for (const experiment of [
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
    mnistMlpExperiment,
    mnistCnnExperiment,
    fashionCnnExperiment,
    imdbExperiment,
    mnistTanhMlpExperiment,
    fashionTanhMlpExperiment,
    mnistDeepMlpExperiment,
    fashionDeepMlpExperiment,
    ...temporalTaskExperiments,
  ]) {
    registerExperiment(experiment);
  }
  for (const method of [backpropMethod, backpropBnMethod, targetSpaceMethod, targetSpaceOcuMethod, ...gradientAmpMethods, platonicMethod, platonicPcaMethod, ...lraMethods]) registerMethod(method);
}
