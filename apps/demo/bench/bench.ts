/**
 * Demo benchmarks, one JSON object per line, measured in headless chromium on the built app (software WebGL through
 * SwiftShader when the machine has no GPU — the `webgl` line says which renderer it got):
 *
 * - `bundle`: gzipped bytes of what a cold load fetches (page, worker, the wasm binary) and of the lazy WebGPU chunk.
 * - `first-surface`: ms from navigation start to the first decision surface on screen, cold cache, default backend.
 * - `ms-per-iteration`: the final `msPerIteration` (training step only, as `bbp run --json`) of target space and of
 *   backprop on two-spirals, each alone in the page, per backend; `error` where a backend is unavailable.
 *
 * Run: `pnpm --filter @beyond-backprop/demo bench` (`--quick` for fewer epochs and one cold load).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildApp, panels, settled, startHarness } from '../test/browser-harness.js';

const quick = process.argv.includes('--quick');
const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

const dir = await buildApp();
const assets = readdirSync(join(dir, 'assets'));
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const sizes = Object.fromEntries([['index.html', gz(join(dir, 'index.html'))], ...assets.map((a) => [a, gz(join(dir, 'assets', a))] as const)]);
const sum = (pred: (name: string) => boolean) =>
  Object.entries(sizes)
    .filter(([n]) => pred(n))
    .reduce((t, [, v]) => t + v, 0);
const page = sum((n) => n === 'index.html' || /^index-.*\.(js|css)$/.test(n));
const worker = sum((n) => n.startsWith('training-worker-'));
const wasmSimd = sum((n) => n.startsWith('tfjs-backend-wasm-simd-'));
const lazy = sum((n) => n.endsWith('.js') && !n.startsWith('index-') && !n.startsWith('training-worker-'));
emit({
  bench: 'bundle',
  gzipBytes: sizes,
  pageGzipKB: +(page / 1024).toFixed(1),
  workerGzipKB: +(worker / 1024).toFixed(1),
  wasmSimdGzipKB: +(wasmSimd / 1024).toFixed(1),
  coldLoadGzipKB: +((page + worker + wasmSimd) / 1024).toFixed(1),
  lazyWebGpuChunkGzipKB: +(lazy / 1024).toFixed(1),
});

const harness = await startHarness(dir);
try {
  const firstSurface: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const context = await harness.browser.createBrowserContext();
    const tab = await context.newPage();
    await tab.goto(`${harness.server.url}#dataset=two-spirals&methodA=target-space&methodB=backprop&seed=1&autorun=1`);
    await tab.waitForSelector('html[data-first-surface-ms]', { timeout: 120_000 });
    firstSurface.push(Number(await tab.$eval('html', (e) => (e as HTMLElement).dataset.firstSurfaceMs)));
    const backend = (await panels(tab))[0]?.backend;
    await context.close();
    if (i === 0) emit({ bench: 'first-surface-backend', backend });
  }
  firstSurface.sort((a, b) => a - b);
  emit({ bench: 'first-surface', coldLoads: firstSurface.length, msMedian: firstSurface[Math.floor(firstSurface.length / 2)], ms: firstSurface });

  const probe = await harness.open('dataset=xor&method=backprop');
  const renderer = await probe.evaluate(() => {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  });
  const hasWebGpu = await probe.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
  await probe.close();
  emit({
    bench: 'browser',
    webglRenderer: renderer,
    software: renderer === null ? null : /swiftshader|llvmpipe|software/i.test(renderer),
    webgpuAdapter: hasWebGpu,
  });

  const epochs = { 'target-space': quick ? 100 : 500, backprop: quick ? 50 : 200 };
  for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
    for (const method of ['target-space', 'backprop'] as const) {
      const tab = await harness.open(`dataset=two-spirals&method=${method}&epochs=${epochs[method]}&seed=1&backend=${backend}&autorun=1`);
      const [p] = await settled(tab, 600_000);
      const ms = await tab.$eval('[data-run-panel]', (e) => (e as HTMLElement).dataset.msPerIteration);
      await tab.close();
      if (p!.status === 'done')
        emit({
          bench: 'ms-per-iteration',
          experiment: 'two-spirals',
          method,
          backend: p!.backend,
          epochs: p!.epoch,
          msPerIteration: Number(ms),
          trainAccuracy: p!.trainAccuracy,
        });
      else emit({ bench: 'ms-per-iteration', experiment: 'two-spirals', method, backend, error: p!.error });
    }
  }
  emit({
    bench: 'network',
    requests: harness.requests.length,
    foreign: harness.requests.filter((u) => !u.startsWith(`${harness.server.origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:')).length,
  });
} finally {
  await harness.close();
}
