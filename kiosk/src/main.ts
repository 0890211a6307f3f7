import { registerSW } from 'virtual:pwa-register';
import './kiosk-app.js';

// The service worker precaches the app shell so a reload works with no network.
registerSW({ immediate: true });

// Records wait in IndexedDB until the hub acks them: ask the browser not to evict them under storage pressure.
void navigator.storage?.persist?.();
