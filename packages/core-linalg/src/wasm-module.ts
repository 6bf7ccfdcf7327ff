/**
 * Small hand-written WebAssembly kernels (a matrix product, a fused optimiser update) run on the tfjs wasm backend's
 * own memory: they import it, so tensors are read and written where they lie, by byte offset.
 */

const instances = new WeakMap<WebAssembly.Memory, Map<string, WebAssembly.Exports | null>>();

/** The wasm backend's `WebAssembly.Memory`, or `null` for any other backend. */
function backendMemory(backend: unknown): WebAssembly.Memory | null {
  const module = (backend as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } } | null)?.wasm;
  const memory = module?.wasmMemory ?? module?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/**
 * The exports of a module (given as base64 bytes, importing `env.memory`) instantiated on the wasm backend's memory,
 * or `null` where that cannot be done: another backend, or a runtime without the features the module uses (wasm
 * SIMD). Instantiated once per memory and module, so callers may ask on every kernel call.
 *
 * @example
 * ```ts
 * const gemm = wasmExportsOnBackend(tf.backend(), GEMM_WASM)?.gemm as ((...args: number[]) => void) | undefined;
 * ```
 */
export function wasmExportsOnBackend(backend: unknown, moduleBase64: string): WebAssembly.Exports | null {
  const memory = backendMemory(backend);
  if (!memory) return null;
  let byModule = instances.get(memory);
  if (!byModule) {
    byModule = new Map();
    instances.set(memory, byModule);
  }
  let exports = byModule.get(moduleBase64);
  if (exports === undefined) {
    try {
      const bytes = Uint8Array.from(atob(moduleBase64), (c) => c.charCodeAt(0));
      exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
    } catch {
      exports = null;
    }
    byModule.set(moduleBase64, exports);
  }
  return exports;
}
