import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@beyond-backprop/core-linalg';
import {
  BoundedQueue,
  createInProcessLinkPair,
  decodeFrame,
  encodeFrame,
  FrameError,
  payloadBytes,
  RemoteError,
  expectMessage,
  reportFailure,
  tensorFrame,
  TransportClosedError,
  TransportTimeoutError,
  type Message,
} from '../src/index.js';

function sample(): Message {
  return {
    kind: 'weights',
    meta: { round: 3, names: ['w', 'b'] },
    tensors: [
      tensorFrame(new Float32Array([1.5, -2, 3, Math.PI, 0, -0]), [2, 3]),
      tensorFrame(new Int32Array([7, -8, 9])),
      tensorFrame(new Uint8Array([1, 2, 255])),
    ],
  };
}

describe('tensor frames', () => {
  it('round-trip kind, metadata, dtypes, shapes and exact values', () => {
    const back = decodeFrame(encodeFrame(sample()));
    expect(back.kind).toBe('weights');
    expect(back.meta).toEqual({ round: 3, names: ['w', 'b'] });
    expect(back.tensors!.map((t) => [t.dtype, t.shape])).toEqual([
      ['float32', [2, 3]],
      ['int32', [3]],
      ['uint8', [3]],
    ]);
    expect(Array.from(back.tensors![0].data)).toEqual(Array.from(sample().tensors![0].data));
    expect(Object.is(back.tensors![0].data[5], -0)).toBe(true);
    expect(Array.from(back.tensors![1].data)).toEqual([7, -8, 9]);
    expect(payloadBytes(back)).toBe(24 + 12 + 3);
  });

  it('round-trip views into larger buffers and empty tensors', () => {
    const big = new Float32Array([9, 1, 2, 3, 9]);
    const back = decodeFrame(encodeFrame({ kind: 'x', tensors: [tensorFrame(big.subarray(1, 4)), tensorFrame(new Float32Array(0), [0, 5])] }));
    expect(Array.from(back.tensors![0].data)).toEqual([1, 2, 3]);
    expect(back.tensors![1].shape).toEqual([0, 5]);
  });

  it('reject a shape that does not match the data with a typed error', () => {
    expect(() => tensorFrame(new Float32Array(5), [2, 3])).toThrow(InvalidArgumentError);
    expect(() => encodeFrame({ kind: 'x', tensors: [{ dtype: 'int32', shape: [2], data: new Float32Array(2) }] })).toThrow(/tensors\[0\]/);
  });

  it('reject a header claiming 2^31 values before allocating, and truncated frames', () => {
    const good = encodeFrame({ kind: 'x', tensors: [tensorFrame(new Float32Array(4))] });
    const header = JSON.stringify({ kind: 'x', meta: null, tensors: [{ dtype: 'float32', shape: [2 ** 31], byteLength: 2 ** 33 }] });
    const hb = new TextEncoder().encode(header);
    const forged = new Uint8Array(16 + hb.length);
    forged.set(good.subarray(0, 8));
    new DataView(forged.buffer).setUint32(8, hb.length, true);
    forged.set(hb, 12);
    expect(() => decodeFrame(forged)).toThrow(FrameError);
    expect(() => decodeFrame(good.subarray(0, good.length - 8))).toThrow(/claims 16 bytes/);
    expect(() => decodeFrame(good.subarray(0, 5))).toThrow(FrameError);
  });

  it('turn thousands of corrupted frames into typed errors only', () => {
    const good = encodeFrame(sample());
    let state = 12345;
    const next = (): number => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let rejected = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const bad = good.slice(0, Math.max(1, Math.floor(good.length * (trial % 3 === 0 ? next() : 1))));
      for (let f = 0; f < 1 + (trial % 4); f++) bad[Math.floor(next() * bad.length)] = Math.floor(next() * 256);
      try {
        const m = decodeFrame(bad);
        expect(typeof m.kind).toBe('string');
      } catch (e) {
        expect(e).toBeInstanceOf(FrameError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe('bounded queue and in-process links', () => {
  it('make a sender wait while the receiver holds `capacity` unread messages', async () => {
    const [a, b] = createInProcessLinkPair({ capacity: 2, names: ['a', 'b'] });
    await a.send({ kind: '1' });
    await a.send({ kind: '2' });
    let third = false;
    const pending = a.send({ kind: '3' }).then(() => (third = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBe(false);
    expect((await b.receive()).kind).toBe('1');
    await pending;
    expect(third).toBe(true);
    expect([(await b.receive()).kind, (await b.receive()).kind]).toEqual(['2', '3']);
  });

  it('time out a receive with an error naming the peer', async () => {
    const [, b] = createInProcessLinkPair({ names: ['coordinator', 'replica-0'] });
    const error = await b.receive({ timeoutMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportTimeoutError);
    expect((error as TransportTimeoutError).peer).toBe('coordinator');
  });

  it('deliver queued messages after a graceful close, then reject', async () => {
    const [a, b] = createInProcessLinkPair();
    await a.send({ kind: 'last' });
    await a.close();
    expect((await b.receive()).kind).toBe('last');
    await expect(b.receive()).rejects.toBeInstanceOf(TransportClosedError);
    await expect(b.send({ kind: 'late' })).rejects.toBeInstanceOf(TransportClosedError);
  });

  it('reject every waiter of a failed queue and honour abort signals', async () => {
    const q = new BoundedQueue<number>(1, 'peer');
    const waiting = q.shift();
    q.fail(new RangeError('dead'));
    await expect(waiting).rejects.toThrow('dead');
    const q2 = new BoundedQueue<number>(1, 'peer');
    const controller = new AbortController();
    const pending = q2.shift({ signal: controller.signal });
    controller.abort(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
    expect(() => new BoundedQueue(0, 'p')).toThrow(InvalidArgumentError);
  });
});

describe('remote failures', () => {
  it('reportFailure sends the error and closes; expectMessage turns it into a RemoteError naming the peer', async () => {
    const [coordinator, worker] = createInProcessLinkPair({ names: ['coordinator', 'replica-3'] });
    await reportFailure(worker, new RangeError('out of range'));
    await expect(worker.send({ kind: 'late' })).rejects.toBeInstanceOf(TransportClosedError);
    const m = await coordinator.receive({ timeoutMs: 1000 });
    expect(() => expectMessage(coordinator, m, ['upload'])).toThrow(RemoteError);
    expect(() => expectMessage(coordinator, m, ['upload'])).toThrow(/replica-3.*RangeError.*out of range/);
  });

  it('expectMessage passes the expected kinds through and names an unexpected one', () => {
    const [a] = createInProcessLinkPair({ names: ['a', 'b'] });
    const upload: Message = { kind: 'upload' };
    expect(expectMessage(a, upload, ['upload', 'done'])).toBe(upload);
    expect(() => expectMessage(a, { kind: 'noise' }, ['upload', 'done'])).toThrow(/'b'.*sent 'noise' where 'upload' or 'done' was expected/);
  });
});
