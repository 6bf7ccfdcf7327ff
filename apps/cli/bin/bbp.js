#!/usr/bin/env node
// The `bbp` command. A committed launcher rather than dist/bin.js itself, so that `pnpm install` can link the bin
// (docs and other workspace packages depend on this one) before the TypeScript build exists.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('bbp: the CLI is not built yet: run `pnpm build` (from the repository root, `pnpm bbp …` builds it first)\n');
  process.exit(1);
}
await import(entry.href);
