#!/usr/bin/env node
/**
 * `pnpm mutation [filter…]`: mutation testing with StrykerJS, one source file at a time (outside `pnpm test` and CI).
 *
 * Each run happens inside the file's package, so that the package's own vitest.config.ts (and with it the
 * `@beyond-backprop/source` export condition) is used; the shared options live in the root stryker.config.json.
 * Only the test files listed for a source file run against its mutants (a full package run loads TensorFlow.js for
 * every test file and is several times slower). Mutants are applied in place (some tests import their own package
 * by name, which a copied sandbox would not redirect); Stryker backs the files up and restores them, and this script
 * checks afterwards that git sees no leftover change.
 *
 * Filters match package names or file paths: `pnpm mutation training`, `pnpm mutation ridge-solve`.
 * Extra Stryker options go after `--`, e.g. `pnpm mutation ridge-solve -- --mutate src/ridge-solve.ts:90-120`.
 * Reports: packages/<name>/reports/mutation/<file>.{html,json}.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The files under mutation testing (relative to their package) and the tests run against their mutants. */
const TARGETS = [
  { pkg: 'core-linalg', file: 'src/ridge-solve.ts', tests: ['test/ridge-solve.test.ts', 'test/float64-tape.test.ts'] },
  { pkg: 'core-linalg', file: 'src/errors.ts', tests: ['test/errors.test.ts'] },
  { pkg: 'core-linalg', file: 'src/activations.ts', tests: ['test/tensor-ops.test.ts'] },
  { pkg: 'target-space', file: 'src/target-gradient.ts', tests: ['test/dense-gradients.test.ts'] },
  { pkg: 'target-space', file: 'src/realisation.ts', tests: ['test/dense-gradients.test.ts'] },
  { pkg: 'datasets', file: 'src/idx-format.ts', tests: ['test/file-formats.test.ts'] },
  { pkg: 'datasets', file: 'src/gzip.ts', tests: ['test/file-formats.test.ts'] },
  { pkg: 'datasets', file: 'src/dataset-errors.ts', tests: ['test/dataset-errors.test.ts'] },
  { pkg: 'datasets', file: 'src/cifar.ts', tests: ['test/file-formats.test.ts'] },
  { pkg: 'training', file: 'src/fit-loop.ts', tests: ['test/fit-loop.test.ts', 'test/fit-contract.test.ts'] },
  { pkg: 'training', file: 'src/early-stopping.ts', tests: ['test/early-stopping.test.ts', 'test/fit-contract.test.ts'] },
  { pkg: 'training', file: 'src/checkpoint.ts', tests: ['test/checkpoint.test.ts', 'test/fit-contract.test.ts'] },
  { pkg: 'training', file: 'src/optimizer-state.ts', tests: ['test/checkpoint.test.ts'] },
  { pkg: 'training', file: 'src/divergence.ts', tests: ['test/fit-contract.test.ts'] },
  { pkg: 'training', file: 'src/weight-init.ts', tests: ['test/weight-init.test.ts'] },
  { pkg: 'training', file: 'src/model-files.ts', tests: ['test/model-files.test.ts', 'test/checkpoint.test.ts'] },
  { pkg: 'training', file: 'src/softmax-cross-entropy-kernel.ts', tests: ['test/backprop.test.ts'] },
  { pkg: 'core-linalg', file: 'src/kernel-arrays.ts', tests: ['test/tensor-ops.test.ts'] },
];

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const filters = dashes >= 0 ? argv.slice(0, dashes) : argv;
const extra = dashes >= 0 ? argv.slice(dashes + 1) : [];
const selected = TARGETS.filter(({ pkg, file }) => filters.length === 0 || filters.some((f) => pkg === f || file.includes(f)));
if (selected.length === 0) {
  console.error(`nothing matches ${filters.join(' ')}; targets: ${TARGETS.map((t) => `${t.pkg}/${t.file}`).join(', ')}`);
  process.exit(2);
}

// The runner plugin is installed at the root; from inside a package Stryker would not find it on its own.
const plugin = join(root, 'node_modules', '@stryker-mutator', 'vitest-runner', 'dist', 'src', 'index.js');
const shared = JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8'));
delete shared.$schema;
let failed = false;
for (const { pkg, file, tests } of selected) {
  const cwd = join(root, 'packages', pkg);
  const report = `reports/mutation/${basename(file, '.ts')}`;
  console.log(`\n=== mutation: ${pkg}/${file} (tests: ${tests.join(', ')})`);
  // One generated config per file: the shared options plus this file's mutate, tests and report names.
  const config = { ...shared, mutate: [file], testFiles: tests, plugins: [plugin] };
  config.htmlReporter = { fileName: `${report}.html` };
  config.jsonReporter = { fileName: `${report}.json` };
  mkdirSync(join(cwd, 'reports', 'mutation'), { recursive: true });
  writeFileSync(join(cwd, `${report}.config.json`), `${JSON.stringify(config, null, 2)}\n`);
  const args = ['exec', 'stryker', 'run', `${report}.config.json`, ...extra];
  const run = spawnSync('pnpm', args, { cwd, stdio: 'inherit', env: { ...process.env, BBP_MUTATION: '1' } });
  if (run.status !== 0) failed = true;
  const leftover = spawnSync('git', ['status', '--porcelain', '--', file], { cwd, encoding: 'utf8' }).stdout.trim();
  if (leftover !== '') console.warn(`note: git reports a change in ${pkg}/${file} after the run (a mutant left in place?)`);
}
process.exit(failed ? 1 : 0);
