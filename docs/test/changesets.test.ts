import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../.changeset/', import.meta.url));
const workspacePackages = new Set(
  ['packages', 'apps'].flatMap((group) => {
    const root = fileURLToPath(new URL(`../../${group}/`, import.meta.url));
    return readdirSync(root).flatMap((name) => {
      try {
        return [(JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')) as { name: string }).name];
      } catch {
        return [];
      }
    });
  }),
);

describe('changesets', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');

  it.each(files)('%s has front matter changesets can read: workspace packages and a bump each', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    // A formatter that rewrites the front matter (a blank line after ---, or `## 'pkg': minor`) makes the file a
    // changeset that bumps nothing.
    const match = /^---\n((?:'[^'\n]+': (?:major|minor|patch)\n)+)---\n\n\S/.exec(text);
    expect(match, `${file} front matter`).not.toBeNull();
    for (const line of match![1].trim().split('\n')) {
      const name = /^'([^']+)'/.exec(line)![1];
      expect(workspacePackages, `${file} names ${name}`).toContain(name);
    }
  });
});
