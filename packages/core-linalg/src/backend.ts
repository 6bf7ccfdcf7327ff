/**
 * Choosing and starting a TensorFlow.js backend, fastest first.
 *
 * The native bindings (`@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`) are optional peers: many machines cannot
 * install them (their install script downloads libtensorflow), so every backend is loaded by a dynamic import and a
 * failure of any kind moves on to the next candidate.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, InvalidArgumentError } from './errors.js';
import { installWasmKernels } from './wasm-kernels.js';

/** Backends {@link initBackend} knows how to load. */
export type BackendChoice = 'tfjs-node-gpu' | 'tfjs-node' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Order tried under Node.js. */
export const NODE_BACKEND_ORDER: readonly BackendChoice[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
/** Order tried in a browser. */
export const BROWSER_BACKEND_ORDER: readonly BackendChoice[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

const KNOWN: readonly BackendChoice[] = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** Name under which each choice registers itself with tfjs-core. */
const REGISTERED_NAME: Record<BackendChoice, string> = {
  'tfjs-node-gpu': 'tensorflow',
  'tfjs-node': 'tensorflow',
  webgpu: 'webgpu',
  webgl: 'webgl',
  wasm: 'wasm',
  cpu: 'cpu',
};

const PACKAGE: Record<BackendChoice, string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Candidates in order. Defaults to {@link NODE_BACKEND_ORDER} or {@link BROWSER_BACKEND_ORDER}. A single name means
   * "only this one". The environment variable `BBP_BACKEND` (Node.js) overrides both.
   */
  preference?: BackendChoice | readonly BackendChoice[];
  /**
   * Module loaders by backend, replacing the default `import('<package>')`. Bundled browser apps pass their own,
   * e.g. `{ webgl: () => import('@tensorflow/tfjs-backend-webgl') }`, because a bundler cannot see computed imports.
   */
  loaders?: Partial<Record<BackendChoice, () => Promise<unknown>>>;
  /** Where to report the choice: `true`/omitted logs one line with `console.info`, `false` is silent. */
  log?: boolean | ((message: string) => void);
  /**
   * Register the wasm backend's missing kernels and the fast transposed matMul ({@link installWasmKernels}) when
   * wasm is chosen. Default `true`.
   */
  patchWasm?: boolean;
}

/** What {@link initBackend} chose, and why the earlier candidates were skipped. */
export interface BackendInfo {
  /** The choice that loaded, e.g. `'wasm'`. */
  choice: BackendChoice;
  /** tfjs-core's name for it (`tf.getBackend()`), e.g. `'tensorflow'` for the native bindings. */
  name: string;
  /** Candidates that failed before it, with the reason. */
  skipped: Array<{ backend: BackendChoice; error: string }>;
  /** Kernels added or replaced for the wasm backend (empty otherwise). */
  patchedKernels: string[];
}

function isBrowser(): boolean {
  return typeof (globalThis as { window?: unknown }).window !== 'undefined' && typeof (globalThis as { document?: unknown }).document !== 'undefined';
}

function envOverride(): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.BBP_BACKEND;
  return value && value.trim() !== '' ? value.trim() : undefined;
}

function normaliseChoice(value: string, source: string): BackendChoice {
  const v = value === 'tensorflow' || value === 'node' ? 'tfjs-node' : value === 'node-gpu' ? 'tfjs-node-gpu' : value;
  if (!(KNOWN as readonly string[]).includes(v)) {
    throw new InvalidArgumentError('initBackend', source, `must be one of ${KNOWN.join(', ')}`, value);
  }
  return v as BackendChoice;
}

// A computed specifier keeps bundlers from trying to resolve optional packages that are not installed.
const dynamicImport = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);

/**
 * Loads the first TensorFlow.js backend that works from the preference list, makes it active, and returns which one
 * it is. Order: `tfjs-node-gpu`, `tfjs-node`, `wasm`, `cpu` in Node.js; `webgpu`, `webgl`, `wasm`, `cpu` in a browser.
 * Any load or initialisation error moves on to the next candidate. `BBP_BACKEND=<name>` forces one backend (an error
 * if it cannot load). When wasm is chosen its kernel gaps are patched ({@link installWasmKernels}).
 *
 * @example
 * ```ts
 * const { name } = await initBackend();            // e.g. 'wasm' on a machine without tfjs-node
 * await initBackend({ preference: 'cpu', log: false });
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const forced = envOverride();
  let order: BackendChoice[];
  if (forced !== undefined) {
    order = [normaliseChoice(forced, 'BBP_BACKEND')];
  } else if (options.preference === undefined) {
    order = [...(isBrowser() ? BROWSER_BACKEND_ORDER : NODE_BACKEND_ORDER)];
  } else {
    const pref = typeof options.preference === 'string' ? [options.preference] : [...options.preference];
    if (pref.length === 0) throw new InvalidArgumentError('initBackend', 'preference', 'must name at least one backend', pref);
    order = pref.map((p) => normaliseChoice(p, 'preference'));
  }
  const skipped: Array<{ backend: BackendChoice; error: string }> = [];
  for (const choice of order) {
    const listenersBefore = processListeners();
    try {
      const name = REGISTERED_NAME[choice];
      if (tf.findBackendFactory(name) === null || tf.findBackendFactory(name) === undefined) {
        const loader = options.loaders?.[choice] ?? (() => dynamicImport(PACKAGE[choice]));
        await loader();
      }
      if (choice === 'wasm' && (options.patchWasm ?? true)) {
        // The cpu backend supplies the reference kernels the wasm backend lacks; load it if it is installed.
        if (!tf.findBackendFactory('cpu')) await (options.loaders?.cpu ?? (() => dynamicImport(PACKAGE.cpu)))().catch(() => undefined);
      }
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      const patchedKernels = choice === 'wasm' && (options.patchWasm ?? true) ? installWasmKernels() : [];
      if (choice === 'wasm') removeRethrowingListeners(listenersBefore);
      const info: BackendInfo = { choice, name: tf.getBackend(), skipped, patchedKernels };
      report(options.log, info);
      return info;
    } catch (error) {
      skipped.push({ backend: choice, error: errorMessage(error) });
    }
  }
  const tried = skipped.map((s) => `${s.backend}: ${s.error}`).join('; ');
  throw new BackendUnavailableError(
    `initBackend: no TensorFlow.js backend could be loaded (tried ${tried}). ` +
      'Install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu (or @tensorflow/tfjs-node-gpu for CUDA).',
    skipped,
  );
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n')[0] ?? text;
  if (/Cannot find (package|module)|Failed to resolve|Could not resolve|ERR_MODULE_NOT_FOUND/.test(first)) return 'not installed';
  return first.length > 200 ? `${first.slice(0, 200)}…` : first;
}

function report(log: InitBackendOptions['log'], info: BackendInfo): void {
  if (log === false) return;
  const skipped = info.skipped.length > 0 ? ` (skipped ${info.skipped.map((s) => `${s.backend}: ${s.error}`).join(', ')})` : '';
  const message = `[beyond-backprop] TensorFlow.js backend: ${info.choice}${skipped}`;
  if (typeof log === 'function') log(message);
  else console.info(message);
}

type ProcessLike = {
  listeners?: (event: string) => Array<(...args: unknown[]) => void>;
  removeListener?: (event: string, fn: (...args: unknown[]) => void) => void;
};

function processListeners(): Record<string, Array<(...args: unknown[]) => void>> {
  const proc = (globalThis as { process?: ProcessLike }).process;
  if (!proc?.listeners) return {};
  return { uncaughtException: proc.listeners('uncaughtException'), unhandledRejection: proc.listeners('unhandledRejection') };
}

/**
 * The wasm backend's Emscripten module installs process handlers that only re-throw; Node then prints the whole
 * minified module source with every uncaught error. Dropping them restores ordinary error output.
 */
function removeRethrowingListeners(before: Record<string, Array<(...args: unknown[]) => void>>): void {
  const proc = (globalThis as { process?: ProcessLike }).process;
  if (!proc?.listeners || !proc.removeListener) return;
  for (const event of ['uncaughtException', 'unhandledRejection']) {
    for (const fn of proc.listeners(event)) if (!(before[event] ?? []).includes(fn)) proc.removeListener(event, fn);
  }
}
