/**
 * Typed failures of the cluster transports. Every error names the peer (a worker, a Redis URL) and the operation
 * that failed, so a distributed run ends with a message that says where to look rather than hanging.
 */
import { BbpError } from '@beyond-backprop/core-linalg';

/**
 * A worker (thread or process) died or threw while a run needed it: the run ends with this error instead of waiting
 * for messages that will never come.
 *
 * @example
 * ```ts
 * try { await trainer.fit(x, y, { epochs: 3 }); } catch (e) { if (e instanceof WorkerFailedError) console.log(e.worker); }
 * ```
 */
export class WorkerFailedError extends BbpError {
  /** The worker's name, e.g. `'replica-1'`. */
  readonly worker: string;
  /** Exit code of a thread or process that exited, `null` when it threw or vanished without one. */
  readonly exitCode: number | null;
  constructor(worker: string, detail: string, exitCode: number | null = null, options?: { cause?: unknown }) {
    super('worker-failed', `worker '${worker}' failed: ${detail}`);
    this.worker = worker;
    this.exitCode = exitCode;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** A send or receive did not complete within its time-out (`timeoutMs`). */
export class TransportTimeoutError extends BbpError {
  /** The other end of the link. */
  readonly peer: string;
  readonly operation: 'send' | 'receive' | 'join';
  readonly timeoutMs: number;
  constructor(peer: string, operation: 'send' | 'receive' | 'join', timeoutMs: number) {
    super('transport-timeout', `${operation} ${operation === 'send' ? 'to' : 'from'} '${peer}' timed out after ${timeoutMs} ms`);
    this.peer = peer;
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** The link was closed (by either end) while an operation was waiting on it, or used after `close()`. */
export class TransportClosedError extends BbpError {
  readonly peer: string;
  constructor(peer: string, detail = 'the link is closed') {
    super('transport-closed', `link to '${peer}': ${detail}`);
    this.peer = peer;
  }
}

/**
 * Redis could not be reached, or the connection dropped mid-run. `url` is the server that was asked (credentials
 * removed). Messages are written with one `XADD` each, so a dropped connection never leaves half a message.
 */
export class RedisTransportError extends BbpError {
  /** The Redis URL, without user name or password. */
  readonly url: string;
  /** What was being done, e.g. `'connect'`, `'send'`, `'receive'`. */
  readonly operation: string;
  constructor(url: string, operation: string, detail: string, options?: { cause?: unknown }) {
    super('redis-unavailable', `redis at ${url}: ${operation} failed: ${detail}`);
    this.url = url;
    this.operation = operation;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** A received frame is malformed (bad magic, version, header or lengths): rejected before any allocation it claims. */
export class FrameError extends BbpError {
  readonly fn: string;
  constructor(fn: string, detail: string) {
    super('frame', `${fn}: ${detail}`);
    this.fn = fn;
  }
}

/** The peer reported an error of its own (a worker's training step threw); its name and message are kept. */
export class RemoteError extends BbpError {
  readonly peer: string;
  /** The `name` of the error thrown on the peer (e.g. `'TrainingDivergedError'`). */
  readonly remoteName: string;
  constructor(peer: string, remoteName: string, remoteMessage: string) {
    super('remote', `'${peer}' failed with ${remoteName}: ${remoteMessage}`);
    this.peer = peer;
    this.remoteName = remoteName;
  }
}
