import { registerSW } from 'virtual:pwa-register';
import './kiosk-app.js';

// The service worker precaches the app shell so a reload works with no network.
registerSW({ immediate: true });
