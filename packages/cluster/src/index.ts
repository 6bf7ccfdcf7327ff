/**
 * `@beyond-backprop/cluster`: the transport layer for distributed training — links between the participants of a
 * run with tensor framing, bounded capacity (back-pressure), time-outs, clean shutdown and typed failures. This entry
 * is browser-safe (in-process links, port links over Web Workers, framing, the data-parallel trainer with
 * `webWorkerReplicas`); `worker_threads` and Redis live under `@beyond-backprop/cluster/node`.
 *
 * @packageDocumentation
 */
export { FrameError, RedisTransportError, RemoteError, TransportClosedError, TransportTimeoutError, WorkerFailedError } from './errors.js';
export {
  checkMessage,
  decodeFrame,
  encodeFrame,
  payloadBytes,
  tensorFrame,
  type FrameDType,
  type FrameData,
  type JsonValue,
  type Message,
  type TensorFrame,
} from './frame.js';
export { BoundedQueue, type WaitOptions } from './bounded-queue.js';
export { createInProcessLinkPair, type InProcessLinkOptions, type Link } from './link.js';
export { PortLink, type DomStylePort, type NodeStylePort, type PortLike, type PortLinkOptions } from './port-link.js';
export { expectMessage, reportFailure } from './remote-failure.js';
export {
  float32Codec,
  resolveWeightCodec,
  weightsChecksum,
  type WeightCodec,
  type WeightCodecModule,
  type WeightCodecSpec,
} from './data-parallel/weight-codec.js';
export { averageLayers, SyncSide, type SyncMode } from './data-parallel/model-averaging.js';
export type { OptimizerSpec, ReplicaConfig, ReplicaLoss } from './data-parallel/protocol.js';
export { runReplica, type RunReplicaOptions } from './data-parallel/replica.js';
export {
  serveReplica,
  webWorkerReplicas,
  type ServeReplicaOptions,
  type WebWorkerLike,
  type WebWorkerReplicasOptions,
} from './data-parallel/web-workers.js';
export {
  DataParallelTrainer,
  inProcessReplicas,
  ReplicaDivergenceError,
  type DataParallelFitOptions,
  type DataParallelOptions,
  type DataParallelStats,
  type ReplicaLauncher,
} from './data-parallel/trainer.js';
