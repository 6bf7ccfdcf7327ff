import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@beyond-backprop/core-linalg';
import { twoSpirals } from '@beyond-backprop/datasets';
import {
  getExperiment,
  listExperiments,
  listMethods,
  registerBuiltins,
  registerExperiment,
  registerMethod,
  renderRunSvg,
  runExperiment,
  summaryTable,
  VERSION,
  main,
  type MethodContext,
} from '../src/index.js';
import { bbp } from './cli-harness.js';
import { removeScratchDirs, scratchDir } from './test-experiments.js';

afterAll(removeScratchDirs);

beforeAll(async () => {
  await initBackend({ preference: 'wasm', log: false });
  registerBuiltins();
});

afterEach(() => vi.restoreAllMocks());

describe('bbp list', () => {
  it('shows the experiments with the methods that can train them', async () => {
    const { code, stdout } = await bbp('list');
    expect(code).toBe(0);
    expect(stdout).toMatch(/two-spirals\s+two interleaved spirals/);
    expect(stdout).toMatch(/methods: backprop/);
    expect(stdout).toMatch(/Methods:\n\s+backprop/);
    const json = JSON.parse((await bbp('list', '--json')).stdout);
    expect(json.experiments.find((e: { name: string }) => e.name === 'two-spirals').methods).toContain('backprop');
  });
});

describe('the synthetic experiments of @beyond-backprop/datasets', () => {
  const names = ['two-moons', 'blobs', 'xor', 'checkerboard', 'sinusoid-boundary', 'mixed-frequency', 'sine-fit'];

  it('are listed with the backprop method', async () => {
    const json = JSON.parse((await bbp('list', '--json')).stdout);
    for (const name of names) {
      const entry = json.experiments.find((e: { name: string }) => e.name === name);
      expect(entry, name).toBeDefined();
      expect(entry.methods, name).toContain('backprop');
    }
  });

  it.each(names)('%s loads its data and trains one epoch with backprop', async (name) => {
    const { result, run } = await runExperiment({ experiment: name, epochs: 1, seed: 2, keepBackend: true });
    run.dispose();
    expect(result.epochs).toBe(1);
    expect(Number.isFinite(result.finalLoss)).toBe(true);
    expect(result.task).toBe(name === 'sine-fit' ? 'regression' : 'classification');
    const score = result.task === 'classification' ? result.testAccuracy : result.testMse;
    expect(score).toBeTypeOf('number');
    expect(score).toBeGreaterThanOrEqual(0);
    if (result.task === 'classification') expect(score).toBeLessThanOrEqual(1);
  });
});

describe('bbp run', () => {
  it('writes a JSON result with real measured numbers and an SVG with the decision surface', async () => {
    const dir = scratchDir('bbp-');
    const jsonPath = join(dir, 'out.json');
    const svgPath = join(dir, 'out.svg');
    const { code, stdout, stderr } = await bbp(
      'run',
      'two-spirals',
      '--method',
      'backprop',
      '--epochs',
      '40',
      '--seed',
      '3',
      '--json',
      jsonPath,
      '--plot',
      svgPath,
    );
    expect(code, stderr).toBe(0);
    const result = JSON.parse(readFileSync(jsonPath, 'utf8'));
    for (const key of ['experiment', 'method', 'seed', 'epochs', 'backend', 'trainAccuracy', 'testAccuracy', 'finalLoss', 'msPerIteration', 'history']) {
      expect(result, key).toHaveProperty(key);
    }
    expect(result.experiment).toBe('two-spirals');
    expect(result.method).toBe('backprop');
    expect(result.seed).toBe(3);
    expect(result.epochs).toBe(40);
    expect(result.backend).toBe('wasm');
    expect(result.history).toHaveLength(40);
    expect(result.history[0].loss).toBeGreaterThan(result.finalLoss);
    expect(result.trainAccuracy).toBeGreaterThan(0.3);
    expect(result.trainAccuracy).toBeLessThanOrEqual(1);
    expect(result.msPerIteration).toBeGreaterThan(0);
    expect(result.history[39].trainAccuracy).toBe(result.trainAccuracy);
    // Results on stdout (so `> out.txt` captures them), progress on stderr.
    expect(stdout).toMatch(/│ test accuracy\s+│ \d+\.\d\d%\s+│/);
    expect(stderr).not.toMatch(/│ test accuracy/);
    expect(result.version).toBe(VERSION);
    expect(result.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('<svg');
    // 194 training points (filled) + 194 test points (hollow).
    expect(svg.match(/<circle [^>]*stroke="#000"/g)).toHaveLength(194);
    expect(svg.match(/<circle [^>]*fill="none"/g)).toHaveLength(194);
    expect(svg).toContain('<polyline');
  });

  it('names the engine in the summary and the JSON: the float64 twin for two-spirals backprop, tfjs on request', async () => {
    const auto = await bbp('run', 'two-spirals', '--method', 'backprop', '--epochs', '5', '--json', '-');
    expect(auto.code, auto.stderr).toBe(0);
    expect(JSON.parse(auto.stdout).engine).toBe('float64');
    expect(auto.stderr).toMatch(/│ engine\s+│ float64\s+│/);
    expect(auto.stderr).toContain('engine float64)');
    const tfjs = await bbp('run', 'two-spirals', '--method', 'backprop', '--epochs', '5', '--engine', 'tfjs');
    expect(tfjs.code, tfjs.stderr).toBe(0);
    expect(tfjs.stdout).toMatch(/│ engine\s+│ tfjs\s+│/);
    const bad = await bbp('run', 'two-spirals', '--method', 'backprop', '--engine', 'gpu', '--quiet');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--engine.*'auto', 'float64' or 'tfjs'/);
  });

  it('the progress line counts completed epochs from 1; the JSON history is 0-based like tf.History: "epoch k/n" is history[k − 1]', async () => {
    const { code, stdout, stderr } = await bbp('run', 'xor', '--method', 'backprop', '--epochs', '20', '--json', '-');
    expect(code, stderr).toBe(0);
    const history = JSON.parse(stdout).history as Array<{ epoch: number; loss: number }>;
    expect(history.map((h) => h.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const lines = [...stderr.matchAll(/epoch (\d+)\/20 · loss (\S+)/g)];
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[0][1]).toBe('1');
    expect(lines.at(-1)![1]).toBe('20');
    for (const [, k, loss] of lines) expect(history[Number(k) - 1].loss.toPrecision(4)).toBe(loss);
  });

  it('prints the JSON to stdout with --json -', async () => {
    const { code, stdout } = await bbp('run', 'two-spirals', '--epochs', '3', '--quiet', '--json', '-');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).epochs).toBe(3);
  });

  it('fails with a usage error naming the problem', async () => {
    const unknown = await bbp('run', 'three-spirals');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/argument 'experiment' must be one of: two-spirals/);
    const method = await bbp('run', 'two-spirals', '--method', 'magic', '--quiet');
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/argument '--method' must be one of the methods for 'two-spirals': backprop/);
    const epochs = await bbp('run', 'two-spirals', '--epochs', 'many');
    expect(epochs.code).toBe(2);
    expect(epochs.stderr).toMatch(/expected an integer, got 'many'/);
    const optimizer = await bbp('run', 'two-spirals', '--optimizer', 'lbfgs', '--quiet');
    expect(optimizer.code).toBe(2);
    expect(optimizer.stderr).toMatch(/'--optimizer' must be 'adam' or 'sgd'/);
  });

  it('a mistyped option gets a one-line error with its suggestion, not the whole help', async () => {
    const typo = await bbp('run', 'two-spirals', '--epocs', '3');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/Did you mean --epochs\?/);
    expect(typo.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(3);
    expect(typo.stdout).toBe('');
  });

  it('unknown experiment and method names get a suggestion, one "bbp run:" prefix and no stray "failed" line', async () => {
    const experiment = await bbp('run', 'two-spiral', '--quiet');
    expect(experiment.code).toBe(2);
    expect(experiment.stderr).toMatch(/did you mean 'two-spirals'\?/);
    expect(experiment.stderr).not.toMatch(/bbp: bbp/);
    expect(experiment.stderr.startsWith('bbp run: ')).toBe(true);
    const method = await bbp('run', 'two-spirals', '--method', 'backpro');
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/did you mean 'backprop'\?/);
    expect(method.stderr).not.toMatch(/failed/);
    expect(method.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('rejects options that do not apply to the experiment and method, listing those that do', async () => {
    const { code, stderr } = await bbp('run', 'xor', '--method', 'backprop', '--k', '5', '--delay', '9', '--quiet');
    expect(code).toBe(2);
    expect(stderr).toMatch(/argument '--delay, --k'/);
    expect(stderr).toMatch(/the options that do: /);
    expect(stderr).toMatch(/does not apply to xor --method backprop/);
  });

  it('checks --json and --plot paths before training: usage error, exit 2, no stack trace', async () => {
    const dir = scratchDir('bbp-paths-');
    const json = await bbp('run', 'two-spirals', '--epochs', '1', '--quiet', '--json', join(dir, 'missing', 'out.json'));
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/bbp run: argument '--json' must be in an existing directory/);
    expect(json.stderr).not.toMatch(/\n\s+at /);
    const plot = await bbp('run', 'two-spirals', '--epochs', '1', '--quiet', '--plot', dir);
    expect(plot.code).toBe(2);
    expect(plot.stderr).toMatch(/'--plot' must name a file, not a directory/);
  });

  it('sweep --seeds with a non-integer says so and exits 2', async () => {
    const { code, stderr } = await bbp('sweep', 'two-spirals', '--param', 'epochs', '--values', '1', '--seeds', 'a', '--quiet');
    expect(code).toBe(2);
    expect(stderr).toMatch(/bbp sweep: argument '--seeds' must be comma-separated integers/);
  });

  it('sweep --param lr sweeps the learning rate; an interrupted sweep is marked aborted', async () => {
    const { code, stdout, stderr } = await bbp(
      'sweep',
      'two-spirals',
      '--method',
      'backprop',
      '--param',
      'lr',
      '--values',
      '0.01,0.02',
      '--epochs',
      '2',
      '--target-accuracy',
      '0.999',
      '--keep-going',
      '--quiet',
      '--json',
      '-',
    );
    expect(code, stderr).toBe(0);
    const sweep = JSON.parse(stdout);
    expect(sweep.param).toBe('lr');
    expect(sweep.points.map((p: { results: Array<{ hyperparameters: { learningRate: number } }> }) => p.results[0].hyperparameters.learningRate)).toEqual([
      0.01, 0.02,
    ]);
    expect(sweep.aborted).toBe(false);
    const interrupted = new AbortController();
    interrupted.abort();
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const aborted = await main(
      [
        'node',
        'bbp',
        'sweep',
        'two-spirals',
        '--method',
        'backprop',
        '--param',
        'lr',
        '--values',
        '0.01,0.02',
        '--epochs',
        '2',
        '--target-accuracy',
        '0.999',
        '--quiet',
        '--json',
        '-',
      ],
      { interrupted: interrupted.signal },
    );
    spy.mockRestore();
    err.mockRestore();
    expect(aborted).toBe(0);
    expect(JSON.parse(out).aborted).toBe(true);
  });

  it('a Ctrl-C before the command starts still ends the run with its JSON, marked aborted', async () => {
    const interrupted = new AbortController();
    interrupted.abort();
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['node', 'bbp', 'run', 'two-spirals', '--method', 'backprop', '--epochs', '50', '--quiet', '--json', '-'], {
      interrupted: interrupted.signal,
    });
    spy.mockRestore();
    err.mockRestore();
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.stopReason).toBe('aborted');
    expect(result.epochs).toBeLessThan(50);
  });

  it('run --help groups the options by the experiments and methods that read them; with an experiment and method only what applies', async () => {
    const all = await bbp('run', '--help');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/Options of experiments? [^\n]*bit-memory[^\n]*:\n\s+--delay/);
    expect(all.stdout).toContain('--lambda');
    expect(all.stdout).not.toMatch(/\[softmax\]|\[mnist-mlp\]/);
    const scoped = await bbp('run', 'xor', '--method', 'backprop', '--help');
    expect(scoped.code).toBe(0);
    expect(scoped.stdout).toContain('--init');
    expect(scoped.stdout).toContain('--epochs');
    for (const other of ['--delay', '--lambda', '--k ', '--finetune']) expect(scoped.stdout).not.toContain(other);
  });

  it('bbp --version prints the package version', async () => {
    const { code, stdout } = await bbp('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });
});

describe('runExperiment', () => {
  it('every method that trains two-spirals frees all its tensors on dispose, evaluations included', async () => {
    const methods = listMethods().filter((m) => m.supports(getExperiment('two-spirals')));
    expect(methods.length).toBeGreaterThanOrEqual(10);
    for (const method of methods) {
      const before = tf.memory().numTensors;
      const { run } = await runExperiment({ experiment: 'two-spirals', method: method.name, epochs: 3, seed: 1, keepBackend: true });
      run.dispose();
      expect(tf.memory().numTensors, method.name).toBe(before);
    }
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const losses = async (seed: number) => {
      const { result, run } = await runExperiment({ experiment: 'two-spirals', epochs: 5, seed, keepBackend: true });
      run.dispose();
      return result.history.map((h) => h.loss);
    };
    expect(await losses(1)).toEqual(await losses(1));
    expect(await losses(1)).not.toEqual(await losses(2));
  });

  it('stops when aborted and reports the epochs done', async () => {
    const controller = new AbortController();
    const { result, run } = await runExperiment({
      experiment: 'two-spirals',
      epochs: 500,
      keepBackend: true,
      signal: controller.signal,
      onEpoch: (epoch) => {
        if (epoch === 9) controller.abort();
      },
    });
    run.dispose();
    expect(result.stopReason).toBe('aborted');
    expect(result.epochs).toBe(10);
    expect(summaryTable(result)).toMatch(/10 \(aborted\)/);
  });

  it('runs a method registered from outside the runner with the resolved context', async () => {
    const seen: MethodContext[] = [];
    registerExperiment({
      name: 'tiny-spirals',
      description: 'test experiment',
      source: 'test',
      task: 'classification',
      load: () => twoSpirals({ pointsPerClass: 8 }),
      architecture: { kind: 'dense', hidden: [3], activation: 'tanh', shortcuts: false },
      defaults: { epochs: 2, method: 'constant', learningRate: 0.5 },
    });
    registerMethod({
      name: 'constant',
      description: 'always predicts class 0',
      supports: (e) => e.name === 'tiny-spirals',
      create: (ctx) => {
        seen.push(ctx);
        return {
          fit: async (callbacks) => {
            for (let e = 0; e < ctx.epochs; e++) await callbacks.onEpochEnd?.(e, { loss: 1 / (e + 1) });
            return { epoch: [0, 1], history: { loss: [1, 0.5] }, stopReason: 'completed', iterations: ctx.epochs, msPerIteration: 0.1 };
          },
          predict: (x, shape) => {
            const out = new Float32Array(shape[0] * 2);
            for (let i = 0; i < shape[0]; i++) out[2 * i] = 1;
            return out;
          },
          dispose: () => undefined,
        };
      },
    });
    const { result, data } = await runExperiment({ experiment: 'tiny-spirals', keepBackend: true, methodOptions: { delay: 3 } });
    expect(seen[0].learningRate).toBe(0.5);
    expect(seen[0].batchSize).toBe(16);
    expect(seen[0].options).toEqual({ delay: 3 });
    expect(result.method).toBe('constant');
    expect(result.trainAccuracy).toBe(0.5);
    expect(result.finalLoss).toBe(0.5);
    expect(() => registerExperiment({ ...getExperiment('tiny-spirals') })).toThrow(/must be unique/);
    expect(listExperiments().map((e) => e.name)).toContain('tiny-spirals');
    const svg = renderRunSvg(result, data, (x, shape) => new Float32Array(shape[0] * 2));
    expect(svg).toContain('constant');
  });

  it('trains and reports a regression experiment with MSE instead of accuracy', async () => {
    const sine = (n: number, offset: number) => {
      const x = new Float32Array(n);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        x[i] = -3 + (6 * (i + offset)) / n;
        y[i] = Math.sin(x[i]);
      }
      return { x, xShape: [n, 1], y, yShape: [n] };
    };
    registerExperiment({
      name: 'tiny-sine',
      description: 'test regression',
      source: 'test',
      task: 'regression',
      load: () => ({ name: 'tiny-sine', train: sine(64, 0), test: sine(64, 0.5), source: 'test' }),
      architecture: { kind: 'dense', hidden: [16], activation: 'tanh', shortcuts: false },
      defaults: { epochs: 150, method: 'backprop', learningRate: 0.02 },
    });
    const { result, run, data } = await runExperiment({ experiment: 'tiny-sine', keepBackend: true, seed: 1 });
    expect(result.task).toBe('regression');
    expect(result.trainAccuracy).toBeNull();
    expect(result.trainMse!).toBeLessThan(0.1);
    expect(result.testMse!).toBeLessThan(0.1);
    expect(result.history.at(-1)!.trainMse).toBe(result.trainMse);
    expect(summaryTable(result)).toMatch(/test MSE/);
    const svg = renderRunSvg(result, data, run.predict);
    expect(svg).toContain('line: prediction');
    expect(svg).toContain('test MSE');
    run.dispose();
  });
});
