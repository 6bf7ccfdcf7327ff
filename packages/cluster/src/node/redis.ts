/**
 * Redis streams as a transport between processes on different machines. Each direction of a link is one stream; a
 * message is one `XADD` entry holding one frame ({@link encodeFrame}), so a connection that drops mid-send leaves
 * either the whole message or nothing. The receiver deletes each entry it consumes, so the stream length is the
 * number of unread messages, and a sender waits while it reaches `capacity` (back-pressure).
 *
 * Connections never reconnect silently and never queue commands offline: an unreachable or dropped server ends the
 * operation with a {@link RedisTransportError} naming the URL.
 */
import { createClient, RESP_TYPES } from 'redis';
import { checkCapacity, type WaitOptions } from '../bounded-queue.js';
import { RedisTransportError, TransportClosedError, TransportTimeoutError, WorkerFailedError } from '../errors.js';
import { checkMessage, decodeFrame, encodeFrame, type Message } from '../frame.js';
import type { Link } from '../link.js';

/** A connected node-redis client. */
export type RedisClient = ReturnType<typeof createClient>;

const BUFFERS = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } } as const;

/** The URL without user name and password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** Options of {@link connectRedis}. */
export interface RedisConnectOptions {
  /** Give up connecting after this many milliseconds (default 5000). */
  connectTimeoutMs?: number;
}

/**
 * Connects to `url` (`redis://host:port`) with fail-fast settings: no reconnection, no offline queue.
 *
 * @throws {@link RedisTransportError} with the URL when the server cannot be reached.
 * @example
 * ```ts
 * const client = await connectRedis('redis://127.0.0.1:6379');
 * ```
 */
export async function connectRedis(url: string, options: RedisConnectOptions = {}): Promise<RedisClient> {
  const shown = redactRedisUrl(url);
  let client: RedisClient;
  try {
    client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: options.connectTimeoutMs ?? 5000 }, disableOfflineQueue: true });
  } catch (e) {
    throw new RedisTransportError(shown, 'connect', `bad URL (${(e as Error).message})`, { cause: e });
  }
  // Errors also surface on the pending command; the listener only keeps node-redis from throwing them globally.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw new RedisTransportError(shown, 'connect', (e as Error).message || String(e), { cause: e });
  }
  return client;
}

/** Closes a client without waiting on a server that may be gone. */
export function destroyRedis(client: RedisClient): void {
  try {
    if (client.isOpen) client.destroy();
  } catch {
    // already closed
  }
}

/** Runs one command, turning any failure into a {@link RedisTransportError} (or `closedError()` when closing). */
export async function redisCall<T>(
  client: RedisClient,
  url: string,
  operation: string,
  args: readonly (string | Buffer)[],
  closedError?: () => Error | undefined,
  buffers = false,
): Promise<T> {
  try {
    return (await client.sendCommand(args as (string | Buffer)[], buffers ? BUFFERS : undefined)) as T;
  } catch (e) {
    const closed = closedError?.();
    if (closed) throw closed;
    throw new RedisTransportError(redactRedisUrl(url), operation, (e as Error).message || String(e), { cause: e });
  }
}

/** Options of {@link RedisLink}. */
export interface RedisLinkOptions {
  url: string;
  /** The other end's name, used in errors. */
  peer: string;
  /** Stream this end writes to (the peer's `receiveKey`). */
  sendKey: string;
  /** Stream this end reads from (the peer's `sendKey`). */
  receiveKey: string;
  /** Unread messages in `sendKey` before `send` waits (default 4). */
  capacity?: number;
  /** Longest single blocking read; liveness and time-outs are checked between reads (default 250 ms). */
  pollMs?: number;
  /**
   * A key the peer keeps alive with a heartbeat ({@link startHeartbeat}); once it is gone, waiting operations fail with
   * {@link WorkerFailedError} naming the peer. Checked only after {@link RedisLink.requirePeerAlive}.
   */
  peerAliveKey?: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One end of a link over two Redis streams. `command` is shared (sends, lengths, deletes); the link opens its own
 * connection for blocking reads.
 *
 * @example
 * ```ts
 * const client = await connectRedis(url);
 * const a = await RedisLink.open(client, { url, peer: 'b', sendKey: 'run:a->b', receiveKey: 'run:b->a' });
 * const b = await RedisLink.open(client, { url, peer: 'a', sendKey: 'run:b->a', receiveKey: 'run:a->b' });
 * await a.send({ kind: 'hello' });
 * ```
 */
export class RedisLink implements Link {
  readonly peer: string;
  private readonly capacity: number;
  private readonly pollMs: number;
  private lastId = '0';
  private closed = false;
  private checkAlive = false;
  private failure: Error | undefined;
  private readonly closedError = (): Error | undefined => this.failure ?? (this.closed ? new TransportClosedError(this.peer, 'closed by this end') : undefined);

  private constructor(
    private readonly command: RedisClient,
    private readonly reader: RedisClient,
    private readonly options: RedisLinkOptions,
  ) {
    this.peer = options.peer;
    this.capacity = options.capacity ?? 4;
    this.pollMs = options.pollMs ?? 250;
    checkCapacity('RedisLink', this.capacity);
  }

  /** Opens a link: `command` is an open client; a second connection for blocking reads is made here. */
  static async open(command: RedisClient, options: RedisLinkOptions): Promise<RedisLink> {
    let reader: RedisClient;
    try {
      reader = command.duplicate();
      reader.on('error', () => {});
      await reader.connect();
    } catch (e) {
      throw new RedisTransportError(redactRedisUrl(options.url), 'connect', (e as Error).message || String(e), { cause: e });
    }
    return new RedisLink(command, reader, options);
  }

  /** From now on, a missing heartbeat key of the peer fails waiting operations. */
  requirePeerAlive(): void {
    this.checkAlive = this.options.peerAliveKey !== undefined;
  }

  /** Fails the link: pending and later operations reject with `error`. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    destroyRedis(this.reader);
  }

  async send(message: Message, options: WaitOptions = {}): Promise<void> {
    checkMessage('RedisLink.send', message);
    const frame = encodeFrame(message);
    const start = Date.now();
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      this.throwIfDone();
      const length = await redisCall<number>(this.command, this.options.url, 'send', ['XLEN', this.options.sendKey], this.closedError);
      if (length < this.capacity) break;
      await this.checkTimeAndPeer('send', start, options);
      await sleep(wait);
    }
    await redisCall(
      this.command,
      this.options.url,
      'send',
      ['XADD', this.options.sendKey, '*', 'f', Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)],
      this.closedError,
    );
  }

  async receive(options: WaitOptions = {}): Promise<Message> {
    const start = Date.now();
    for (;;) {
      this.throwIfDone();
      let block = this.pollMs;
      if (options.timeoutMs !== undefined) block = Math.max(1, Math.min(block, options.timeoutMs - (Date.now() - start)));
      const reply = await redisCall<unknown>(
        this.reader,
        this.options.url,
        'receive',
        ['XREAD', 'COUNT', '1', 'BLOCK', String(block), 'STREAMS', this.options.receiveKey, this.lastId],
        this.closedError,
        true,
      );
      const entry = firstEntry(reply);
      if (entry) {
        const [id, fields] = entry;
        this.lastId = id;
        await redisCall(this.command, this.options.url, 'receive', ['XDEL', this.options.receiveKey, id], this.closedError);
        const value = fields[1];
        if (!value)
          throw new RedisTransportError(redactRedisUrl(this.options.url), 'receive', `stream entry ${id} of ${this.options.receiveKey} has no frame field`);
        return decodeFrame(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      }
      await this.checkTimeAndPeer('receive', start, options);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    destroyRedis(this.reader);
  }

  private throwIfDone(): void {
    const e = this.closedError();
    if (e) throw e;
  }

  private async checkTimeAndPeer(operation: 'send' | 'receive', start: number, options: WaitOptions): Promise<void> {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
    if (options.timeoutMs !== undefined && Date.now() - start >= options.timeoutMs) throw new TransportTimeoutError(this.peer, operation, options.timeoutMs);
    if (this.checkAlive) {
      const alive = await redisCall<number>(this.command, this.options.url, operation, ['EXISTS', this.options.peerAliveKey!], this.closedError);
      if (alive === 0) {
        const error = new WorkerFailedError(this.peer, 'stopped its heartbeat (its process is gone or cut off from Redis)');
        this.fail(error);
        throw error;
      }
    }
  }
}

/** The first `[id, [field, value]]` of an XREAD reply (RESP2 arrays or RESP3 maps), or undefined. */
function firstEntry(reply: unknown): [string, Buffer[]] | undefined {
  if (reply === null || reply === undefined) return undefined;
  let streams: unknown[];
  if (Array.isArray(reply)) streams = reply.map((s) => (s as unknown[])[1]);
  else if (reply instanceof Map) streams = [...reply.values()];
  else streams = Object.values(reply as Record<string, unknown>);
  const entries = streams[0] as Array<[Buffer | string, Buffer[]]> | undefined;
  const first = entries?.[0];
  if (!first) return undefined;
  return [first[0].toString(), first[1]];
}

/** A running heartbeat; `stop()` ends it and deletes the key. */
export interface Heartbeat {
  stop(): Promise<void>;
}

/**
 * Keeps `key` alive: `SET key 1 PX ttlMs` now and every `ttlMs / 3`. A peer watching the key
 * ({@link RedisLinkOptions.peerAliveKey}) sees it vanish within `ttlMs` of this process dying.
 */
export async function startHeartbeat(client: RedisClient, url: string, key: string, ttlMs = 3000): Promise<Heartbeat> {
  await redisCall(client, url, 'heartbeat', ['SET', key, '1', 'PX', String(ttlMs)]);
  const timer = setInterval(
    () => {
      client.sendCommand(['SET', key, '1', 'PX', String(ttlMs)]).catch(() => {});
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref?.();
  return {
    async stop() {
      clearInterval(timer);
      await client.sendCommand(['DEL', key]).catch(() => {});
    },
  };
}
