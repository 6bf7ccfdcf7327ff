import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, freeLoopbackPort, type LocalRedis } from '@beyond-backprop/test-services';
import { RedisTransportError, RemoteError, tensorFrame, TransportClosedError, TransportTimeoutError, WorkerFailedError } from '../src/index.js';
import { connectRedis, destroyRedis, hostRedisRun, joinRedisRun, RedisLink, spawnWorker } from '../src/node/index.js';

const ECHO = new URL('./fixtures/echo-worker.ts', import.meta.url);

// Worker start-up (a fresh tfjs and TypeScript loader per thread) takes seconds alone and much longer on a loaded
// machine: the waits below are hang guards, not speed targets.
describe('worker_threads links', { timeout: 300_000 }, () => {
  it('transfer tensor buffers zero-copy and echo them back intact', async () => {
    const w = spawnWorker(ECHO, { name: 'echo-0', data: { greeting: 'hi' } });
    try {
      expect((await w.link.receive({ timeoutMs: 120_000 })).meta).toEqual({ greeting: 'hi' });
      const data = new Float32Array([1, 2, 3, 4, 5, 6]);
      await w.link.send({ kind: 'echo', meta: 7, tensors: [tensorFrame(data, [2, 3])] });
      expect(data.buffer.byteLength).toBe(0); // transferred, not copied
      const back = await w.link.receive({ timeoutMs: 120_000 });
      expect(back.tensors![0].shape).toEqual([2, 3]);
      expect(Array.from(back.tensors![0].data)).toEqual([1, 2, 3, 4, 5, 6]);
      await w.link.send({ kind: 'stop' });
      expect(await w.exited).toBe(0);
    } finally {
      await w.terminate();
    }
  });

  it('deliver a message posted in the same tick as the close before reporting the link closed', async () => {
    const w = spawnWorker(ECHO, { name: 'leaver', data: { greeting: '' } });
    try {
      await w.link.receive({ timeoutMs: 120_000 });
      await w.link.send({ kind: 'bye' });
      expect((await w.link.receive({ timeoutMs: 120_000 })).kind).toBe('bye');
      await expect(w.link.receive({ timeoutMs: 120_000 })).rejects.toBeInstanceOf(TransportClosedError);
      expect(await w.exited).toBe(0);
    } finally {
      await w.terminate();
    }
  });

  it('apply back-pressure: a send waits while the worker holds `capacity` unread messages', async () => {
    const w = spawnWorker(ECHO, { name: 'slow', data: { greeting: '' }, capacity: 1 });
    try {
      await w.link.receive({ timeoutMs: 120_000 });
      await w.link.send({ kind: 'stall', meta: 300 });
      await w.link.send({ kind: 'echo', meta: 1 }); // waits until the stall message is consumed
      const blocked = await w.link.send({ kind: 'echo', meta: 2 }, { timeoutMs: 50 }).catch((e: unknown) => e);
      expect(blocked).toBeInstanceOf(TransportTimeoutError);
    } finally {
      await w.terminate();
    }
  });

  it('end a run whose worker thread is killed mid-run with an error naming the worker, without hanging', async () => {
    const w = spawnWorker(ECHO, { name: 'replica-1', data: { greeting: '' } });
    await w.link.receive({ timeoutMs: 120_000 });
    const waiting = w.link.receive(); // no time-out: only the failure can end it
    await w.worker.terminate(); // killed from outside, not through the link
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerFailedError);
    expect((error as WorkerFailedError).worker).toBe('replica-1');
    await expect(w.link.send({ kind: 'echo' })).rejects.toBeInstanceOf(WorkerFailedError);
  });

  it('report a worker that exits or throws as a failure of that worker', async () => {
    const a = spawnWorker(ECHO, { name: 'exits', data: { greeting: '' } });
    await a.link.receive({ timeoutMs: 120_000 });
    await a.link.send({ kind: 'exit' });
    const exitError = (await a.link.receive().catch((e: unknown) => e)) as WorkerFailedError;
    expect(exitError).toBeInstanceOf(WorkerFailedError);
    expect(exitError.exitCode).toBe(3);
    expect(exitError.message).toMatch(/'exits'/);
    const b = spawnWorker(ECHO, { name: 'throws', data: { greeting: '' } });
    await b.link.receive({ timeoutMs: 120_000 });
    await b.link.send({ kind: 'throw' });
    const thrown = await b.link.receive().catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(WorkerFailedError);
    expect((thrown as Error).message).toMatch(/throws.*RangeError: asked to throw/);
    await Promise.all([a.terminate(), b.terminate()]);
  });
});

describe('Redis stream links (real redis-server)', () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('carry frames both ways and bound the unread messages per stream', async () => {
    const client = await connectRedis(redis.url);
    const a = await RedisLink.open(client, { url: redis.url, peer: 'b', sendKey: 't1:ab', receiveKey: 't1:ba', capacity: 2 });
    const b = await RedisLink.open(client, { url: redis.url, peer: 'a', sendKey: 't1:ba', receiveKey: 't1:ab', capacity: 2 });
    try {
      const w = new Float32Array(1000).map((_, i) => Math.sin(i));
      await a.send({ kind: 'weights', meta: { round: 1 }, tensors: [tensorFrame(w, [10, 100])] });
      await a.send({ kind: 'second' });
      const full = await a.send({ kind: 'third' }, { timeoutMs: 100 }).catch((e: unknown) => e);
      expect(full).toBeInstanceOf(TransportTimeoutError);
      const got = await b.receive({ timeoutMs: 5000 });
      expect(got.meta).toEqual({ round: 1 });
      expect(Array.from(got.tensors![0].data)).toEqual(Array.from(w));
      await a.send({ kind: 'third' }, { timeoutMs: 5000 });
      expect((await b.receive()).kind).toBe('second');
      expect((await b.receive()).kind).toBe('third');
      await b.send({ kind: 'reply' });
      expect((await a.receive()).kind).toBe('reply');
      expect(await client.sendCommand(['XLEN', 't1:ab'])).toBe(0);
    } finally {
      await a.close();
      await b.close();
      destroyRedis(client);
    }
  });

  it('report an unreachable server with its URL', async () => {
    const port = await freeLoopbackPort();
    const error = await connectRedis(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisTransportError);
    expect((error as RedisTransportError).url).toBe(`redis://127.0.0.1:${port}`);
    expect((error as RedisTransportError).operation).toBe('connect');
  });

  it('host and join a run, and fail the host when a joined worker stops its heartbeat', async () => {
    const hosting = hostRedisRun({ url: redis.url, namespace: 'hb', heartbeatMs: 400 }, 1, { joinTimeoutMs: 10_000 });
    const joined = await joinRedisRun({ url: redis.url, namespace: 'hb', heartbeatMs: 400 }, { timeoutMs: 10_000 });
    const run = await hosting;
    expect(joined.rank).toBe(0);
    expect(joined.size).toBe(1);
    await run.links[0].send({ kind: 'start', meta: { epochs: 2 } });
    expect((await joined.link.receive({ timeoutMs: 5000 })).meta).toEqual({ epochs: 2 });
    // Simulate a dead worker process: its heartbeat stops, nothing more is sent.
    await joined.close();
    const error = await run.links[0].receive({ timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerFailedError);
    expect((error as WorkerFailedError).worker).toBe('worker-0');
    await run.close();
  });

  it('end a waiting receive with a typed error naming the URL when the server is killed mid-run', async () => {
    const own = await startRedisServer();
    const client = await connectRedis(own.url);
    const a = await RedisLink.open(client, { url: own.url, peer: 'b', sendKey: 'k:ab', receiveKey: 'k:ba' });
    try {
      await a.send({ kind: 'before' });
      const waiting = a.receive(); // no time-out
      own.process.kill('SIGKILL');
      const error = await waiting.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisTransportError);
      expect((error as RedisTransportError).url).toBe(own.url);
      const sendError = await a.send({ kind: 'after', tensors: [tensorFrame(new Float32Array(10))] }).catch((e: unknown) => e);
      expect(sendError).toBeInstanceOf(RedisTransportError);
    } finally {
      await a.close();
      destroyRedis(client);
      await own.stop();
    }
  });

  it('surface a worker-side failure report as a RemoteError', () => {
    const e = new RemoteError('replica-2', 'TrainingDivergedError', 'loss is NaN');
    expect(e.message).toMatch(/replica-2.*TrainingDivergedError/);
  });
});
