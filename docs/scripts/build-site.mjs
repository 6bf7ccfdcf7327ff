#!/usr/bin/env node
// Builds the documentation site: the typedoc pages (guides + API, equations typeset by plugins/katex-math.mjs) into
// `site/` (or the folder given as the first argument), then the playground (apps/demo) into `<site>/demo/`, so the
// guides' "open in the playground" links work from the built site with no server-side configuration.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, LogLevel } from 'typedoc';

const docsDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * Builds the site into `out`; returns the number of typedoc warnings and errors.
 * @param {string} out
 * @param {{ onLog?: (message: string, level: number) => void }} [options]
 */
export async function buildSite(out, options = {}) {
  rmSync(out, { recursive: true, force: true });
  const app = await Application.bootstrapWithPlugins({ options: join(docsDir, 'typedoc.json'), out });
  let warnings = 0;
  let errors = 0;
  const log = app.logger.log.bind(app.logger);
  app.logger.log = (message, level) => {
    if (level === LogLevel.Warn) warnings++;
    if (level === LogLevel.Error) errors++;
    options.onLog?.(String(message), level);
    if (!options.onLog) log(message, level);
  };
  const project = await app.convert();
  if (!project) throw new Error('typedoc could not convert the workspace');
  await app.generateOutputs(project);
  await buildDemo(join(out, 'demo'));
  return { warnings, errors };
}

/**
 * Builds apps/demo with its own Vite config into `outDir`.
 * @param {string} outDir
 */
export async function buildDemo(outDir) {
  const { build } = await import('vite');
  const root = join(docsDir, '..', 'apps', 'demo');
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(docsDir, 'site'));
  const { warnings, errors } = await buildSite(out);
  console.log(`docs site: ${join(out, 'index.html')} (${warnings} warnings, ${errors} errors)`);
  if (errors > 0) process.exit(1);
}
