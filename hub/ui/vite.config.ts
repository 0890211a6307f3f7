import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The hub's own page scripts (issue 5): small, no framework, one file per
 * page, stable names (the hub adds a content hash to the URL). Phones on a
 * slow link load the page and one script.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2019',
    modulePreload: false,
    rollupOptions: {
      input: { patron: 'patron.ts', pass: 'pass.ts', dashboard: 'dashboard.ts' },
      output: { entryFileNames: '[name].js', chunkFileNames: '[name].js' },
    },
  },
});
