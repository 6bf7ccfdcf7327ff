import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@beyond-backprop/core-linalg';
import { main, registerBuiltins, registerExperiment, runExperiment, type Experiment } from '../src/index.js';
import { gradientAmpMethods, headSettings } from '../src/methods/gradient-amp.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  registerBuiltins();
  registerExperiment(barsExperiment);
});

/** Tiny images, horizontal vs vertical bars with noise: exercises the conv architecture; a few labels are -1. */
const barsExperiment: Experiment = {
  name: 'test-bars',
  description: 'test: 8×8 horizontal vs vertical bars',
  source: 'test',
  task: 'classification',
  load: (seed) => {
    const make = (n: number, rng: ReturnType<typeof createRng>, unscored: boolean) => {
      const x = new Float32Array(n * 64);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const c = i % 2;
        const line = rng.int(8);
        for (let p = 0; p < 64; p++) {
          const [r, q] = [Math.floor(p / 8), p % 8];
          x[i * 64 + p] = ((c === 0 ? r : q) === line ? 1 : 0) + 0.2 * rng.normal();
        }
        y[i] = unscored && i % 10 === 9 ? -1 : c;
      }
      return { x, xShape: [n, 8, 8, 1], y, yShape: [n] };
    };
    const rng = createRng(seed);
    return { name: 'test-bars', train: make(40, rng, true), test: make(20, rng, false), numClasses: 2, source: 'test' };
  },
  architecture: { kind: 'conv', conv: [{ kernel: 3, channels: 4, pool: 2 }], dense: [8], activation: 'relu' },
  defaults: { epochs: 30, method: 'exp-ga', batchSize: 10, learningRate: 0.02, optimizer: 'adam' },
};

async function bbp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(['node', 'bbp', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('gradient-amplification head methods', () => {
  it('are listed for two-spirals: softmax, exp-ga, pow3-ga, linear-mse, sigmoid, tanh', async () => {
    const { code, stdout } = await bbp('list', '--json');
    expect(code).toBe(0);
    const spirals = JSON.parse(stdout).experiments.find((e: { name: string }) => e.name === 'two-spirals');
    expect(spirals.methods).toEqual(expect.arrayContaining(['softmax', 'exp-ga', 'pow3-ga', 'linear-mse', 'sigmoid', 'tanh']));
    expect(gradientAmpMethods.map((m) => m.name)).toEqual(['softmax', 'exp-ga', 'pow3-ga', 'linear-mse', 'sigmoid', 'tanh']);
  });

  it('softmax trains the same network, batches and weights as the backprop baseline', async () => {
    const run = async (method: string) => {
      const { result, run } = await runExperiment({ experiment: 'two-spirals', method, epochs: 25, seed: 3, keepBackend: true });
      run.dispose();
      return result;
    };
    const [softmax, backprop] = [await run('softmax'), await run('backprop')];
    softmax.history.forEach((h, i) => expect(h.loss).toBeCloseTo(backprop.history[i]!.loss, 5));
    expect(softmax.trainAccuracy).toBe(backprop.trainAccuracy);
  });

  it('exp-ga and pow3-ga learn two-spirals reproducibly, with options from the command line', async () => {
    for (const method of ['exp-ga', 'pow3-ga']) {
      const { code, stdout, stderr } = await bbp('run', 'two-spirals', '--method', method, '--epochs', '60', '--seed', '2', '--t-neg', '-2', '--t-pos', '10', '--quiet', '--json', '-');
      expect(code, stderr).toBe(0);
      const result = JSON.parse(stdout);
      expect(result.hyperparameters).toMatchObject({ tNeg: '-2', tPos: '10' });
      expect(result.history.every((h: { loss: number }) => Number.isFinite(h.loss))).toBe(true);
      expect(result.history.at(-1).loss).toBeLessThan(result.history[0].loss);
      const again = JSON.parse((await bbp('run', 'two-spirals', '--method', method, '--epochs', '60', '--seed', '2', '--t-neg', '-2', '--t-pos', '10', '--quiet', '--json', '-')).stdout);
      expect(again.history.map((h: { loss: number }) => h.loss)).toEqual(result.history.map((h: { loss: number }) => h.loss));
    }
  });

  it('trains the conv architecture, skips labels of -1, keeps tensors flat and predicts [n, k] scores', async () => {
    const counts: number[] = [];
    const { result, run, data } = await runExperiment({
      experiment: 'test-bars',
      method: 'exp-ga',
      seed: 1,
      keepBackend: true,
      onEpoch: () => void counts.push(tf.memory().numTensors),
    });
    try {
      expect(result.history.every((h) => Number.isFinite(h.loss))).toBe(true);
      expect(result.trainAccuracy).toBeGreaterThanOrEqual(0.9);
      expect(new Set(counts.slice(1)).size, counts.join(', ')).toBe(1);
      expect(run.predict(data.test.x, data.test.xShape)).toHaveLength(20 * 2);
    } finally {
      run.dispose();
    }
    for (const method of ['softmax', 'pow3-ga', 'linear-mse']) {
      const { result: r, run: other } = await runExperiment({ experiment: 'test-bars', method, seed: 1, keepBackend: true });
      other.dispose();
      expect(r.trainAccuracy, method).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('rejects bad head options by flag name', async () => {
    expect(() => headSettings('exp-ga', 'exp-ga', { alpha: '0' })).toThrow(/exp-ga: argument '--alpha' must be a finite number > 0, got 0/);
    expect(() => headSettings('pow3-ga', 'pow3-ga', { tNeg: '3', tPos: '1' })).toThrow(/argument '--t-pos' must be greater than the --t-neg target 3/);
    expect(() => headSettings('exp-ga', 'exp-ga', { gradPath: 'symbolic' })).toThrow(/argument '--grad-path'/);
    expect(headSettings('pow3-ga', 'pow3-ga', { beta: 0.4, gradPath: 'manual' })).toEqual({ head: { beta: 0.4 }, path: 'manual' });
    const bad = await bbp('run', 'two-spirals', '--method', 'exp-ga', '--alpha', 'big', '--quiet');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/argument '--alpha' must be a number, got "big"/);
    const softmax = await bbp('run', 'two-spirals', '--method', 'softmax', '--t-pos', '5', '--quiet');
    expect(softmax.code).toBe(2);
    expect(softmax.stderr).toMatch(/must be \{neg: 0, pos: 1\} for softmax/);
  });
});
