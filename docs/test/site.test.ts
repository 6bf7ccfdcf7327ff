import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Application } from 'typedoc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const docsDir = new URL('..', import.meta.url).pathname;
const root = join(docsDir, '..');
const out = mkdtempSync(join(tmpdir(), 'bbp-site-'));

/** Every workspace package that ships an API: packages/* and apps/cli. */
function workspacePackages(): string[] {
  const dirs = [...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)), join(root, 'apps', 'cli')];
  return dirs.filter((d) => existsSync(join(d, 'src', 'index.ts'))).map((d) => JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name as string);
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

let warnings = 0;
let errors = 0;

beforeAll(async () => {
  const app = await Application.bootstrapWithPlugins({ options: join(docsDir, 'typedoc.json'), out } as never);
  app.logger.log = function (this: unknown, message: unknown, level: number) {
    if (level === 2) warnings++;
    if (level === 3) errors++;
  } as never;
  const project = await app.convert();
  expect(project, 'typedoc could not convert the workspace').toBeDefined();
  await app.generateOutputs(project!);
}, 180_000);

describe('the documentation site', () => {
  it('builds without errors or warnings', () => {
    expect(errors).toBe(0);
    expect(warnings).toBe(0);
  });

  it('has an API page for every workspace package, listing its documented exports', () => {
    const names = workspacePackages();
    expect(names).toEqual(expect.arrayContaining(['@beyond-backprop/core-linalg', '@beyond-backprop/datasets', '@beyond-backprop/training', '@beyond-backprop/cli']));
    for (const name of names) {
      const page = join(out, 'modules', `${name.replace('@', '_').replace('/', '_')}.html`);
      expect(existsSync(page), page).toBe(true);
    }
    const core = readFileSync(join(out, 'modules', '_beyond-backprop_core-linalg.html'), 'utf8');
    for (const symbol of ['ridgeSolve', 'cholesky', 'svd', 'gradCheck', 'initBackend', 'extractPatches']) expect(core).toContain(symbol);
    const ridge = readFileSync(join(out, 'functions', '_beyond-backprop_core-linalg.ridgeSolve.html'), 'utf8');
    expect(ridge).toContain('Woodbury');
  });

  it('has the hand-written guides, linked from the front page', () => {
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    for (const page of ['Getting_started', 'The_tensor_core', 'Data_sets', 'The_bbp_experiment_runner']) {
      expect(existsSync(join(out, 'documents', `${page}.html`)), page).toBe(true);
      expect(index).toContain(`documents/${page}.html`);
    }
    expect(index).toContain('modules/_beyond-backprop_core-linalg.html');
  });

  it('documents both entries of the datasets package and shows the data-set pictures', () => {
    expect(existsSync(join(out, 'modules', '_beyond-backprop_datasets.node.html'))).toBe(true);
    const node = readFileSync(join(out, 'modules', '_beyond-backprop_datasets.node.html'), 'utf8');
    for (const symbol of ['loadMnist', 'loadFashionMnist', 'loadCifar10', 'loadCifar100', 'loadImdb']) expect(node).toContain(symbol);
    const guide = readFileSync(join(out, 'documents', 'Data_sets.html'), 'utf8');
    for (const picture of ['two-spirals', 'checkerboard', 'two-moons', 'blobs', 'xor']) {
      expect(guide).toContain(`${picture}.svg`);
      expect(existsSync(join(out, 'media', `${picture}.svg`)), picture).toBe(true);
    }
  });
});
