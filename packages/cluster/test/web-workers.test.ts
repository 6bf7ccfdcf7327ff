// The browser path of the port link and the Web Worker launcher, run in Node over DOM-style ports: objects that only
// have postMessage / addEventListener / removeEventListener / start (no `on`), built on a Node MessageChannel.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, initBackend } from '@beyond-backprop/core-linalg';
import {
  DataParallelTrainer,
  PortLink,
  RemoteError,
  serveReplica,
  tensorFrame,
  TransportClosedError,
  TransportTimeoutError,
  webWorkerReplicas,
  WorkerFailedError,
  type DomStylePort,
  type WebWorkerLike,
} from '../src/index.js';
import * as toyCodec from './fixtures/toy-codec.js';

type MessageListener = (event: { data: unknown }) => void;

/** A DOM-style view of a Node port: listeners get `{ data }` events, and there is no `on`/`off`. */
function domPort(port: MessagePort): DomStylePort & { readonly started: boolean } {
  let started = false;
  return {
    get started() {
      return started;
    },
    postMessage: (value, transfer) => port.postMessage(value, transfer),
    addEventListener: (type, listener) => port.addEventListener(type, listener as never),
    removeEventListener: (type, listener) => port.removeEventListener(type, listener as never),
    start: () => {
      started = true;
      port.start();
    },
  };
}

function domPair(): [ReturnType<typeof domPort>, ReturnType<typeof domPort>, () => void] {
  const { port1, port2 } = new MessageChannel();
  return [domPort(port1), domPort(port2), () => (port1.close(), port2.close())];
}

/** A fake Web `Worker` whose "script" is `script(scope)`, run in this thread on the other end of a channel. */
function fakeWorker(script: (scope: DomStylePort) => Promise<void> | void): WebWorkerLike & { fire(message: string): void; terminated: boolean } {
  const [outside, inside, closeAll] = domPair();
  const errorListeners: Array<(event: { message: string; preventDefault(): void }) => void> = [];
  const worker = {
    terminated: false,
    postMessage: outside.postMessage,
    addEventListener(type: 'message' | 'error', listener: MessageListener | ((event: { message: string; preventDefault(): void }) => void)) {
      if (type === 'error') errorListeners.push(listener as (typeof errorListeners)[number]);
      else outside.addEventListener('message', listener as MessageListener);
    },
    removeEventListener: outside.removeEventListener,
    start: outside.start,
    terminate() {
      worker.terminated = true;
      closeAll();
    },
    fire(message: string) {
      for (const l of errorListeners) l({ message, preventDefault() {} });
    },
  };
  // A worker's script starts after the coordinator's first messages are posted.
  setTimeout(() => void Promise.resolve(script(inside)).catch(() => {}), 20);
  return worker as WebWorkerLike & { fire(message: string): void; terminated: boolean };
}

describe('PortLink over DOM-style ports (Web Worker, worker scope, MessagePort)', () => {
  it('starts the port, transfers tensor buffers zero-copy and delivers them intact', async () => {
    const [p1, p2, close] = domPair();
    const a = new PortLink(p1, { peer: 'b' });
    const b = new PortLink(p2, { peer: 'a' });
    expect(p1.started && p2.started).toBe(true);
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    await a.send({ kind: 'w', meta: { epoch: 1 }, tensors: [tensorFrame(data, [2, 3])] });
    expect(data.buffer.byteLength).toBe(0); // transferred, not copied
    const got = await b.receive({ timeoutMs: 5000 });
    expect(got).toMatchObject({ kind: 'w', meta: { epoch: 1 } });
    expect(got.tensors![0].shape).toEqual([2, 3]);
    expect(Array.from(got.tensors![0].data)).toEqual([1, 2, 3, 4, 5, 6]);
    await a.close();
    await expect(b.receive({ timeoutMs: 5000 })).rejects.toBeInstanceOf(TransportClosedError);
    close();
  });

  it('applies back-pressure: a send waits while the peer holds `capacity` unread messages, and resumes once it reads', async () => {
    const [p1, p2, close] = domPair();
    const a = new PortLink(p1, { peer: 'b', capacity: 1 });
    const b = new PortLink(p2, { peer: 'a' });
    await a.send({ kind: 'one' });
    const blocked = await a.send({ kind: 'two' }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(TransportTimeoutError);
    const waiting = a.send({ kind: 'three' });
    expect((await b.receive({ timeoutMs: 5000 })).kind).toBe('one'); // its acknowledgement releases the waiting send
    await waiting;
    expect((await b.receive({ timeoutMs: 5000 })).kind).toBe('three');
    await Promise.all([a.close(), b.close()]);
    close();
  });

  it('reports a peer failure as a RemoteError and detaches its listener', async () => {
    const [p1, p2, close] = domPair();
    const a = new PortLink(p1, { peer: 'replica-0' });
    const b = new PortLink(p2, { peer: 'coordinator' });
    const pending = a.receive();
    await b.reportError(new RangeError('out of memory'));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toMatch(/replica-0.*RangeError.*out of memory/);
    await expect(a.send({ kind: 'x' })).rejects.toBeInstanceOf(RemoteError);
    close();
  });
});

describe('webWorkerReplicas + serveReplica (fake Web Workers over DOM-style ports)', () => {
  let x: tf.Tensor2D;
  let y: tf.Tensor1D;
  beforeAll(async () => {
    await initBackend({ preference: 'wasm', log: false });
    const rng = createRng(5);
    const xs = new Float32Array(400);
    const ys = new Int32Array(200);
    for (let i = 0; i < 200; i++) {
      const c = i % 2;
      xs[2 * i] = (c ? 1.5 : -1.5) + 0.5 * rng.normal();
      xs[2 * i + 1] = 0.5 * rng.normal();
      ys[i] = c;
    }
    x = tf.tensor2d(xs, [200, 2]);
    y = tf.tensor1d(ys, 'int32');
  });
  afterAll(() => tf.dispose([x, y]));

  function mlp(): tf.LayersModel {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [2], units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
    return model;
  }

  it('trains K replicas, each served over its worker scope with a statically linked codec; stats are live per epoch', async () => {
    const workers: Array<ReturnType<typeof fakeWorker>> = [];
    const launcher = webWorkerReplicas((rank) => {
      const w = fakeWorker((scope) => serveReplica(scope, { codecModule: toyCodec, prepare: () => new Promise((r) => setTimeout(r, 10 * (rank + 1))) }));
      workers.push(w);
      return w;
    });
    const model = mlp();
    const trainer = new DataParallelTrainer(model, { workers: 2, launcher, codec: { name: 'toy8' }, codecModule: toyCodec, syncEvery: 2 });
    const seen: number[] = [];
    const history = await trainer.fit(x, y, {
      epochs: 3,
      batchSize: 20,
      seed: 1,
      callbacks: { onEpochEnd: () => void seen.push(trainer.stats!.bytesSent) },
    });
    expect(history.epoch).toEqual([0, 1, 2]);
    const stats = trainer.stats!;
    expect(stats).toMatchObject({ workers: 2, transport: 'web-workers' });
    expect(stats.bytesSent).toBeLessThan(stats.bytesSentFloat32);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[1]).toBeGreaterThan(seen[0]);
    expect(seen[2]).toBe(stats.bytesSent);
    expect(workers.map((w) => w.terminated)).toEqual([true, true]);
    model.dispose();
  });

  it('ends the run with a WorkerFailedError naming the replica whose worker fails', async () => {
    const launcher = webWorkerReplicas((rank) => {
      const w = fakeWorker((scope) => (rank === 1 ? undefined : serveReplica(scope, { codecModule: toyCodec })));
      if (rank === 1) setTimeout(() => w.fire('SyntaxError: bad script'), 30);
      return w;
    });
    const model = mlp();
    const trainer = new DataParallelTrainer(model, { workers: 2, launcher, timeoutMs: 60_000 });
    const error = await trainer.fit(x, y, { epochs: 1, batchSize: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerFailedError);
    expect((error as WorkerFailedError).worker).toBe('replica-1');
    expect((error as Error).message).toMatch(/SyntaxError: bad script/);
    model.dispose();
  });

  it('reports a replica whose preparation fails (e.g. no backend) to the coordinator', async () => {
    const launcher = webWorkerReplicas(() =>
      fakeWorker((scope) =>
        serveReplica(scope, {
          prepare: async () => {
            throw new Error('no tfjs backend');
          },
        }),
      ),
    );
    const model = mlp();
    const error = await new DataParallelTrainer(model, { workers: 1, launcher, timeoutMs: 60_000 }).fit(x, y, { epochs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toMatch(/no tfjs backend/);
    model.dispose();
  });
});
