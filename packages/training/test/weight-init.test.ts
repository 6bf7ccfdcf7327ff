import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, createRng, initBackend, type Rng } from '@beyond-backprop/core-linalg';
import { checkInit, initScheme, initialiseWeights, type DenseInit } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
});

/** The InvalidArgumentError `fn` throws. */
function invalid(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (e) {
    expect(InvalidArgumentError.isInstance(e)).toBe(true);
    return e as InvalidArgumentError;
  }
  throw new Error('accepted');
}

/** `n` draws of `scheme` from `rng`, rounded to float32 as a layer stores them. */
const draws = (scheme: { draw(rng: Rng): number }, rng: Rng, n: number) => Float32Array.from({ length: n }, () => scheme.draw(rng));

const valuesOf = (layer: tf.layers.Layer) => layer.getWeights().map((w) => w.dataSync().slice() as Float32Array);

describe('checkInit', () => {
  it('accepts the three schemes and rejects anything else by function and argument name', () => {
    for (const init of ['glorot-uniform', 'glorot-truncated', 'he-normal']) expect(() => checkInit('f', init)).not.toThrow();
    const error = invalid(() => checkInit('denseNetwork', 'zeros'));
    expect(error.fn).toBe('denseNetwork');
    expect(error.argument).toBe('init');
    expect(error.message).toBe(`denseNetwork: argument 'init' must be 'glorot-uniform', 'glorot-truncated', 'he-normal', got "zeros"`);
    expect(invalid(() => checkInit('g', undefined, 'spec.init')).message).toBe(
      `g: argument 'spec.init' must be 'glorot-uniform', 'glorot-truncated', 'he-normal', got undefined`,
    );
  });
});

describe('initScheme', () => {
  it('glorot-uniform draws U(±√(6/(fanIn + receptive·fanOut))) with zero biases; receptive defaults to 1', () => {
    const limit = Math.sqrt(6 / (12 + 3 * 5));
    const scheme = initScheme('glorot-uniform', 12, 5, 3);
    expect(scheme.randomBias).toBe(false);
    const rng = createRng(1);
    const got = Array.from({ length: 200 }, () => scheme.draw(rng));
    const ref = createRng(1);
    expect(got).toEqual(Array.from({ length: 200 }, () => ref.uniformRange(-limit, limit)));
    expect(Math.min(...got)).toBeLessThan(-0.9 * limit);
    expect(Math.max(...got)).toBeGreaterThan(0.9 * limit);
    const dense = initScheme('glorot-uniform', 4, 3);
    const again = createRng(2);
    expect(dense.draw(createRng(2))).toBe(again.uniformRange(-Math.sqrt(6 / 7), Math.sqrt(6 / 7)));
  });

  it('glorot-truncated draws a ±2σ truncated normal with σ = √(6/(fanIn + 1 + fanOut)) and random biases', () => {
    const std = Math.sqrt(6 / (10 + 1 + 4));
    const scheme = initScheme('glorot-truncated', 10, 4, 5);
    expect(scheme.randomBias).toBe(true);
    const rng = createRng(3);
    const ref = createRng(3);
    const got = Array.from({ length: 2000 }, () => scheme.draw(rng));
    expect(got).toEqual(Array.from({ length: 2000 }, () => ref.truncatedNormal(0, std)));
    expect(Math.max(...got.map(Math.abs))).toBeLessThanOrEqual(2 * std);
    // Truncation at ±2σ: variance σ²·(1 − 2·2φ(2)/(2Φ(2) − 1)) ≈ 0.774·σ².
    const variance = got.reduce((s, v) => s + v * v, 0) / got.length;
    expect(Math.sqrt(variance) / std).toBeCloseTo(Math.sqrt(0.774), 1);
  });

  it('he-normal draws N(0, 2/(fanIn + 1)) with random biases', () => {
    const std = Math.sqrt(2 / (7 + 1));
    const scheme = initScheme('he-normal', 7, 30, 9);
    expect(scheme.randomBias).toBe(true);
    const rng = createRng(4);
    const ref = createRng(4);
    const got = Array.from({ length: 4000 }, () => scheme.draw(rng));
    expect(got).toEqual(Array.from({ length: 4000 }, () => ref.normal(0, std)));
    const rms = Math.sqrt(got.reduce((s, v) => s + v * v, 0) / got.length);
    expect(rms / std).toBeCloseTo(1, 1);
  });
});

describe('initialiseWeights', () => {
  it('fills conv and dense kernels (then biases where the scheme draws them) from one stream forked as "init"', () => {
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [6, 6, 2] });
    const flat = tf.layers.flatten();
    const dense = tf.layers.dense({ units: 3, useBias: false });
    const model = tf.sequential({ layers: [conv, flat, dense] });
    const start = tf.memory().numTensors;
    initialiseWeights(model.layers, 'he-normal', 9);
    expect(tf.memory().numTensors).toBe(start);
    const rng = createRng(9).fork('init');
    // Conv kernel [3, 3, 2, 4]: receptive 9, fanIn 18, fanOut 4; 72 kernel draws, then 4 bias draws.
    const convScheme = initScheme('he-normal', 18, 4, 9);
    const expectedKernel = draws(convScheme, rng, 72);
    const expectedBias = draws(convScheme, rng, 4);
    // Dense kernel [64, 3] (4·4·4 flattened inputs), no bias.
    const expectedDense = draws(initScheme('he-normal', 64, 3), rng, 64 * 3);
    const [k, b] = valuesOf(conv);
    expect(k).toEqual(expectedKernel);
    expect(b).toEqual(expectedBias);
    expect(valuesOf(dense)).toEqual([expectedDense]);
    // An Rng passed as the seed is used as is (not forked), and continues across calls.
    const shared = createRng('shared');
    initialiseWeights([dense], 'glorot-truncated', shared);
    const ref = createRng('shared');
    expect(valuesOf(dense)).toEqual([draws(initScheme('glorot-truncated', 64, 3), ref, 192)]);
    initialiseWeights([dense], 'glorot-truncated', shared);
    expect(valuesOf(dense)).toEqual([draws(initScheme('glorot-truncated', 64, 3), ref, 192)]);
    model.dispose();
  });

  it('glorot-uniform zeroes the biases without drawing for them; the default seed is 0', () => {
    const a = tf.layers.dense({ units: 5, inputShape: [4], biasInitializer: 'ones' });
    const b = tf.layers.dense({ units: 2, biasInitializer: 'ones' });
    const model = tf.sequential({ layers: [a, b] });
    initialiseWeights(model.layers, 'glorot-uniform');
    const rng = createRng(0).fork('init');
    const ka = draws(initScheme('glorot-uniform', 4, 5), rng, 20);
    const kb = draws(initScheme('glorot-uniform', 5, 2), rng, 10);
    expect(valuesOf(a)).toEqual([ka, new Float32Array(5)]);
    expect(valuesOf(b)).toEqual([kb, new Float32Array(2)]);
    const copy = tf.sequential({
      layers: [tf.layers.dense({ units: 5, inputShape: [4] }), tf.layers.dense({ units: 2 })],
    });
    initialiseWeights(copy.layers, 'glorot-uniform', 0);
    expect(copy.getWeights().map((w) => w.dataSync().slice())).toEqual(model.getWeights().map((w) => w.dataSync().slice()));
    model.dispose();
    copy.dispose();
  });

  it('leaves normalisation layers (rank-1 weights) and weightless layers alone, and rejects an unknown scheme by name', () => {
    const dense = tf.layers.dense({ units: 3, inputShape: [2] });
    const bn = tf.layers.batchNormalization();
    const ln = tf.layers.layerNormalization();
    const model = tf.sequential({ layers: [dense, bn, tf.layers.activation({ activation: 'relu' }), ln] });
    const before = valuesOf(bn);
    const lnBefore = valuesOf(ln);
    initialiseWeights(model.layers, 'he-normal', 1);
    expect(valuesOf(bn)).toEqual(before);
    expect(valuesOf(ln)).toEqual(lnBefore);
    const rng = createRng(1).fork('init');
    const scheme = initScheme('he-normal', 2, 3);
    expect(valuesOf(dense)).toEqual([draws(scheme, rng, 6), draws(scheme, rng, 3)]);
    const kernel = valuesOf(dense);
    const error = invalid(() => initialiseWeights(model.layers, 'xavier' as DenseInit, 1));
    expect(error.fn).toBe('initialiseWeights');
    expect(error.argument).toBe('init');
    expect(valuesOf(dense)).toEqual(kernel);
    model.dispose();
  });
});
