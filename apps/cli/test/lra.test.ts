import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { getExperiment, listMethods, registerBuiltins, runExperiment, runSweep } from '../src/index.js';
import { bbp } from './cli-harness.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  registerBuiltins();
});

afterEach(() => vi.restoreAllMocks());

const LRA_METHODS = ['rec-lra', 'rec-lra-resnet', 'lra-rnn', 'lra-rnn-plain', 'bptt'];

describe('bbp with the LRA methods', () => {
  it('`bbp run two-moons --method rec-lra` learns with the paper defaults (Adam on E) and reaches ≥ 97% with --e-optimizer sgd', async () => {
    const { code, stdout, stderr } = await bbp('run', 'two-moons', '--method', 'rec-lra', '--quiet', '--json', '-');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.method).toBe('rec-lra');
    expect(result.epochs).toBe(100);
    // Adam on the error synapses (P2 §4) gives 0.877 here; see the LRA guide.
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(result.hyperparameters.sigmaW).toBe(0.5);
    const sgd = await bbp('run', 'two-moons', '--method', 'rec-lra', '--e-optimizer', 'sgd', '--quiet', '--json', '-');
    expect(sgd.code, sgd.stderr).toBe(0);
    expect(JSON.parse(sgd.stdout).testAccuracy).toBeGreaterThanOrEqual(0.97);
  });

  it('lists the methods for dense and temporal experiments only, and the new experiments', async () => {
    const { code, stdout } = await bbp('list', '--json');
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { experiments: Array<{ name: string; methods: string[] }> };
    const methodsOf = (name: string) => listed.experiments.find((e) => e.name === name)!.methods;
    expect(methodsOf('two-moons')).toEqual(expect.arrayContaining(['rec-lra', 'rec-lra-resnet']));
    expect(methodsOf('temporal-order')).toEqual(expect.arrayContaining(['lra-rnn', 'lra-rnn-plain', 'bptt']));
    expect(methodsOf('two-spirals')).not.toContain('rec-lra'); // all-shortcut nets are not layered
    expect(methodsOf('bit-memory')).not.toContain('lra-rnn'); // every-step read-out
    for (const name of [
      'temporal-order-3bit',
      'random-permutation',
      'adding-problem',
      'mnist-tanh-mlp',
      'fashion-tanh-mlp',
      'mnist-deep-mlp',
      'fashion-deep-mlp',
    ]) {
      expect(listed.experiments.map((e) => e.name)).toContain(name);
    }
  });

  it('every LRA method frees all its tensors on dispose (dense, recurrent classification and regression)', async () => {
    const small = { trainSize: 60, testSize: 40 };
    const cases: Array<[string, string, Record<string, string | number>]> = [
      ['two-moons', 'rec-lra', { wiring: 'skip:1', eRule: 'alg1-literal' }],
      ['two-moons', 'rec-lra-resnet', { blockLearning: 'backprop' }],
      ['temporal-order', 'lra-rnn', { ...small, k: 2 }],
      ['temporal-order', 'lra-rnn-plain', { ...small, k: 1 }],
      ['temporal-order', 'bptt', small],
      ['adding-problem', 'lra-rnn', { ...small, k: 1 }],
    ];
    for (const [experiment, method, methodOptions] of cases) {
      const before = tf.memory().numTensors;
      const { result, run } = await runExperiment({
        experiment,
        method,
        epochs: 2,
        seed: 1,
        keepBackend: true,
        methodOptions,
        hidden: method.startsWith('rec') ? undefined : [16],
      });
      run.dispose();
      expect(tf.memory().numTensors, `${experiment}/${method}`).toBe(before);
      expect(Number.isFinite(result.finalLoss), `${experiment}/${method}`).toBe(true);
    }
    expect(listMethods().filter((m) => LRA_METHODS.includes(m.name))).toHaveLength(5);
  });

  it('a sweep over --length reports the longest temporal-order sequence BPTT solves', async () => {
    const sweep = await runSweep({
      experiment: 'temporal-order',
      method: 'bptt',
      param: 'length',
      values: [10],
      seeds: [0],
      epochs: 5,
      keepBackend: true,
      methodOptions: { trainSize: 400, testSize: 200 },
    });
    expect(sweep.largestAllSolved).toBe(10);
    expect(sweep.points[0].results[0].testAccuracy).toBe(1);
  });

  it('runs the deep sigmoid MLP and rejects bad LRA options by name', async () => {
    const deep = await bbp(
      'run',
      'mnist-deep-mlp',
      '--method',
      'rec-lra',
      '--train-size',
      '200',
      '--test-size',
      '100',
      '--epochs',
      '1',
      '--quiet',
      '--json',
      '-',
    );
    expect(deep.code, deep.stderr).toBe(0);
    const result = JSON.parse(deep.stdout);
    expect(result.architecture.hidden).toHaveLength(8);
    expect(result.architecture.activation).toBe('sigmoid');
    const wiring = await bbp('run', 'two-moons', '--method', 'rec-lra', '--wiring', 'ring', '--epochs', '1', '--quiet');
    expect(wiring.code).not.toBe(0);
    expect(wiring.stderr).toMatch(/'--wiring' must be chain, direct, skip:<g> or residual:<g>/);
    const activation = await bbp('run', 'mnist-deep-mlp', '--activation', 'relu', '--train-size', '10', '--epochs', '1', '--quiet');
    expect(activation.stderr).toMatch(/'--activation' must be 'sigmoid' or 'tanh'/);
    const mode = await bbp('run', 'temporal-order', '--method', 'lra-rnn', '--mode', 'exact', '--train-size', '20', '--epochs', '1', '--quiet');
    expect(mode.stderr).toMatch(/'--mode' must be one of: intended, literal/);
    expect(getExperiment('temporal-order').defaults.targetAccuracy).toBe(0.9999);
  });
});
