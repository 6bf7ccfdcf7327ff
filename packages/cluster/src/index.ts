/**
 * `@beyond-backprop/cluster`: the transport layer for distributed training — links between the participants of a
 * run with tensor framing, bounded capacity (back-pressure), time-outs, clean shutdown and typed failures. This entry
 * is browser-safe (in-process links, framing); `worker_threads` and Redis live under `@beyond-backprop/cluster/node`.
 *
 * @packageDocumentation
 */
export { FrameError, RedisTransportError, RemoteError, TransportClosedError, TransportTimeoutError, WorkerFailedError } from './errors.js';
export { checkMessage, decodeFrame, encodeFrame, payloadBytes, tensorFrame, type FrameDType, type FrameData, type JsonValue, type Message, type TensorFrame } from './frame.js';
export { BoundedQueue, type WaitOptions } from './bounded-queue.js';
export { createInProcessLinkPair, type InProcessLinkOptions, type Link } from './link.js';
