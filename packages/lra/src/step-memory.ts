/**
 * Peak tensor memory of one training step, the measure behind the locality claim: rec-LRA frees each layer's
 * intermediates as soon as its update exists, while backprop keeps the whole tape until the backward pass ends.
 * The probe itself lives in `@beyond-backprop/training` (shared with the layer-wise trainers); re-exported here.
 */
export { measureStepMemory, type StepMemory } from '@beyond-backprop/training';
