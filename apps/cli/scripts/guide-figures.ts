/**
 * Regenerates the figures of the algorithm guides (docs/guides/images/*-run.svg): each is exactly what
 * `bbp run <experiment> --method <method> --seed <seed> --plot <file>` draws — loss and accuracy curves and the
 * decision surface — so no figure is ever edited by hand. Run: `pnpm --filter @beyond-backprop/cli figures`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@beyond-backprop/core-linalg';
import { renderRunSvg, runExperiment } from '../src/index.js';

/** The run behind each figure, in the configuration its guide's playground link opens. */
export const GUIDE_FIGURES = [
  { file: 'target-space-run.svg', experiment: 'two-spirals', method: 'target-space', seed: 1 },
  { file: 'backprop-run.svg', experiment: 'two-spirals', method: 'backprop', seed: 1 },
  { file: 'gradient-amp-run.svg', experiment: 'two-spirals', method: 'exp-ga', seed: 1 },
  { file: 'platonic-run.svg', experiment: 'two-spirals', method: 'platonic', seed: 1 },
  { file: 'lra-run.svg', experiment: 'two-moons', method: 'rec-lra', seed: 1 },
] as const;

const images = fileURLToPath(new URL('../../../docs/guides/images/', import.meta.url));
await initBackend({ preference: 'wasm', log: false });
for (const figure of GUIDE_FIGURES) {
  const { result, run, data } = await runExperiment({ experiment: figure.experiment, method: figure.method, seed: figure.seed, keepBackend: true });
  writeFileSync(`${images}${figure.file}`, renderRunSvg(result, data, run.predict));
  run.dispose();
  console.log(
    JSON.stringify({
      figure: figure.file,
      experiment: result.experiment,
      method: result.method,
      epochs: result.epochs,
      trainAccuracy: result.trainAccuracy,
      testAccuracy: result.testAccuracy,
    }),
  );
}
