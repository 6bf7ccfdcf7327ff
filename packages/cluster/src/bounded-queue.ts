/**
 * An async FIFO queue with a capacity: `push` waits while the queue is full (back-pressure), `shift` waits while it
 * is empty. Both take a time-out and an `AbortSignal`; `fail(error)` rejects every waiter at once, so a dead peer
 * never leaves anyone hanging.
 */
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import { TransportClosedError, TransportTimeoutError } from './errors.js';

/** Time-out and cancellation of one send or receive. */
export interface WaitOptions {
  /** Give up after this many milliseconds with a {@link TransportTimeoutError} (default: wait forever). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Waiter {
  wake(): void;
  reject(error: Error): void;
}

/** Checks a capacity option: a positive integer (or `Infinity`). */
export function checkCapacity(fn: string, capacity: number): void {
  if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 1))) {
    throw new InvalidArgumentError(fn, 'capacity', 'must be a positive integer or Infinity', capacity);
  }
}

/**
 * Waits until `ready()` holds, re-checking whenever `waiters` is woken; rejects on time-out, abort or failure.
 * Shared by the queue and the credit-based thread links.
 */
export function waitUntil(
  ready: () => boolean,
  waiters: Set<Waiter>,
  failure: () => Error | undefined,
  timeout: { peer: string; operation: 'send' | 'receive' },
  options: WaitOptions = {},
): Promise<void> {
  const failed = failure();
  if (failed) return Promise.reject(failed);
  if (ready()) return Promise.resolve();
  if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = (): void => {
      waiters.delete(waiter);
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const waiter: Waiter = {
      wake: () => {
        if (ready()) {
          cleanup();
          resolve();
        }
      },
      reject: (error) => {
        cleanup();
        reject(error);
      },
    };
    const onAbort = (): void => waiter.reject(abortError(options.signal!));
    waiters.add(waiter);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
      timer = setTimeout(() => waiter.reject(new TransportTimeoutError(timeout.peer, timeout.operation, options.timeoutMs!)), options.timeoutMs);
    }
  });
}

/** Wakes every waiter (each re-checks its condition). */
export function wakeAll(waiters: Set<Waiter>): void {
  for (const w of [...waiters]) w.wake();
}

/** Rejects every waiter with `error`. */
export function rejectAll(waiters: Set<Waiter>, error: Error): void {
  for (const w of [...waiters]) w.reject(error);
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/**
 * A bounded async FIFO queue.
 *
 * @example
 * ```ts
 * const q = new BoundedQueue<number>(2, 'consumer');
 * await q.push(1); await q.push(2);
 * const pending = q.push(3);       // waits: the queue is full
 * await q.shift();                 // 1, and `pending` resolves
 * ```
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly notFull = new Set<Waiter>();
  private readonly notEmpty = new Set<Waiter>();
  private failure: Error | undefined;
  private closed = false;

  /**
   * @param capacity - most items held before `push` waits (a positive integer or `Infinity`).
   * @param peer - the consumer's name, used in `push` time-out and closed errors.
   * @param source - the producer's name, used in `shift` errors (default `peer`).
   */
  constructor(
    readonly capacity: number,
    readonly peer: string,
    readonly source: string = peer,
  ) {
    checkCapacity('BoundedQueue', capacity);
  }

  /** Items waiting to be shifted. */
  get size(): number {
    return this.items.length;
  }

  /** Appends `item`, waiting while the queue is full. */
  async push(item: T, options?: WaitOptions): Promise<void> {
    if (this.closed && !this.failure) throw new TransportClosedError(this.peer);
    await waitUntil(
      () => this.items.length < this.capacity,
      this.notFull,
      () => this.failure ?? (this.closed ? new TransportClosedError(this.peer) : undefined),
      { peer: this.peer, operation: 'send' },
      options,
    );
    this.items.push(item);
    wakeAll(this.notEmpty);
  }

  /**
   * Appends `item` now if there is room (no waiting, so items offered in one tick keep their order relative to a
   * `close()` in the same tick); returns whether it was added.
   */
  offer(item: T): boolean {
    if (this.closed || this.items.length >= this.capacity) return false;
    this.items.push(item);
    wakeAll(this.notEmpty);
    return true;
  }

  /** Removes and returns the oldest item, waiting while the queue is empty. After `close()` the items left still drain. */
  async shift(options?: WaitOptions): Promise<T> {
    await waitUntil(
      () => this.items.length > 0,
      this.notEmpty,
      () => this.failure ?? (this.closed && this.items.length === 0 ? new TransportClosedError(this.source) : undefined),
      { peer: this.source, operation: 'receive' },
      options,
    );
    const item = this.items.shift() as T;
    wakeAll(this.notFull);
    return item;
  }

  /** Graceful close: no more pushes; waiting shifts reject once the queue is empty. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    rejectAll(this.notFull, new TransportClosedError(this.peer));
    if (this.items.length === 0) rejectAll(this.notEmpty, new TransportClosedError(this.source));
  }

  /** Failure: every waiter and every later call rejects with `error`; queued items are dropped. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.closed = true;
    this.items.length = 0;
    rejectAll(this.notFull, error);
    rejectAll(this.notEmpty, error);
  }
}
