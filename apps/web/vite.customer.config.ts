import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './precompress.js';

/**
 * The customer's pages (`/j/{token}`, `/support`, `/qs/{slug}`) as a build of their own: customer.html,
 * with React replaced by Preact's `preact/compat`, which is some 56 KB gzip smaller
 * (docs/adr/0004-preact-for-customer-pages.md). vite.config.ts builds index.html (the staff app, on
 * React) first; this build adds to the same dist without emptying it (asset names carry content hashes).
 */
const shim = fileURLToPath(new URL('./src/preact/react.js', import.meta.url));

export default defineConfig({
  plugins: [react(), precompress()],
  resolve: {
    // Exact names only: `react/jsx-runtime` must not become `<shim>/jsx-runtime`.
    alias: [
      { find: /^react$/, replacement: shim },
      { find: /^react\/jsx-runtime$/, replacement: 'preact/compat/jsx-runtime' },
      { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/compat/jsx-dev-runtime' },
      { find: /^react-dom$/, replacement: 'preact/compat' },
      { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    rolldownOptions: { input: fileURLToPath(new URL('./customer.html', import.meta.url)) },
  },
});
