import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../scripts/build-site.mjs';

const docsDir = new URL('..', import.meta.url).pathname;
const root = join(docsDir, '..');
const out = mkdtempSync(join(tmpdir(), 'bbp-site-'));

/** Every file of the built site under `dir` (relative paths), recursively. */
function siteFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? siteFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

/** Every workspace package that ships an API: packages/* and apps/cli. */
function workspacePackages(): string[] {
  const dirs = [...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)), join(root, 'apps', 'cli')];
  return dirs.filter((d) => existsSync(join(d, 'src', 'index.ts'))).map((d) => JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name as string);
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

let warnings = 0;
let errors = 0;
const problems: string[] = [];

beforeAll(async () => {
  ({ warnings, errors } = await buildSite(out, { onLog: (message, level) => void (level >= 2 && problems.push(message)) }));
}, 600_000);

describe('the documentation site', () => {
  it('builds without errors or warnings', () => {
    expect(problems).toEqual([]);
    expect(errors).toBe(0);
    expect(warnings).toBe(0);
  });

  it('has an API page for every workspace package, listing its documented exports', () => {
    const names = workspacePackages();
    expect(names).toEqual(
      expect.arrayContaining(['@beyond-backprop/core-linalg', '@beyond-backprop/datasets', '@beyond-backprop/training', '@beyond-backprop/cli']),
    );
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

  it('links every "Defined in" to the real file and line of the repository', () => {
    const pages = siteFiles(out).filter((f) => f.endsWith('.html') && !f.startsWith('demo'));
    const links = pages.flatMap((f) => [
      ...readFileSync(join(out, f), 'utf8').matchAll(/href="https:\/\/github\.com\/beyond-backprop\/beyond-backprop\/blob\/main\/([^"#]+)#L(\d+)"/g),
    ]);
    expect(links.length).toBeGreaterThan(1000);
    const lines = new Map<string, number>();
    const wrong = links.filter(([, path, line]) => {
      const file = join(root, path!);
      if (!existsSync(file)) return true;
      if (!lines.has(path!)) lines.set(path!, readFileSync(file, 'utf8').split('\n').length);
      return Number(line) > lines.get(path!)!;
    });
    expect(wrong.map(([, path, line]) => `${path}#L${line}`).slice(0, 10)).toEqual([]);
    const ridge = readFileSync(join(out, 'functions', '_beyond-backprop_core-linalg.ridgeSolve.html'), 'utf8');
    expect(ridge).toMatch(/blob\/main\/packages\/core-linalg\/src\/ridge-solve(-op)?\.ts#L\d+/);
  });

  it("contains the playground and links it from the home page and every algorithm guide, in the guide's configuration", () => {
    expect(existsSync(join(out, 'demo', 'index.html'))).toBe(true);
    expect(readdirSync(join(out, 'demo', 'assets')).filter((f) => f.endsWith('.wasm')).length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('href="demo/index.html#dataset=two-spirals&amp;methodA=target-space');
    const guides: Record<string, string> = {
      Training_in_target_space: 'methodA=target-space',
      Gradient_amplification: 'methodA=exp-ga',
      Platonic_projections: 'methodA=platonic',
      Local_representation_alignment: 'methodA=rec-lra',
    };
    for (const [page, method] of Object.entries(guides)) {
      const html = readFileSync(join(out, 'documents', `${page}.html`), 'utf8');
      expect(html, page).toMatch(new RegExp(`href="\\.\\./demo/index\\.html#dataset=[a-z-]+&amp;${method}&amp;[^"]*autorun=1"`));
      expect(html, page).not.toContain('playground:');
    }
  });

  it("typesets the guides' equations with KaTeX at build time", () => {
    expect(existsSync(join(out, 'assets', 'katex', 'katex.min.css'))).toBe(true);
    expect(readdirSync(join(out, 'assets', 'katex', 'fonts')).some((f) => f.endsWith('.woff2'))).toBe(true);
    for (const page of ['Training_in_target_space', 'Gradient_amplification', 'Platonic_projections', 'Local_representation_alignment']) {
      const html = readFileSync(join(out, 'documents', `${page}.html`), 'utf8');
      expect(html, page).toContain('class="katex-display"');
      expect(html, page).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML"');
      expect(html, page).toContain('assets/katex/katex.min.css');
      expect(html, page).not.toMatch(/\$\$|\\begin\{aligned\}<|katex-error/);
    }
  });

  it('links the algorithm guides to their API pages and the API pages back to the guides', () => {
    const pairs: Record<string, string> = {
      Training_in_target_space: 'target-space',
      Gradient_amplification: 'gradient-amp',
      Platonic_projections: 'platonic',
      Local_representation_alignment: 'lra',
    };
    for (const [page, pkg] of Object.entries(pairs)) {
      expect(readFileSync(join(out, 'documents', `${page}.html`), 'utf8'), page).toContain(`href="../modules/_beyond-backprop_${pkg}.html"`);
      expect(readFileSync(join(out, 'modules', `_beyond-backprop_${pkg}.html`), 'utf8'), pkg).toContain(`href="../documents/${page}.html"`);
    }
  });

  it("indexes the guides' text for the site search", () => {
    const script = readFileSync(join(out, 'assets', 'search.js'), 'utf8');
    const data = JSON.parse(inflateSync(Buffer.from(/"([^"]+)"/.exec(script)![1], 'base64')).toString()) as {
      rows: Array<{ name: string; url: string }>;
      index: { fields: string[]; invertedIndex: Array<[string, Record<string, Record<string, unknown>>]> };
    };
    expect(data.index.fields).toContain('document');
    const found = (term: string) =>
      Object.keys(data.index.invertedIndex.find(([t]) => t === term)?.[1].document ?? {}).map((ref) => data.rows[Number(ref)].name);
    expect(found('untangling')).toContain('Training in target space');
    expect(found('playground')).toContain('The playground');
    expect(data.rows.filter((r) => r.url.startsWith('documents/')).map((r) => r.name)).toEqual(
      expect.arrayContaining(['Training in target space', 'Platonic projections', 'The playground']),
    );
  });

  it("shows each algorithm guide's figures, the SVGs the figures script draws with bbp --plot", () => {
    const figures: Record<string, string[]> = {
      Training_in_target_space: ['target-space-run.svg', 'backprop-run.svg'],
      Gradient_amplification: ['gradient-amp-run.svg'],
      Platonic_projections: ['platonic-run.svg'],
      Local_representation_alignment: ['lra-run.svg'],
    };
    const script = readFileSync(join(root, 'apps', 'cli', 'scripts', 'guide-figures.ts'), 'utf8');
    for (const [page, files] of Object.entries(figures)) {
      const html = readFileSync(join(out, 'documents', `${page}.html`), 'utf8');
      for (const file of files) {
        expect(html, page).toContain(`media/${file}`);
        expect(readFileSync(join(out, 'media', file), 'utf8'), file).toMatch(/^<\?xml[\s\S]*filled: train · hollow: test/);
        expect(script, file).toContain(`file: '${file}'`);
      }
    }
  });
});
