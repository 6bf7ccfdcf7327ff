/**
 * datasets benchmarks: generation time of each synthetic set. One JSON object per line.
 * Run: `pnpm --filter @beyond-backprop/datasets bench`.
 */
import { twoSpirals } from '../src/index.js';

function time(fn: () => unknown, reps: number): number {
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

for (const [name, make] of [
  ['two-spirals', () => twoSpirals()],
  ['two-spirals-noisy-10k', () => twoSpirals({ pointsPerClass: 5000, noise: 0.1, seed: 1 })],
] as const) {
  const ds = make();
  const ms = time(make, 50);
  console.log(JSON.stringify({ bench: 'generate', dataset: name, trainExamples: ds.train.xShape[0], testExamples: ds.test.xShape[0], ms: Number(ms.toFixed(4)) }));
}
