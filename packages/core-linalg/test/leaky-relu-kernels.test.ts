import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, installWasmKernels } from '../src/index.js';
import { LEAKY_RELU_GRAD_KERNEL } from '../src/leaky-relu-kernels.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 3.4e38, -3.4e38, 1e-45, -1e-45, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];

/** Special values, then seeded pseudo-random ones of both signs and several magnitudes. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = i < SPECIAL.length ? SPECIAL[i] : (s / 2147483648 - 0.5) * 10 ** ((i % 7) - 3);
  }
  return out;
}

/** Bit patterns, so NaN equals NaN and −0 differs from +0. */
const bits = (a: tf.TypedArray | number[]): number[] => Array.from(new Uint32Array(Float32Array.from(a as ArrayLike<number>).buffer));

describe('leaky-ReLU kernels (wasm and cpu)', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const alpha of [0.2, 0, 0.01, 1, 0.3, -0.5, 1e30]) {
      it(`${backend}, α = ${alpha}: forward and gradient are bit-identical to TensorFlow.js's formulas`, async () => {
        await tf.setBackend(backend);
        const x = tf.tensor4d(values(2 * 5 * 7 * 3, 7), [2, 5, 7, 3]);
        const dy = tf.tensor4d(values(2 * 5 * 7 * 3, 11), [2, 5, 7, 3]);
        const forward = tf.leakyRelu(x, alpha);
        const forwardRef = tf.where(tf.less(x, 0), tf.mul(x, alpha), x);
        // The wasm forward kernel is replaced (and must equal the float32 formula, like the kernel it replaces); the
        // cpu backend keeps its own, which multiplies by α unrounded.
        if (backend === 'wasm') expect(bits(forward.dataSync()), 'forward').toEqual(bits(forwardRef.dataSync()));
        const grad = tf.grad((a) => tf.leakyRelu(a, alpha))(x, dy);
        const gradRef = tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
        expect(bits(grad.dataSync()), 'gradient').toEqual(bits(gradRef.dataSync()));
        tf.dispose([x, dy, forward, forwardRef, grad, gradRef]);
      });
    }
  }

  it('the fused kernel is registered and used on wasm, and nothing leaks', async () => {
    await tf.setBackend('wasm');
    expect(tf.getKernel(LEAKY_RELU_GRAD_KERNEL, 'wasm')).toBeDefined();
    expect(tf.getKernel(LEAKY_RELU_GRAD_KERNEL, 'cpu')).toBeDefined();
    const x = tf.randomNormal([4, 6]);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() =>
      tf
        .grad((a) => tf.sum(tf.leakyRelu(a, 0.2)))(x)
        .dispose(),
    );
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain(LEAKY_RELU_GRAD_KERNEL);
    expect(kernels).not.toContain('Select');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('second derivatives flow through the fused gradient: d²/dx² Σ leakyRelu(x)² = 2·(x > 0 ? 1 : α²)', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      const alpha = 0.25; // a power of two: the expected values are exact
      const x = tf.tensor1d([-2, -0.5, 0.5, 3]);
      const f = (a: tf.Tensor) => tf.sum(tf.square(tf.leakyRelu(a, alpha)));
      const second = tf.grad((a) => tf.sum(tf.grad(f)(a)))(x);
      expect(Array.from(second.dataSync())).toEqual([2 * alpha * alpha, 2 * alpha * alpha, 2, 2]);
      tf.dispose([x, second]);
    }
  });

  it('without the fused kernel the gradient falls back to the formula; int32 input keeps the original forward kernel', async () => {
    await tf.setBackend('cpu');
    tf.unregisterKernel(LEAKY_RELU_GRAD_KERNEL, 'cpu');
    try {
      const x = tf.tensor1d([-1, 2, 0, -3]);
      const g = tf.grad((a) => tf.sum(tf.leakyRelu(a, 0.5)))(x);
      expect(Array.from(g.dataSync())).toEqual([0.5, 1, 0.5, 0.5]);
      tf.dispose([x, g]);
    } finally {
      expect(installWasmKernels()).toEqual([`${LEAKY_RELU_GRAD_KERNEL}/cpu`]);
    }
    await tf.setBackend('wasm');
    const xi = tf.tensor1d([-4, 2, 0], 'int32');
    const yi = tf.leakyRelu(xi, 0.5);
    expect(Array.from(yi.dataSync())).toEqual([-2, 2, 0]);
    tf.dispose([xi, yi]);
  });
});
