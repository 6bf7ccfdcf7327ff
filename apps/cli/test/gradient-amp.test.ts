import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { registerBuiltins, registerExperiment, runExperiment } from '../src/index.js';
import { gradientAmpMethods, headSettings } from '@beyond-backprop/experiments';
import { bbp } from './cli-harness.js';
import { barsExperiment } from './test-experiments.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  registerBuiltins();
  registerExperiment(barsExperiment);
});

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
    softmax.history.forEach((h, i) => expect(h.loss).toBeCloseTo(backprop.history[i].loss, 5));
    expect(softmax.trainAccuracy).toBe(backprop.trainAccuracy);
  });

  it('exp-ga and pow3-ga learn two-spirals reproducibly, with options from the command line', async () => {
    for (const method of ['exp-ga', 'pow3-ga']) {
      const { code, stdout, stderr } = await bbp(
        'run',
        'two-spirals',
        '--method',
        method,
        '--epochs',
        '60',
        '--seed',
        '2',
        '--t-neg',
        '-2',
        '--t-pos',
        '10',
        '--quiet',
        '--json',
        '-',
      );
      expect(code, stderr).toBe(0);
      const result = JSON.parse(stdout);
      expect(result.hyperparameters).toMatchObject({ tNeg: -2, tPos: 10 });
      expect(result.history.every((h: { loss: number }) => Number.isFinite(h.loss))).toBe(true);
      expect(result.history.at(-1).loss).toBeLessThan(result.history[0].loss);
      const again = JSON.parse(
        (await bbp('run', 'two-spirals', '--method', method, '--epochs', '60', '--seed', '2', '--t-neg', '-2', '--t-pos', '10', '--quiet', '--json', '-'))
          .stdout,
      );
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
