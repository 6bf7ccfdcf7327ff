/**
 * A {@link Link} over a message port — a `worker_threads` `Worker`, `parentPort` or `MessagePort` in Node, or a Web
 * `Worker`, a worker's own global scope (`self`) or a DOM `MessagePort` in browsers: tensor buffers are posted in the
 * transfer list (zero-copy), and a credit scheme gives back-pressure — the receiver acknowledges each message it
 * consumes, and a sender with `capacity` unacknowledged messages waits. Browser-safe: the ports are typed
 * structurally, nothing here imports `node:`.
 */
import { BoundedQueue, checkCapacity, rejectAll, waitUntil, wakeAll, type WaitOptions } from './bounded-queue.js';
import { RemoteError, TransportClosedError } from './errors.js';
import { checkMessage, type FrameDType, type FrameData, type JsonValue, type Message } from './frame.js';
import type { Link } from './link.js';

/** A Node port (`worker_threads` `Worker`, `parentPort`, `MessagePort`): messages arrive as the listener's argument. */
export interface NodeStylePort {
  postMessage(value: unknown, transferList: ArrayBuffer[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

/**
 * A DOM port (Web `Worker`, `DedicatedWorkerGlobalScope`, `MessagePort`): messages arrive as `event.data`. A port
 * with `start()` (a `MessagePort`) is started when the link attaches its listener.
 */
export interface DomStylePort {
  postMessage(value: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start?(): void;
}

/** The part of a Node or DOM port a port link uses (a port with `on` is used Node-style). */
export type PortLike = NodeStylePort | DomStylePort;

function isNodeStyle(port: PortLike): port is NodeStylePort {
  return typeof (port as Partial<NodeStylePort>).on === 'function' && typeof (port as Partial<NodeStylePort>).off === 'function';
}

type Wire =
  | { t: 'm'; kind: string; meta: JsonValue | null; tensors: Array<{ dtype: FrameDType; shape: number[]; data: FrameData }> }
  | { t: 'a' }
  | { t: 'c' }
  | { t: 'e'; name: string; message: string };

type Waiter = Parameters<typeof wakeAll>[0] extends Set<infer W> ? W : never;

/** Options of {@link PortLink}. */
export interface PortLinkOptions {
  /** The other end's name, used in errors. */
  peer: string;
  /** Unacknowledged messages in flight before `send` waits (default 4). */
  capacity?: number;
}

/**
 * A link over a worker port. In Node, created by `spawnWorker` (parent side) and `connectToParent` (worker side) of
 * `@beyond-backprop/cluster/node`; in browsers by {@link webWorkerReplicas} and {@link serveReplica}. Construct it
 * directly for extra `MessageChannel` ports, e.g. between two pipeline stages, or over any Web `Worker`.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const a = new PortLink(port1, { peer: 'stage-1' });
 * const b = new PortLink(port2, { peer: 'stage-0' });
 * // in a browser, over a dedicated worker (and `new PortLink(self, { peer: 'page' })` inside it)
 * const w = new PortLink(new Worker(new URL('./stage.js', import.meta.url), { type: 'module' }), { peer: 'stage' });
 * ```
 */
export class PortLink implements Link {
  readonly peer: string;
  readonly capacity: number;
  private inFlight = 0;
  private readonly credit = new Set<Waiter>();
  private readonly inbox: BoundedQueue<Message>;
  private failure: Error | undefined;
  private peerClosed = false;
  private readonly listener = (value: unknown): void => this.onMessage(value as Wire);
  private readonly domListener = (event: { data: unknown }): void => this.onMessage(event.data as Wire);

  constructor(
    private readonly port: PortLike,
    options: PortLinkOptions,
  ) {
    this.peer = options.peer;
    this.capacity = options.capacity ?? 4;
    checkCapacity('PortLink', this.capacity);
    this.inbox = new BoundedQueue<Message>(Infinity, this.peer);
    if (isNodeStyle(port)) port.on('message', this.listener);
    else {
      port.addEventListener('message', this.domListener);
      port.start?.();
    }
  }

  /** Whether the peer closed its end gracefully (its last messages still drain). */
  get closedByPeer(): boolean {
    return this.peerClosed;
  }

  async send(message: Message, options?: WaitOptions): Promise<void> {
    checkMessage('PortLink.send', message);
    await waitUntil(
      () => this.inFlight < this.capacity,
      this.credit,
      () => this.failure ?? (this.peerClosed ? new TransportClosedError(this.peer, 'closed by the peer') : undefined),
      { peer: this.peer, operation: 'send' },
      options,
    );
    const transfer: ArrayBuffer[] = [];
    const tensors = (message.tensors ?? []).map((t) => {
      // Only a typed array that owns its whole (non-shared) buffer can be transferred without moving other data.
      const whole = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength && t.data.buffer instanceof ArrayBuffer;
      const data = whole ? t.data : (t.data.slice() as FrameData);
      transfer.push(data.buffer as ArrayBuffer);
      return { dtype: t.dtype, shape: [...t.shape], data };
    });
    this.inFlight++;
    this.port.postMessage({ t: 'm', kind: message.kind, meta: message.meta ?? null, tensors } satisfies Wire, transfer);
  }

  async receive(options?: WaitOptions): Promise<Message> {
    const message = await this.inbox.shift(options);
    if (!this.failure) this.port.postMessage({ t: 'a' } satisfies Wire, []);
    return message;
  }

  /** Tells the peer that this end failed with `error` (it sees a {@link RemoteError}), then closes. */
  async reportError(error: Error): Promise<void> {
    if (!this.failure) this.port.postMessage({ t: 'e', name: error.name, message: error.message } satisfies Wire, []);
    await this.close();
  }

  async close(): Promise<void> {
    if (!this.failure) {
      try {
        this.port.postMessage({ t: 'c' } satisfies Wire, []);
      } catch {
        // The port is already gone; closing locally is all that is left.
      }
    }
    this.fail(new TransportClosedError(this.peer, 'closed by this end'));
  }

  /** Fails the link: every pending and later operation rejects with `error` (first failure wins). */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    if (isNodeStyle(this.port)) this.port.off('message', this.listener);
    else this.port.removeEventListener('message', this.domListener);
    this.inbox.fail(error);
    rejectAll(this.credit, error);
  }

  private onMessage(wire: Wire): void {
    if (this.failure || typeof wire !== 'object' || wire === null) return;
    switch (wire.t) {
      case 'm':
        this.inbox.offer({ kind: wire.kind, meta: wire.meta, tensors: wire.tensors });
        break;
      case 'a':
        this.inFlight = Math.max(0, this.inFlight - 1);
        wakeAll(this.credit);
        break;
      case 'c':
        this.peerClosed = true;
        this.inbox.close();
        rejectAll(this.credit, new TransportClosedError(this.peer, 'closed by the peer'));
        break;
      case 'e':
        this.fail(new RemoteError(this.peer, wire.name, wire.message));
        break;
    }
  }
}
