import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const hub = process.env.HUB_URL ?? 'http://127.0.0.1:8080';

/**
 * The app version each kiosk reports to the hub: the package version
 * and the build time in UTC to the minute, e.g. `0.1.0+20250611.0930`. Two
 * builds of one version differ, and no git is needed to build.
 */
const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
const builtAt = new Date().toISOString().replace(/[-:]/g, '').replace('T', '.').slice(0, 13);
const appVersion = `${pkg.version}+${builtAt}`;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/kiosk/',
  define: { __KIOSK_APP_VERSION__: JSON.stringify(appVersion) },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    // `npm run dev` serves the kiosk with hot reload against a hub started by `npm start`.
    proxy: { '/api': hub, '/socket.io': { target: hub, ws: true } },
  },
  plugins: [
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: {
        name: '场所入口核验 Venue entrance check',
        short_name: '入口核验',
        lang: 'zh-CN',
        start_url: '/kiosk/',
        scope: '/kiosk/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#f5f7fa',
        theme_color: '#1d4ed8',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // Everything the kiosk needs offline is precached; no runtime fetch of code. `wasm` is the
        // pass scanner's QR decoder (zxing_reader.wasm, ~1.1 MB, under workbox's 2 MiB default limit).
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        navigateFallback: '/kiosk/index.html',
        navigateFallbackAllowlist: [/^\/kiosk\//],
        cleanupOutdatedCaches: true,
        // Take over the open page at once: a kiosk is opened once and then left running.
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
});
