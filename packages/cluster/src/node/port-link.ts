/**
 * A {@link Link} over a `worker_threads` port (a `Worker`, `parentPort` or `MessagePort`): tensor buffers are posted
 * in the transfer list (zero-copy), and a credit scheme gives back-pressure — the receiver acknowledges each message
 * it consumes, and a sender with `capacity` unacknowledged messages waits.
 */
import type { Transferable } from 'node:worker_threads';
import { BoundedQueue, checkCapacity, rejectAll, waitUntil, wakeAll, type WaitOptions } from '../bounded-queue.js';
import { RemoteError, TransportClosedError } from '../errors.js';
import { checkMessage, type FrameDType, type FrameData, type JsonValue, type Message } from '../frame.js';
import type { Link } from '../link.js';

/** The part of `Worker`, `parentPort` and `MessagePort` a port link uses. */
export interface PortLike {
  postMessage(value: unknown, transferList?: readonly Transferable[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
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
 * A link over a worker port. Created by {@link spawnWorker} (parent side) and {@link connectToParent} (worker side);
 * construct it directly for extra `MessageChannel` ports, e.g. between two pipeline stages.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const a = new PortLink(port1, { peer: 'stage-1' });
 * const b = new PortLink(port2, { peer: 'stage-0' });
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

  constructor(
    private readonly port: PortLike,
    options: PortLinkOptions,
  ) {
    this.peer = options.peer;
    this.capacity = options.capacity ?? 4;
    checkCapacity('PortLink', this.capacity);
    this.inbox = new BoundedQueue<Message>(Infinity, this.peer);
    port.on('message', this.listener);
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
    if (!this.failure) this.port.postMessage({ t: 'a' } satisfies Wire);
    return message;
  }

  /** Tells the peer that this end failed with `error` (it sees a {@link RemoteError}), then closes. */
  async reportError(error: Error): Promise<void> {
    if (!this.failure) this.port.postMessage({ t: 'e', name: error.name, message: error.message } satisfies Wire);
    await this.close();
  }

  async close(): Promise<void> {
    if (!this.failure) {
      try {
        this.port.postMessage({ t: 'c' } satisfies Wire);
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
    this.port.off('message', this.listener);
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
