import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(join(tmpdir(), 'bbp-gen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A workspace copy with only what the generator edits and tsc reads: root configs copied, the packages the new one
 * depends on and node_modules linked (not copied), the experiment-runner and docs files the generator rewrites copied.
 */
function workspaceCopy(): string {
  for (const f of [
    'package.json',
    'tsconfig.base.json',
    'vitest.shared.ts',
    'docs/typedoc.json',
    'packages/experiments/package.json',
    'packages/experiments/src/plugins.ts',
  ]) {
    mkdirSync(dirname(join(work, f)), { recursive: true });
    cpSync(join(repo, f), join(work, f));
  }
  mkdirSync(join(work, 'packages/experiments/src/methods'), { recursive: true });
  mkdirSync(join(work, 'docs/guides'), { recursive: true });
  for (const p of ['core-linalg', 'training']) {
    mkdirSync(join(work, 'packages'), { recursive: true });
    symlinkSync(join(repo, 'packages', p), join(work, 'packages', p));
  }
  symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'));
  return work;
}

describe('pnpm gen:package', () => {
  it('scaffolds a package in the contract shape that type-checks, with its docs entry and experiment-runner registration', () => {
    const root = workspaceCopy();
    execFileSync(process.execPath, [join(repo, 'scripts/gen-package.mjs'), 'toy-rule', '--root', root], { stdio: 'pipe' });
    const pkgDir = join(root, 'packages/toy-rule');
    // What `pnpm install` would link for the new package.
    const modules = join(pkgDir, 'node_modules');
    mkdirSync(join(modules, '@beyond-backprop'), { recursive: true });
    mkdirSync(join(modules, '@tensorflow'), { recursive: true });
    for (const p of ['core-linalg', 'training']) symlinkSync(join(repo, 'packages', p), join(modules, '@beyond-backprop', p));
    symlinkSync(realpathSync(join(repo, 'packages/training/node_modules/@tensorflow/tfjs')), join(modules, '@tensorflow/tfjs'));

    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@beyond-backprop/toy-rule');
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.scripts)).toEqual(['build', 'typecheck', 'test', 'bench', 'docs']);
    expect(readFileSync(join(pkgDir, 'src/index.ts'), 'utf8')).toContain('export { ToyRuleTrainer');
    expect(readFileSync(join(pkgDir, 'src/toy-rule-trainer.ts'), 'utf8')).toMatch(
      /runFitLoop[\s\S]*variableSnapshots[\s\S]*fromCheckpoint[\s\S]*toLayersModel/,
    );
    expect(JSON.parse(readFileSync(join(root, 'docs/typedoc.json'), 'utf8')).projectDocuments).toContain('guides/toy-rule.md');
    expect(readFileSync(join(root, 'docs/guides/toy-rule.md'), 'utf8')).toMatch(/^---\ntitle: toy-rule\n---/);
    const plugins = readFileSync(join(root, 'packages/experiments/src/plugins.ts'), 'utf8');
    expect(plugins).toContain("import { toyRuleMethod } from './methods/toy-rule.js';");
    expect(plugins).toMatch(/export const builtinMethods: readonly Method\[\] = \[[^\]]*\n {2}toyRuleMethod,\n\];/);
    expect(JSON.parse(readFileSync(join(root, 'packages/experiments/package.json'), 'utf8')).dependencies['@beyond-backprop/toy-rule']).toBe('workspace:^');

    // Type-check src, test and bench of the new package against the real workspace sources.
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    const out = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '-p', join(pkgDir, 'tsconfig.json')], { encoding: 'utf8' });
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? e);
      }
    })();
    expect(out).toBe('');
  });

  it('refuses a name that is not kebab-case and an existing package', () => {
    const run = (name: string) => () => execFileSync(process.execPath, [join(repo, 'scripts/gen-package.mjs'), name, '--root', work], { stdio: 'pipe' });
    expect(run('Bad_Name')).toThrow(/usage: pnpm gen:package <name>/);
    expect(run('training')).toThrow(/packages\/training already exists/);
  });
});
