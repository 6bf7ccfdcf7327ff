/**
 * The experiments and methods `bbp` ships with. An algorithm package adds its own by exporting them and listing them
 * here; nothing else in the CLI changes.
 */
import { twoSpiralsExperiment } from './experiments/two-spirals.js';
import { backpropMethod } from './methods/backprop.js';
import { platonicMethod, platonicPcaMethod } from './methods/platonic.js';
import { registerExperiment, registerMethod } from './registry.js';

let registered = false;

/** Registers every built-in experiment and method (idempotent). */
export function registerBuiltins(): void {
  if (registered) return;
  registered = true;
  for (const experiment of [twoSpiralsExperiment]) registerExperiment(experiment);
  for (const method of [backpropMethod, platonicMethod, platonicPcaMethod]) registerMethod(method);
}
