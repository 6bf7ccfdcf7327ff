/**
 * Builds the playground with Vite, serves it on a loopback port and opens it in Debian's chromium (headless,
 * `--no-sandbox` as root, SwiftShader for software WebGL): shared by the end-to-end tests and the bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import { findChromium } from '@beyond-backprop/test-services';
import { serveStatic, type StaticServer } from './static-server.js';

export const appRoot = fileURLToPath(new URL('..', import.meta.url));

/** Builds the app into a fresh temporary folder and returns it. */
export async function buildApp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'bbp-demo-'));
  await build({ root: appRoot, configFile: join(appRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface PanelState {
  method: string;
  status: string;
  epoch: number;
  trainAccuracy: number | null;
  testAccuracy: number | null;
  backend: string;
  error: string;
}

export interface Harness {
  server: StaticServer;
  browser: Browser;
  /** Every URL any page requested. */
  requests: string[];
  /** Uncaught page errors. */
  pageErrors: string[];
  open(hash: string): Promise<Page>;
  close(): Promise<void>;
}

/** Serves `dir` and starts chromium; `open` loads the page with a hash and waits until its catalogue is ready. */
export async function startHarness(dir: string, options: { crossOriginIsolated?: boolean } = {}): Promise<Harness> {
  const server = await serveStatic(dir, options);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--disable-dev-shm-usage'],
  });
  const requests: string[] = [];
  const pageErrors: string[] = [];
  return {
    server,
    browser,
    requests,
    pageErrors,
    async open(hash: string) {
      const page = await browser.newPage();
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => pageErrors.push(e instanceof Error ? e.message : String(e)));
      await page.goto(`${server.url}#${hash}`);
      await page.waitForSelector('html[data-ready="1"]', { timeout: 60_000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `[data-run-panel]` attributes of every visible panel. */
export async function panels(page: Page): Promise<PanelState[]> {
  return page.$$eval('[data-run-panel]:not([hidden])', (els) =>
    els.map((e) => {
      // No helper functions in here: code run through tsx gets esbuild's `__name` wrappers, undefined in the page.
      const d = (e as HTMLElement).dataset;
      return {
        method: d.method ?? '',
        status: d.status ?? '',
        epoch: Number(d.epoch ?? 0),
        trainAccuracy: d.trainAccuracy ? Number(d.trainAccuracy) : null,
        testAccuracy: d.testAccuracy ? Number(d.testAccuracy) : null,
        backend: d.backend ?? '',
        error: d.error ?? '',
      };
    }),
  );
}

/** Waits until no visible panel is running (or `timeoutMs` passes) and returns their states. */
export async function settled(page: Page, timeoutMs = 240_000): Promise<PanelState[]> {
  await page.waitForFunction(
    () => Array.from(document.querySelectorAll('[data-run-panel]:not([hidden])')).every((e) => (e as HTMLElement).dataset.status !== 'running'),
    {
      timeout: timeoutMs,
      polling: 200,
    },
  );
  return panels(page);
}
