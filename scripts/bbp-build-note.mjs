// `pnpm bbp` builds the workspace before running the CLI (turbo, cached). Say so when there is something to build,
// so the first run is not a minute of silence.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../apps/cli/dist/bin.js', import.meta.url))) {
  process.stderr.write('bbp: building the workspace first (turbo; about a minute the first time, cached afterwards)…\n');
}
