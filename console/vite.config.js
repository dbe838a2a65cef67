import { defineConfig } from 'vite';

// Preact's automatic JSX runtime through Vite's own transformer: no plugin.
// The build lands wherever the C++ build asks (--outDir); the assets are
// embedded in the binary, so nothing may be fetched from elsewhere.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    // Vite's inline modulepreload polyfill would need 'unsafe-inline' in the CSP.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev`: the API of an `agentbase serve` on its default port.
    proxy: {
      '/rest': 'http://127.0.0.1:54321',
      '/auth': 'http://127.0.0.1:54321',
      '/realtime': { target: 'ws://127.0.0.1:54321', ws: true },
    },
  },
});
