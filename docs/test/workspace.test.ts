/**
 * The workspace wiring the docs site depends on: turbo knows the site's real inputs and outputs (a guide edit rebuilds
 * it, the build caches `site/`), and every workspace bin is a committed file, so a clean `pnpm install` (which links
 * bins before anything is built) prints no "Failed to create bin" warning.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface DryTask {
  taskId: string;
  outputs: string[];
  inputs: Record<string, string>;
}

function dryRun(task: string): DryTask {
  const out = execFileSync(join(root, 'node_modules', '.bin', 'turbo'), ['run', task, '--filter=@beyond-backprop/docs', '--dry=json'], {
    cwd: root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    maxBuffer: 1 << 26,
  }).toString();
  const plan = JSON.parse(out) as { tasks: DryTask[] };
  const found = plan.tasks.find((t) => t.taskId === `@beyond-backprop/docs#${task}`);
  if (!found) throw new Error(`turbo plans no @beyond-backprop/docs#${task}`);
  return found;
}

describe('turbo task of the docs site', () => {
  it.each(['build', 'docs'])('docs#%s declares site/** as its output and hashes the guides, the typedoc config and every package source', (task) => {
    const plan = dryRun(task);
    expect(plan.outputs).toEqual(['site/**']);
    const inputs = Object.keys(plan.inputs);
    for (const guide of readdirSync(join(root, 'docs', 'guides')).filter((f) => f.endsWith('.md'))) expect(inputs).toContain(`guides/${guide}`);
    expect(inputs).toContain('typedoc.json');
    // Package sources and READMEs (typedoc reads both) are inputs too, as paths relative to docs/.
    expect(inputs).toContain('../packages/core-linalg/src/index.ts');
    expect(inputs).toContain('../packages/platonic/README.md');
    expect(inputs).toContain('../apps/cli/src/index.ts');
  });
});

describe('workspace bins', () => {
  it('every bin of every workspace package is a committed file, so pnpm can link it before any build', () => {
    const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root }).toString().split('\n'));
    const dirs = ['packages', 'apps', 'tools'].flatMap((d) => readdirSync(join(root, d)).map((p) => `${d}/${p}`));
    let bins = 0;
    for (const dir of dirs) {
      const file = join(root, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { bin?: string | Record<string, string> };
      const entries = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
      for (const bin of entries) {
        bins++;
        expect(tracked, `${dir}: bin ${bin}`).toContain(`${dir}/${bin.replace(/^\.\//, '')}`);
      }
    }
    expect(bins).toBeGreaterThan(0);
  });
});
