import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '@beyond-backprop/core-linalg';
import { registerBuiltins, registerExperiment, runExperiment } from '../src/index.js';
import { bbp } from './cli-harness.js';

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  registerBuiltins();
  // A regression experiment in the shape the sine-fit experiment will have: y = sin(2πx) on [−1, 1].
  const grid = (n: number, offset: number) => Float32Array.from({ length: n }, (_, i) => -1 + (2 * (i + offset)) / n);
  const split = (x: Float32Array) => ({ x, xShape: [x.length, 1], y: x.map((v) => Math.sin(2 * Math.PI * v)), yShape: [x.length] });
  registerExperiment({
    name: 'test-sine',
    description: 'sine regression (test)',
    source: 'test',
    task: 'regression',
    load: () => ({ name: 'test-sine', train: split(grid(1000, 0)), test: split(grid(1000, 0.5)), source: 'test' }),
    architecture: { kind: 'dense', hidden: [16, 16], activation: 'tanh', shortcuts: false },
    defaults: { epochs: 100, method: 'backprop' },
    methodDefaults: { platonic: { width: 16, alpha: 1, beta: 1, activation: 'elu' } },
  });
});

afterEach(() => vi.restoreAllMocks());

describe('bbp run --method platonic', () => {
  it('fits the two-spirals training set with the defaults, in one closed-form "epoch"', async () => {
    const { code, stdout, stderr } = await bbp('run', 'two-spirals', '--method', 'platonic', '--quiet', '--json', '-');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.method).toBe('platonic');
    expect(result.trainAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(result.testAccuracy).toBeGreaterThan(0.8);
    expect(result.epochs).toBe(1);
    expect(result.iterations).toBe(4); // three hidden layers and the readout
    expect(result.history[0].trainAccuracy).toBe(result.trainAccuracy);
  });

  it('platonic-pca gives the same result whatever the seed', async () => {
    const run = async (seed: number) => {
      const { result, run: trained } = await runExperiment({ experiment: 'two-spirals', method: 'platonic-pca', seed, keepBackend: true });
      trained.dispose();
      return [result.trainAccuracy, result.testAccuracy, result.finalLoss];
    };
    const first = await run(1);
    expect(await run(2)).toEqual(first);
    expect(first[0]).toBeGreaterThanOrEqual(0.99);
  });

  it('fits regression experiments and can fine-tune the exported model by backprop', async () => {
    const { result, run } = await runExperiment({ experiment: 'test-sine', method: 'platonic', seed: 3, keepBackend: true });
    expect(result.task).toBe('regression');
    expect(result.trainMse).toBeLessThan(1e-3);
    expect(result.testMse).toBeLessThan(1e-2);
    expect(run.predict(Float32Array.from([0.25]), [1, 1])[0]).toBeCloseTo(1, 1);
    run.dispose();
    const tuned = await runExperiment({
      experiment: 'test-sine',
      method: 'platonic',
      seed: 3,
      keepBackend: true,
      learningRate: 1e-4,
      methodOptions: { finetune: 3, lambda: 1e-6 },
    });
    expect(tuned.result.history).toHaveLength(4);
    expect(tuned.result.trainMse).toBeLessThan(1e-2);
    tuned.run.dispose();
  });

  it("the guide's fine-tune (--lambda 1e-6 --width 128 --finetune … --lr 1e-4) keeps the closed-form accuracy (readout only by default)", async () => {
    const args = ['run', 'two-spirals', '--method', 'platonic', '--lambda', '1e-6', '--width', '128', '--lr', '1e-4', '--quiet', '--json', '-'];
    const closed = await bbp(...args);
    expect(closed.code, closed.stderr).toBe(0);
    const tuned = await bbp(...args, '--finetune', '30');
    expect(tuned.code, tuned.stderr).toBe(0);
    const [a, b] = [JSON.parse(closed.stdout), JSON.parse(tuned.stdout)];
    expect(b.history).toHaveLength(31);
    expect(b.testAccuracy).toBeGreaterThanOrEqual(a.testAccuracy);
    expect(b.trainAccuracy).toBeGreaterThanOrEqual(a.trainAccuracy - 1 / 194);
    const bad = await bbp('run', 'two-spirals', '--method', 'platonic', '--finetune', '1', '--finetune-layers', 'some', '--quiet');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'--finetune-layers' must be 'readout' or 'all'/);
  });

  it('reports bad method options as usage errors', async () => {
    const solver = await bbp('run', 'two-spirals', '--method', 'platonic', '--solver', 'magic', '--quiet');
    expect(solver.code).toBe(2);
    expect(solver.stderr).toMatch(/'--solver' must be 'pinv', 'lstsq' or 'ridge'/);
    const ridge = await bbp('run', 'two-spirals', '--method', 'platonic', '--solver', 'ridge', '--quiet');
    expect(ridge.stderr).toMatch(/'--lambda' is required with --solver ridge/);
    const width = await bbp('run', 'two-spirals', '--method', 'platonic', '--width', '0', '--quiet');
    expect(width.stderr).toMatch(/'--width' must be an integer ≥ 1/);
  });
});
