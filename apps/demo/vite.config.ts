/**
 * Builds the playground as a static site with relative URLs (it is served from the docs site's `demo/` folder and
 * from the tests' loopback server). Workspace packages resolve to their TypeScript sources, so no prior build is
 * needed; the wasm backend's `.wasm` files are bundled as assets (same origin, never a CDN).
 */
import { defineConfig } from 'vite';

const conditions = ['@beyond-backprop/source', 'browser', 'module', 'import', 'default'];

export default defineConfig({
  base: './',
  resolve: { conditions },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    reportCompressedSize: false,
  },
});
