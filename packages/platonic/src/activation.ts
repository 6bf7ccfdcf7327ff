/**
 * Hidden-layer activations of a Platonic network, applied on the host in float64 (or rounded to float32 in the
 * float32 modes) and mapped to their TensorFlow.js layers for export.
 */
import { ACTIVATIONS, InvalidArgumentError, type ActivationName } from '@beyond-backprop/core-linalg';

/**
 * Hidden activations. `'elu'` is torch's `CELU()` with α = 1, the activation of the thesis' sine listing (Fig. 7.3;
 * torch's default α = 1 makes it ELU); `'leakyRelu'` uses the slope `leakyAlpha` for negative inputs; `'linear'` is the identity.
 */
export type PlatonicActivation = Extract<ActivationName, 'relu' | 'tanh' | 'elu' | 'sigmoid' | 'leakyRelu' | 'linear'>;

/** Every accepted activation name, e.g. for validating a command-line option. */
export const PLATONIC_ACTIVATIONS: readonly PlatonicActivation[] = ['relu', 'tanh', 'elu', 'sigmoid', 'leakyRelu', 'linear'];

/** @internal Throws unless `value` names an activation. */
export function checkActivation(fn: string, argument: string, value: unknown): asserts value is PlatonicActivation {
  if (!PLATONIC_ACTIVATIONS.includes(value as PlatonicActivation)) {
    throw new InvalidArgumentError(fn, argument, `must be one of ${PLATONIC_ACTIVATIONS.map((a) => `'${a}'`).join(', ')}`, value);
  }
}

/** @internal Applies σ elementwise in place (core-linalg's registry; NaN survives for the caller's check). */
export function activateInPlace(values: Float64Array, activation: PlatonicActivation, leakyAlpha: number): void {
  if (activation === 'linear') return;
  const f = ACTIVATIONS[activation].f64;
  for (let i = 0; i < values.length; i++) values[i] = f(values[i], leakyAlpha);
}
