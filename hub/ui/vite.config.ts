import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The hub's own page scripts: small, no framework, one file per
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
      input: { patron: 'patron.ts', pass: 'pass.ts', booking: 'booking.ts', dashboard: 'dashboard.ts' },
      // A chunk two pages share (the declaration form) carries its hash in its name: the hub's
      // ?v= hash covers only the entry file, so a changed chunk must change the entry's import.
      output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
});
