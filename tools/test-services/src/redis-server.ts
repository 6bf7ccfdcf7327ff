/**
 * A throw-away `redis-server` on a free loopback port, for integration tests and CI: no persistence, no config file,
 * stopped (and its process reaped) by {@link LocalRedis.stop}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { ensureBinary } from './system-binary.js';

/** A running local Redis. */
export interface LocalRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The server process (e.g. to kill it in a failure test). */
  readonly process: ChildProcess;
  /** Stops the server and waits for the process to exit. Idempotent. */
  stop(): Promise<void>;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when a Redis at `port` answers PING with PONG within `timeoutMs`. */
export async function pingRedis(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

/**
 * Starts `redis-server` (installing Debian's `redis-server` as root when missing) on a free port bound to
 * 127.0.0.1 and waits until it answers PING.
 *
 * @example
 * const redis = await startRedisServer();
 * try { await runWith(redis.url); } finally { await redis.stop(); }
 */
export async function startRedisServer(options: { startTimeoutMs?: number } = {}): Promise<LocalRedis> {
  const binary = ensureBinary(['redis-server'], 'redis-server');
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    const child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let exited = false;
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
    const deadline = Date.now() + timeoutMs;
    while (!exited && Date.now() < deadline) {
      if (await pingRedis(port, 500)) {
        const stop = async (): Promise<void> => {
          if (!exited) child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exitPromise;
          clearTimeout(killer);
        };
        return { url: `redis://127.0.0.1:${port}`, port, process: child, stop };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited) {
      child.kill('SIGKILL');
      await exitPromise;
      throw new Error(`redis-server did not answer PING on 127.0.0.1:${port} within ${timeoutMs} ms: ${stderr.trim()}`);
    }
    // Lost the port race to another process: try another port.
  }
  throw new Error('redis-server exited at start three times (port in use?)');
}
