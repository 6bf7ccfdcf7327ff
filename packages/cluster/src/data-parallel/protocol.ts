/**
 * Messages of the data-parallel protocol (coordinator ↔ replica), shared by both sides.
 *
 * init (→ replica): config + initial weights + the replica's data shard · ready (←) · upload (←, at each sync:
 * encoded package, loss sum, example count, checksum of the weights after the previous sync) · sync (→, the encoded
 * broadcast; `stop` ends training) · done (←, checksum of the final weights) · error (←, the replica's own failure).
 */
import type { JsonValue } from '../frame.js';
import type { SyncMode } from './model-averaging.js';
import type { WeightCodecSpec } from './weight-codec.js';

/** The optimiser every replica builds (from the model's compile config, or the trainer's options). */
export interface OptimizerSpec {
  kind: 'adam' | 'sgd';
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Losses a replica can train with (from `@beyond-backprop/training`). */
export type ReplicaLoss = 'softmaxCrossEntropy' | 'meanSquaredError';

/** What the coordinator sends each replica in `init` (as JSON `meta`). */
export interface ReplicaConfig {
  rank: number;
  size: number;
  /** `model.toJSON()` of the model to train. */
  topology: JsonValue;
  /** Shapes of `model.getWeights()`, in order. */
  weightShapes: number[][];
  xShape: number[];
  yShape: number[];
  yDType: 'float32' | 'int32';
  loss: ReplicaLoss;
  optimizer: OptimizerSpec;
  epochs: number;
  /** Minibatches per epoch (equal on every replica so that syncs line up). */
  stepsPerEpoch: number;
  syncEvery: number;
  mode: SyncMode;
  codec: WeightCodecSpec;
  seed: number;
}

/** Sync points of an epoch: after every `syncEvery` steps and after the last step. */
export function isSyncStep(step: number, stepsPerEpoch: number, syncEvery: number): boolean {
  return (step + 1) % syncEvery === 0 || step === stepsPerEpoch - 1;
}

/** Number of syncs in one epoch. */
export function syncsPerEpoch(stepsPerEpoch: number, syncEvery: number): number {
  let n = 0;
  for (let s = 0; s < stepsPerEpoch; s++) if (isSyncStep(s, stepsPerEpoch, syncEvery)) n++;
  return n;
}
