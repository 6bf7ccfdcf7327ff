/**
 * Which TensorFlow.js backend the data-parallel replicas load: the panel's resolved backend first, then the ones after
 * it in the browser order (as `backend=auto` falls back in the training worker). The order travels in each replica
 * worker's name (`replica-0 [cpu]`, shown by the developer tools too); each replica reports what it loaded with one
 * message beside its link's frames, which the link ignores.
 */
import { BROWSER_BACKEND_ORDER, type BackendChoice } from '@beyond-backprop/core-linalg';

/** What replicas loaded before the backend followed the panel's (and still do for a name without a list). */
const DEFAULT_REPLICA_ORDER: readonly BackendChoice[] = ['wasm', 'cpu'];

/** The replica's report of the backend it loaded (`t` is no frame type of the link, so `PortLink` skips it). */
export interface ReplicaBackendMessage {
  t: 'bbp-replica-backend';
  backend: string;
  /** Backends it tried first and why they failed. */
  skipped: string[];
}

/** `resolved` and the browser backends after it: `webgl` → webgl, wasm, cpu; `cpu` → cpu. */
export function replicaBackendOrder(resolved: string): BackendChoice[] {
  const at = BROWSER_BACKEND_ORDER.indexOf(resolved as BackendChoice);
  return at < 0 ? [...DEFAULT_REPLICA_ORDER] : BROWSER_BACKEND_ORDER.slice(at);
}

/** The worker name of replica `rank` loading `order`: `replica-1 [wasm,cpu]`. */
export function replicaWorkerName(rank: number, order: readonly BackendChoice[]): string {
  return `replica-${rank} [${order.join(',')}]`;
}

/** The backend order a replica worker's name carries ({@link replicaWorkerName}); wasm, cpu without a valid list. */
export function replicaOrderFromName(name: string): BackendChoice[] {
  const list = /\[([a-z,-]+)\]$/.exec(name)?.[1]?.split(',') ?? [];
  const known = list.filter((b): b is BackendChoice => (BROWSER_BACKEND_ORDER as readonly string[]).includes(b));
  return known.length > 0 && known.length === list.length ? known : [...DEFAULT_REPLICA_ORDER];
}

export function isReplicaBackendMessage(data: unknown): data is ReplicaBackendMessage {
  return typeof data === 'object' && data !== null && (data as { t?: unknown }).t === 'bbp-replica-backend';
}

/** The distinct backends the replicas reported, in rank order: `cpu`, or `webgl,wasm` when some fell back. */
export function summariseReplicaBackends(used: ReadonlyArray<string | undefined>): string {
  return [...new Set(used.filter((b): b is string => b !== undefined))].join(',');
}
