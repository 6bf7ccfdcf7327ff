/**
 * One data-parallel replica in its own dedicated Web Worker (started by the training worker, see
 * `data-parallel-method.ts`): its own TensorFlow.js instance on the backend order its name carries (the panel's resolved
 * backend first, see `replica-backend.ts`), reported back to the training worker, the compression package's codecs
 * linked into the bundle, then `serveReplica` of `@beyond-backprop/cluster` until the coordinator ends the run.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { serveReplica, type DomStylePort } from '@beyond-backprop/cluster';
import * as compression from '@beyond-backprop/compression';
import { initBackend } from '@beyond-backprop/core-linalg';
import { replicaOrderFromName, type ReplicaBackendMessage } from './replica-backend.js';
import { loadWebGpu } from './webgpu-loader.js';

/** The worker's global scope (typed by hand: the DOM and WebWorker libraries cannot share one program). */
const scope = self as unknown as DomStylePort & { name: string; postMessage(message: ReplicaBackendMessage): void };

// The .wasm files are bundled assets of this app, so they load from its own origin, never from a CDN.
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlainUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl });

// No await before this call: the link must listen before the coordinator's first message arrives.
await serveReplica(scope, {
  codecModule: compression,
  prepare: async () => {
    const info = await initBackend({
      preference: replicaOrderFromName(scope.name),
      log: false,
      loaders: { webgpu: loadWebGpu, webgl: async () => undefined, wasm: async () => undefined, cpu: async () => undefined },
    });
    // Sent before the replica's 'ready', so the coordinator knows every replica's backend before the first epoch.
    scope.postMessage({ t: 'bbp-replica-backend', backend: info.choice, skipped: info.skipped.map((s) => `${s.backend}: ${s.error}`) });
  },
});
