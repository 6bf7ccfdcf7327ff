#!/usr/bin/env node
// Adds up the vitest results every workspace package wrote during `pnpm test` and prints one closing line,
// "tests: N passed, M failed", so a CI log states how many tests ran. Exits non-zero if none ran or any failed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const group of ['packages', 'apps', 'tools', '.']) {
  const dirs = group === '.' ? ['docs'] : readdirSync(join(root, group)).map((d) => join(group, d));
  for (const dir of dirs) {
    const file = join(root, dir, '.vitest-results.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    rows.push(`  ${dir.padEnd(24)} ${String(r.numPassedTests).padStart(4)} passed, ${r.numFailedTests} failed`);
  }
}
console.log(rows.join('\n'));
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
