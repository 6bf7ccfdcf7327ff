import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const nodeBuiltins = new Set(builtinModules);

/** Every static import / re-export specifier of a TypeScript source (type-only imports are erased, so skipped). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const pattern = /^\s*(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const match of source.matchAll(pattern)) found.push(match[1]);
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]);
  return found;
}

/** The source file a workspace specifier resolves to under the `@beyond-backprop/source` condition, or `null` for a third-party package. */
function resolveWorkspace(specifier: string): string | null {
  const m = /^(@beyond-backprop\/[^/]+)(\/.*)?$/.exec(specifier);
  if (!m) return null;
  const manifest = require.resolve(`${m[1]}/package.json`);
  const exportsMap = JSON.parse(readFileSync(manifest, 'utf8')).exports as Record<string, Record<string, string>>;
  const entry = exportsMap[m[2] ? `.${m[2]}` : '.']?.['@beyond-backprop/source'];
  if (!entry) throw new Error(`${specifier}: no @beyond-backprop/source export`);
  return join(dirname(manifest), entry);
}

/** Walks the module graph from `entry`, returning each reached file with the Node-only modules it imports. */
function nodeImportsReachableFrom(entry: string): { files: number; offenders: string[] } {
  const seen = new Set<string>();
  const offenders: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('node:') || nodeBuiltins.has(spec)) offenders.push(`${file} imports ${spec}`);
      else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        queue.push(existsSync(target) ? target : resolve(dirname(file), spec));
      } else {
        const workspace = resolveWorkspace(spec);
        if (workspace) queue.push(workspace);
      }
    }
  }
  return { files: seen.size, offenders };
}

describe('the package entries', () => {
  it('the main entry reaches no Node.js built-in module (browser-safe)', () => {
    const { files, offenders } = nodeImportsReachableFrom(join(here, '../src/index.ts'));
    expect(files).toBeGreaterThan(30);
    expect(offenders).toEqual([]);
  });

  it('the ./node entry does reach node:fs (the walk sees Node-only imports)', () => {
    const { offenders } = nodeImportsReachableFrom(join(here, '../src/node.ts'));
    expect(offenders.some((o) => o.endsWith('imports node:fs'))).toBe(true);
  });
});
