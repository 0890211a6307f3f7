/**
 * The kiosk app's build, reported to the hub in every status so the
 * street office sees which tablets run an old app. Vite's `define` fills it in
 * at build time (kiosk/vite.config.ts); unbuilt (unit tests) it says so.
 */
declare const __KIOSK_APP_VERSION__: string | undefined;

export const APP_VERSION: string = typeof __KIOSK_APP_VERSION__ === 'string' ? __KIOSK_APP_VERSION__ : '0.0.0-dev';
