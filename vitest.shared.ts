/**
 * Vitest settings shared by every workspace package:
 * - sibling packages resolve to their TypeScript sources (the `@beyond-backprop/source` export condition), so tests
 *   never need a prior build;
 * - results are also written to `.vitest-results.json`, which `scripts/test-summary.mjs` adds up after `pnpm test`;
 * - under `pnpm mutation` (`BBP_MUTATION=1`), test files share one worker and its module cache (`isolate: false`):
 *   Stryker switches mutants at run time, so re-importing TensorFlow.js for every mutant would only cost seconds.
 */
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const conditions = ['@beyond-backprop/source', 'import', 'module', 'default'];

/** The vitest project config of one workspace package. */
export function workspaceProject(name: string, test: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@beyond-backprop/source'] } },
    test: {
      name,
      // A guard against hangs, not a speed target (speed lives in bench/): learning tests that take 20–40 s alone take
      // several times that on a loaded 2-core machine.
      testTimeout: 180_000,
      reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
      // biome-ignore lint/suspicious/noUndeclaredEnvVars: set only by scripts/mutation.mjs, which runs outside turbo
      ...(process.env.BBP_MUTATION === '1' ? { isolate: false } : {}),
      ...test,
    },
  });
}
