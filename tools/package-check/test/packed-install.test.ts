/**
 * What a user gets from npm: every publishable package is packed with `pnpm pack` (so `publishConfig` and the
 * `workspace:` ranges are applied as on publish), the tarballs are installed with npm — one install for all of them —
 * into a fresh project that has only `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm` besides, and every
 * README example runs from there. The packed manifests are also checked with publint and @arethetypeswrong/cli.
 *
 * Needs `pnpm build` first (turbo runs it: this package's `test` depends on `^build`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('../', import.meta.url));

/** The publishable (non-private) packages under packages/ (the CLI app is checked by its own tests). */
const PACKAGES = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .filter((name) => !(JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { private?: boolean }).private)
  .sort();
const SOURCE_CONDITION = '@beyond-backprop/source';

interface CodeBlock {
  readonly index: number;
  readonly info: string;
  readonly code: string;
}

/** The fenced code blocks of a markdown file, with their info strings (`ts`, `sh`, `ts no-run`, …). */
function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```/gm;
  for (let m = fence.exec(markdown); m !== null; m = fence.exec(markdown)) {
    blocks.push({ index: blocks.length, info: m[1].trim(), code: m[2] });
  }
  return blocks;
}

/** The runnable TypeScript examples of a README: `ts` blocks not marked `no-run`. */
function runnableExamples(markdown: string): CodeBlock[] {
  return codeBlocks(markdown).filter((b) => /^(ts|typescript|js|javascript)\b/.test(b.info) && !/\bno-run\b/.test(b.info));
}

/** The package names a code block imports (`@scope/name/sub` → `@scope/name`), leaving out `node:` built-ins. */
function importedPackages(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.matchAll(/from\s+'([^']+)'/g)) {
    const spec = m[1];
    if (spec.startsWith('node:') || spec.startsWith('.')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  return [...names];
}

/** The package names on the README's `npm install` lines (the first `sh` block), optional extras included. */
function installLine(markdown: string): string[] {
  const sh = codeBlocks(markdown).find((b) => b.info === 'sh');
  if (!sh) return [];
  const first = sh.code.split('\n').find((line) => line.startsWith('npm install')) ?? '';
  return first.replace(/#.*$/, '').split(/\s+/).slice(2).filter(Boolean);
}

/** The package names on every `npm install` line of the README's `sh` blocks. */
function allInstallLines(markdown: string): string[] {
  return codeBlocks(markdown)
    .filter((b) => b.info === 'sh')
    .flatMap((b) => b.code.split('\n'))
    .filter((l) => l.startsWith('npm install'))
    .flatMap((l) => l.replace(/#.*$/, '').split(/\s+/).slice(2).filter(Boolean));
}

const readme = (pkg: string): string => readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8');
const manifest = (pkg: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as Record<string, unknown>;

let work = '';
let project = '';
const tarballs = new Map<string, string>();

beforeAll(async () => {
  for (const pkg of PACKAGES) {
    if (!existsSync(join(root, 'packages', pkg, 'dist', 'index.js'))) {
      throw new Error(`package-check: packages/${pkg}/dist is missing; run \`pnpm build\` first (turbo does it for \`pnpm test\`)`);
    }
  }
  work = mkdtempSync(join(tmpdir(), 'bbp-package-check-'));
  const packed = join(work, 'tarballs');
  project = join(work, 'project');
  mkdirSync(packed);
  mkdirSync(project);
  for (const pkg of PACKAGES) {
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', packed], { cwd: join(root, 'packages', pkg) });
    const tgz = stdout.trim().split('\n').at(-1)!.trim();
    tarballs.set(pkg, tgz.startsWith('/') ? tgz : join(packed, tgz));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bbp-user', private: true, type: 'module' }, null, 2));
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      ...tarballs.values(),
      '@tensorflow/tfjs@4.22.0',
      '@tensorflow/tfjs-backend-wasm@4.22.0',
    ],
    { cwd: project, maxBuffer: 1 << 24 },
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(PACKAGES)('@beyond-backprop/%s installed from its tarball', (pkg) => {
  const name = `@beyond-backprop/${pkg}`;

  it('publishes exports without the workspace source condition, pointing into dist', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(JSON.stringify(installed.exports)).not.toContain(SOURCE_CONDITION);
    expect(JSON.stringify(installed.exports)).not.toContain('./src/');
    // the published map is the workspace map minus the source condition, so the two cannot drift apart
    const workspace = manifest(pkg).exports as Record<string, unknown>;
    const stripped = JSON.parse(JSON.stringify(workspace, (k, v: unknown) => (k === SOURCE_CONDITION ? undefined : v))) as unknown;
    expect(installed.exports).toEqual(stripped);
  });

  it('loads with require() (Node >= 20.19) and with import, giving the same exports', async () => {
    const script = `const viaRequire = Object.keys(require(${JSON.stringify(name)})).sort();
import(${JSON.stringify(name)}).then((m) => { const viaImport = Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort();
  if (JSON.stringify(viaRequire.filter((k) => k !== '__esModule' && k !== 'module.exports')) !== JSON.stringify(viaImport)) { console.error(viaRequire, viaImport); process.exit(1); }
  console.log(viaImport.length); });`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: project });
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  });

  it('lists on its README install line every package its examples import, and the wasm backend', () => {
    const text = readme(pkg);
    const line = installLine(text);
    expect(line).toContain(name);
    // tfjs and its wasm backend on the first line unless tfjs is optional (compression's core has no tfjs import):
    // then on a later install line of the README.
    const peers = manifest(pkg) as { peerDependenciesMeta?: Record<string, { optional?: boolean }> };
    const all = peers.peerDependenciesMeta?.['@tensorflow/tfjs']?.optional ? allInstallLines(text) : line;
    expect(all).toContain('@tensorflow/tfjs');
    expect(all).toContain('@tensorflow/tfjs-backend-wasm');
    const imported = new Set(
      codeBlocks(text)
        .filter((b) => b.info.startsWith('ts'))
        .flatMap((b) => importedPackages(b.code)),
    );
    for (const dep of imported) expect(allInstallLines(text), `${pkg}/README.md imports ${dep}`).toContain(dep);
  });

  it('passes publint on the packed tarball', async () => {
    const tarball = readFileSync(tarballs.get(pkg)!);
    const { messages } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      level: 'warning',
    });
    expect(messages).toEqual([]);
  });

  it('passes @arethetypeswrong/cli on the packed tarball (require of the ESM build is supported, see the README)', async () => {
    // attw's TypeScript predates require(esm), so it flags every require of an ESM file; the require test above runs it.
    // Profile node16: the exports map (with subpaths such as datasets/node) is the contract; node10 resolution is not.
    const attw = join(here, 'node_modules', '.bin', 'attw');
    const result = await run(attw, [tarballs.get(pkg)!, '--format', 'ascii', '--no-color', '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm'], {
      cwd: here,
    }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    // Resolutions the profile ignores (node10) are still printed, marked "ignored".
    expect(result.out.split('\n').filter((l) => !l.includes('ignored') && /❌|💀/.test(l))).toEqual([]);
    expect(result.code).toBe(0);
  });

  const examples = runnableExamples(readme(pkg));
  it('has at least one runnable README example', () => {
    expect(examples.length).toBeGreaterThan(0);
  });
  it.each(examples.map((b) => [b.index, b] as const))('runs README code block %i from the installed tarballs', async (index, block) => {
    const js = ts.transpileModule(block.code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    }).outputText;
    const file = join(project, `readme-${pkg}-${index}.mjs`);
    writeFileSync(file, js);
    const result = await run(process.execPath, [file], { cwd: project, maxBuffer: 1 << 24 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.stderr.split('\n').filter((l) => /Error|error:/.test(l))).toEqual([]);
    expect(result.code).toBe(0);
  });
});
