/**
 * A link is one end of a bidirectional, message-oriented connection between two participants of a run (a
 * coordinator and a worker, two pipeline stages). Every transport — in-process, `worker_threads`, Redis streams —
 * implements it, so trainers are written once against {@link Link}.
 */
import { BoundedQueue, checkCapacity, type WaitOptions } from './bounded-queue.js';
import { checkMessage, type Message } from './frame.js';
import { TransportClosedError } from './errors.js';

/**
 * One end of a connection. `send` waits while the peer already holds `capacity` unread messages (back-pressure);
 * `receive` waits for the next message. Both reject with a typed error when the peer fails, the link closes, or
 * `timeoutMs` passes.
 */
export interface Link {
  /** The other end's name (used in every error), e.g. `'replica-1'` or `'coordinator'`. */
  readonly peer: string;
  /** Sends a message; its tensor buffers pass to the peer (do not reuse them). */
  send(message: Message, options?: WaitOptions): Promise<void>;
  /** The next message from the peer. */
  receive(options?: WaitOptions): Promise<Message>;
  /** Closes this end; pending and later operations reject with {@link TransportClosedError}. Idempotent. */
  close(): Promise<void>;
}

/** Options of an in-process link pair. */
export interface InProcessLinkOptions {
  /** Unread messages each direction holds before `send` waits (default 4). */
  capacity?: number;
  /** Names of the two ends (default `['a', 'b']`); each end's `peer` is the other name. */
  names?: readonly [string, string];
}

class QueueLink implements Link {
  constructor(
    readonly peer: string,
    private readonly outbox: BoundedQueue<Message>,
    private readonly inbox: BoundedQueue<Message>,
  ) {}

  async send(message: Message, options?: WaitOptions): Promise<void> {
    checkMessage('Link.send', message);
    await this.outbox.push(message, options);
  }

  receive(options?: WaitOptions): Promise<Message> {
    return this.inbox.shift(options);
  }

  async close(): Promise<void> {
    this.outbox.close();
    this.inbox.fail(new TransportClosedError(this.peer, 'closed by this end'));
  }
}

/**
 * Two connected ends in one thread: messages (and their buffers) pass by reference, with the same bounded-capacity
 * semantics as the thread and Redis links. Works in browsers.
 *
 * @example
 * ```ts
 * const [coordinator, worker] = createInProcessLinkPair({ capacity: 2, names: ['coordinator', 'replica-0'] });
 * await worker.send({ kind: 'hello' });
 * (await coordinator.receive()).kind; // 'hello'
 * ```
 */
export function createInProcessLinkPair(options: InProcessLinkOptions = {}): [Link, Link] {
  const capacity = options.capacity ?? 4;
  checkCapacity('createInProcessLinkPair', capacity);
  const [a, b] = options.names ?? ['a', 'b'];
  const aToB = new BoundedQueue<Message>(capacity, b, a);
  const bToA = new BoundedQueue<Message>(capacity, a, b);
  return [new QueueLink(b, aToB, bToA), new QueueLink(a, bToA, aToB)];
}
