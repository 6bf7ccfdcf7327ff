/**
 * One data-parallel replica in its own dedicated Web Worker (started by the training worker, see
 * `data-parallel-method.ts`): its own TensorFlow.js instance on wasm (cpu as the fallback), the compression package's
 * codecs linked into the bundle, then `serveReplica` of `@beyond-backprop/cluster` until the coordinator ends the run.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { serveReplica, type DomStylePort } from '@beyond-backprop/cluster';
import * as compression from '@beyond-backprop/compression';
import { initBackend } from '@beyond-backprop/core-linalg';

// The .wasm files are bundled assets of this app, so they load from its own origin, never from a CDN.
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlainUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl });

// No await before this call: the link must listen before the coordinator's first message arrives.
await serveReplica(self as unknown as DomStylePort, {
  codecModule: compression,
  prepare: () => initBackend({ preference: ['wasm', 'cpu'], log: false, loaders: { wasm: async () => undefined, cpu: async () => undefined } }),
});
