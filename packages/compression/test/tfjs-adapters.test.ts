import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, initBackend } from '@beyond-backprop/core-linalg';
import { denseNetwork, fitBackprop } from '@beyond-backprop/training';
import { createWeightCodec, layerRange } from '../src/index.js';
import { SimulatedSync, applyDecompressed, compressVariables, kernelGradientRms, modelWeights, readVariables } from '../src/tfjs/index.js';
import { normalSamples, uniforms } from './fixtures.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

/** Two Gaussian blobs in 8 dimensions, labels 0/1 (linearly separable). */
function blobs(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const z = normalSamples(n * 8, seed);
  const labels = new Int32Array(n);
  const xs = new Float32Array(n * 8);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let j = 0; j < 8; j++) xs[i * 8 + j] = z[i * 8 + j] * 0.5 + (labels[i] ? 1 : -1);
  }
  return { x: tf.tensor2d(xs, [n, 8]), y: tf.tensor1d(labels, 'int32') };
}

describe('tfjs adapters', () => {
  it('split a model into kernels and biases, and write decoded layers back exactly', () => {
    const model = denseNetwork({ inputSize: 8, hidden: [6, 4], outputs: 2, seed: 1 });
    const { kernels, others } = modelWeights(model);
    expect(kernels.map((k) => k.shape)).toEqual([
      [8, 6],
      [6, 4],
      [4, 2],
    ]);
    expect(others.map((k) => k.shape)).toEqual([[6], [4], [2]]);
    const codec = createWeightCodec('fixed8');
    const decoded = codec.decode(compressVariables(kernels, codec, { epoch: 0 }));
    applyDecompressed(kernels, decoded);
    expect(readVariables(kernels).map((a) => Array.from(a))).toEqual(decoded.map((a) => Array.from(a)));
    expect(() => applyDecompressed(kernels, [new Float32Array(3), decoded[1], decoded[2]])).toThrow(ShapeError);
    model.dispose();
  });

  it('SimulatedSync leaves every kernel equal to the decoded package of its pre-sync value and accounts the bits', () => {
    const model = denseNetwork({ inputSize: 8, hidden: [16], outputs: 2, seed: 2 });
    const { kernels, others } = modelWeights(model);
    const sync = new SimulatedSync(model, { codec: 'huffman', bitFloor: 5 });
    const before = readVariables(kernels).map((a) => a.slice());
    const biases = readVariables(others).map((a) => Array.from(a));
    const record = sync.sync(3);
    const expected = createWeightCodec('huffman', { bitFloor: 5 }).decode(createWeightCodec('huffman', { bitFloor: 5 }).encode(before, { epoch: 3 }));
    expect(readVariables(kernels).map((a) => Array.from(a))).toEqual(expected.map((a) => Array.from(a)));
    expect(readVariables(others).map((a) => Array.from(a))).toEqual(biases); // biases untouched (sent raw)
    // Each layer within half a bin of its pre-sync value.
    before.forEach((w, l) => {
      const { min, max } = layerRange(w);
      const half = (max - min) / 2 ** record.layers[l].bits / 2;
      const after = readVariables([kernels[l]])[0];
      let worst = 0;
      for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(after[i] - w[i]));
      expect(worst).toBeLessThanOrEqual(half + Math.max(Math.abs(min), Math.abs(max)) * 2 ** -23); // Δ/2 plus float32 rounding
    });
    const params = 8 * 16 + 16 * 2;
    expect(record.bitsPerParameter).toBeCloseTo(record.layers.reduce((s, l) => s + l.payloadBits, 0) / params, 12);
    expect(record.bytesSentFloat32).toBe(4 * (params + 16 + 2));
    expect(record.layers.every((l) => l.bits >= 5 && l.bits <= 9 && l.entropy !== null)).toBe(true);
    const s = sync.summary();
    expect(s.syncs).toBe(1);
    expect(s.compressionRatio).toBeCloseTo(32 / record.bitsPerParameter, 12);
    model.dispose();
  });

  it('training with a Huffman sync every epoch still solves a separable problem, without leaking tensors', async () => {
    const { x, y } = blobs(256, 3);
    const model = denseNetwork({ inputSize: 8, hidden: [16], outputs: 2, seed: 3 });
    const sync = new SimulatedSync(model, { codec: 'huffman', bitFloor: 5, preliminaryBits: 4 });
    const counts: number[] = [];
    const history = await fitBackprop(model, x, y, {
      epochs: 8,
      batchSize: 32,
      seed: 3,
      trackAccuracy: true,
      callbacks: [sync, { onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
    });
    expect(history.history.accuracy!.at(-1)!).toBeGreaterThan(0.9);
    expect(sync.records.length).toBe(8);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const s = sync.summary();
    expect(s.bytesSent).toBeLessThan(s.bytesSentFloat32);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('syncs only every syncEvery epochs and rejects bad options with typed errors', async () => {
    const model = denseNetwork({ inputSize: 8, hidden: [4], outputs: 2, seed: 4 });
    const sync = new SimulatedSync(model, { codec: 'none', syncEvery: 3 });
    for (let e = 0; e < 7; e++) await sync.onEpochEnd(e);
    expect(sync.records.map((r) => r.epoch)).toEqual([2, 5]);
    expect(sync.records[0].bitsPerParameter).toBe(32);
    expect(() => new SimulatedSync(model, { syncEvery: 0 })).toThrow(/SimulatedSync: argument 'syncEvery'/);
    expect(() => new SimulatedSync(model, { codec: 'zip' as 'none' })).toThrow(/SimulatedSync: argument 'codec'/);
    expect(() => new SimulatedSync(model, { bitFloor: -1 })).toThrow(/argument 'c'/);
    model.dispose();
  });

  it('kernel gradient RMS matches the analytic MSE gradient of a linear layer', () => {
    const input = tf.input({ shape: [3] });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, useBias: false }).apply(input) as tf.SymbolicTensor });
    const xv = Float32Array.from(uniforms(15, 5), (u) => 2 * u - 1);
    const yv = Float32Array.from(uniforms(10, 6));
    const x = tf.tensor2d(xv, [5, 3]);
    const y = tf.tensor2d(yv, [5, 2]);
    const w = modelWeights(model).kernels[0].dataSync();
    // L = mean((xW − y)²) over 10 entries; dL/dW = (2/10) xᵀ(xW − y).
    const r = new Float64Array(10);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 2; j++) r[i * 2 + j] = xv[i * 3] * w[j] + xv[i * 3 + 1] * w[2 + j] + xv[i * 3 + 2] * w[4 + j] - yv[i * 2 + j];
    let ss = 0;
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < 2; j++) {
        let g = 0;
        for (let i = 0; i < 5; i++) g += (2 / 10) * xv[i * 3 + k] * r[i * 2 + j];
        ss += g * g;
      }
    }
    const before = tf.memory().numTensors;
    const [rms] = kernelGradientRms(model, x, y, (t, p) => tf.losses.meanSquaredError(t, p) as tf.Scalar);
    expect(tf.memory().numTensors).toBe(before);
    expect(rms).toBeCloseTo(Math.sqrt(ss / 6), 5);
    model.dispose();
    tf.dispose([x, y]);
  });
});
