import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '@beyond-backprop/core-linalg';
import { registerBuiltins, registerExperiment, renderRunSvg, runExperiment } from '../src/index.js';
import { bbp } from './cli-harness.js';
import { removeScratchDirs, scratchDir } from './test-experiments.js';

afterAll(removeScratchDirs);

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

  it('describes a one-shot fit as one: no epochs or ms per iteration in the summary, oneShot in the JSON, no empty loss panel', async () => {
    const dir = scratchDir('platonic-');
    const svgPath = join(dir, 'fit.svg');
    const { code, stdout, stderr } = await bbp('run', 'two-spirals', '--method', 'platonic', '--plot', svgPath, '--json', '-');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ oneShot: true, engine: 'float64', epochs: 1, iterations: 4, stopReason: 'completed' });
    expect(result.msPerIteration).toBeGreaterThan(0);
    // The summary (stderr with --json -) and the progress line.
    expect(stderr).toMatch(/│ training\s+│ one-shot closed-form fit\s+│/);
    expect(stderr).toMatch(/│ solves\s+│ 4\s+│/);
    expect(stderr).toMatch(/│ fit time\s+│ \d+\.\d{3} s\s+│/);
    expect(stderr).not.toMatch(/│ epochs|ms \/ iteration|1500 epochs|epoch 1\/1500/);
    expect(stderr).toContain('(one-shot closed-form fit, backend wasm, engine float64)');
    expect(stderr).toContain('fitted · loss');
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg).toContain('one-shot fit');
    expect(svg).not.toContain('>epoch<');
    expect(svg).not.toContain('<polyline');
    expect(svg.match(/<circle [^>]*stroke="#000"/g)).toHaveLength(194); // the decision surface is still drawn
    // Without a surface to draw (1-D regression has a curve; here: a fine-tuned run keeps its loss curve).
    const tuned = await bbp('run', 'two-spirals', '--method', 'platonic', '--finetune', '3', '--quiet', '--json', '-');
    const t = JSON.parse(tuned.stdout);
    expect(t).toMatchObject({ oneShot: false, engine: 'float64+tfjs', epochs: 4 });
  });

  it('Ctrl-C during the fit (here its only layer, then the readout) stops it: aborted, JSON printed, exit 0 as other interrupted runs', async () => {
    const cliDir = fileURLToPath(new URL('..', import.meta.url));
    const args = ['run', 'checkerboard', '--method', 'platonic', '--layers', '1', '--width', '120', '--json', '-'];
    const child = spawn(process.execPath, ['--conditions=@beyond-backprop/source', '--import', 'tsx', 'src/bin.ts', ...args], {
      cwd: cliDir,
      env: { ...process.env, TERM: 'dumb' },
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // The headline is written just before the fit starts; the signal lands inside the fit (about 1–3 s here), after
      // its start-of-layer check: only the check after the fit can see it.
      if (stderr.includes('bbp run checkerboard') && !sent) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.slice(stdout.indexOf('{')));
    expect(result.stopReason).toBe('aborted');
    expect(result.oneShot).toBe(true);
    expect(stderr).toContain('closed-form fit interrupted');
    expect(stderr).toMatch(/│ training\s+│ one-shot closed-form fit \(aborted\)/);
  }, 120_000);

  it('the plot of a one-shot fit on data it cannot draw has a text panel in place of the loss curve', async () => {
    const { result, run, data } = await runExperiment({ experiment: 'two-spirals', method: 'platonic', keepBackend: true });
    run.dispose();
    // The same result on data with three features: no surface to draw.
    const flat = { ...data, train: { ...data.train, xShape: [data.train.xShape[0], 3] } };
    const svg = renderRunSvg(result, flat);
    expect(svg).toContain('One-shot closed-form fit: no epochs, so no loss curve.');
    expect(svg).toContain('4 least-squares solves in');
    expect(svg).not.toContain('<polyline');
    expect(svg).not.toContain('>epoch<');
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
