/**
 * Where the partitions of pipelined DPL (thesis §6.8.3–6.8.4) run on Node: worker threads of this process (one tfjs
 * instance each, feature buffers transferred, not copied) or processes that join through Redis streams. Loaded
 * on demand by {@link trainPipelined}, so the package's main entry stays browser-safe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WorkerFailedError, type Link } from '@beyond-backprop/cluster';
import { hostRedisRun, redactRedisUrl, spawnWorker, type HostedRedisRun } from '@beyond-backprop/cluster/node';
import type { PipelineWorkerHandle } from './pipelined-dpl.js';

/** A script next to this module (`.ts` when running from source, `.js` when built). */
function sibling(name: string): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, import.meta.url);
}

/** Node arguments that run `script`: TypeScript sources through tsx with the workspace's source condition. */
function nodeArgs(script: URL): string[] {
  if (!script.pathname.endsWith('.ts')) return [fileURLToPath(script)];
  const loader = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs')).href;
  return ['--conditions=@beyond-backprop/source', '--import', loader, fileURLToPath(script)];
}

interface Launched {
  links: Link[];
  handles: PipelineWorkerHandle[];
  local: Promise<unknown>[];
  transport: string;
  stop(): Promise<void>;
}

/** `P` partitions in `P` worker threads. */
export async function launchThreads(P: number, capacity: number, backend: 'wasm' | 'cpu'): Promise<Launched> {
  const workers = Array.from({ length: P }, (_, p) => spawnWorker(sibling('partition-worker'), { name: `partition-${p}`, data: { backend }, capacity }));
  return {
    links: workers.map((w) => w.link),
    handles: workers.map((w) => ({ name: w.name, link: w.link, worker: w.worker })),
    local: [],
    transport: 'threads',
    async stop() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** `P` partitions in processes joining a run hosted on Redis; `localProcesses` of them are started here. */
export async function launchRedis(
  options: { redis: string; namespace?: string; localProcesses?: number; joinTimeoutMs?: number },
  P: number,
  capacity: number,
): Promise<Launched> {
  const namespace = options.namespace ?? 'bbp-pipeline';
  const children: ChildProcess[] = [];
  const abort = new AbortController();
  let run: HostedRedisRun | undefined;
  let stopping = false;
  let early: Error | undefined;
  const onWaiting = (): void => {
    for (let i = 0; i < (options.localProcesses ?? P); i++) {
      const child = spawn(process.execPath, [...nodeArgs(sibling('partition-process')), options.redis, namespace], { stdio: ['ignore', 'inherit', 'inherit'] });
      const name = `partition process ${i} (pid ${child.pid ?? '?'})`;
      child.once('exit', (code, signal) => {
        if (stopping || code === 0) return;
        const error = new WorkerFailedError(name, `exited with ${signal ? `signal ${signal}` : `code ${code}`}`, code);
        early ??= error;
        for (const link of run?.links ?? []) link.fail(error);
        abort.abort(error);
      });
      children.push(child);
    }
  };
  try {
    run = await hostRedisRun({ url: options.redis, namespace, capacity }, P, { joinTimeoutMs: options.joinTimeoutMs, onWaiting, signal: abort.signal });
  } catch (e) {
    stopping = true;
    for (const child of children) child.kill('SIGKILL');
    throw early ?? e;
  }
  const hosted = run;
  return {
    links: [...hosted.links],
    handles: hosted.links.map((link, p) => ({ name: `partition-${p}`, link })),
    local: [],
    transport: redactRedisUrl(options.redis),
    async stop() {
      stopping = true;
      await hosted.close();
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
              child.once('exit', () => (clearTimeout(timer), resolve()));
            }),
        ),
      );
    },
  };
}
