import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { measureStepMemory, startStepMemory, tensorBytes } from '../src/index.js';

describe('measureStepMemory', () => {
  it('counts each new data buffer once, at its highest, and nothing for views of an existing buffer', () => {
    const x = tf.ones([100, 50]); // 20 000 bytes, alive before the step
    const [one, two] = [tf.scalar(1), tf.scalar(2)]; // made outside, so the step allocates only what is counted below
    const m = measureStepMemory(() =>
      tf.tidy(() => {
        // Views of x: a reshape and a cpu clone share its buffer.
        const views = [x.reshape([50, 100]), x.reshape([5000]), tf.clone(x)];
        expect(views).toHaveLength(3);
        // Two new buffers alive together (20 000 bytes each), then one of them freed before a third.
        const a = tf.add(x, one);
        const b = tf.mul(a, two);
        a.dispose();
        const c = tf.sub(b, one);
        return c.sum();
      }),
    );
    // Peak: b and c alive together (40 000 bytes) when their 4-byte sum is made; the three views add nothing.
    expect(m.stepPeakBytes).toBe(40_004);
    expect(m.peakStepBytes).toBe(40_004);
    expect(m.persistentBytes).toBe(0);
    expect(m.leakedTensors).toBe(1); // the returned scalar
    expect(m.peakBytes - m.baseBytes).toBe(m.stepPeakBytes);
    tf.dispose([m.result as tf.Tensor, x, one, two]);
  });

  it('adds the persistent tensors once per buffer, and a recorder restores the engine when stopped', () => {
    const w = tf.variable(tf.zeros([10, 10])); // 400 bytes
    const view = w.reshape([100]);
    const three = tf.scalar(3);
    const recorder = startStepMemory({ persistent: [w, view, w] });
    const t = tf.mul(w, three); // one new 400-byte buffer
    const report = recorder.stop();
    expect(report.persistentBytes).toBe(400);
    expect(report.stepPeakBytes).toBe(400);
    expect(report.peakStepBytes).toBe(800);
    // After stop, new tensors are no longer counted by the stopped recorder, and a later one starts from zero.
    const again = startStepMemory();
    const u = tf.add(t, three);
    expect(again.stop().stepPeakBytes).toBe(400);
    expect(tensorBytes([w, view])).toBe(400);
    tf.dispose([t, u, view, w, three]);
  });

  it('a buffer freed during the step that existed before it lowers the live count without going below the peak', () => {
    const before = tf.ones([1000]); // 4 000 bytes, alive before the step
    const one = tf.scalar(1);
    const m = measureStepMemory(() => {
      before.dispose();
      return tf.tidy(() => tf.ones([500]).add(one)); // 2 000 + 2 000 bytes, the first freed by tidy
    });
    expect(m.stepPeakBytes).toBe(0); // −4 000 + 4 000 never exceeds the start
    const after = measureStepMemory(() => tf.tidy(() => tf.ones([2000]).add(one))); // 8 000 + 8 000
    expect(after.stepPeakBytes).toBe(16_000);
    tf.dispose([m.result, after.result, one]);
  });
});
