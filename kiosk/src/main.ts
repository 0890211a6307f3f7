import { registerSW } from 'virtual:pwa-register';
import './kiosk-app.js';
import './components/pass-scanner.js'; // until the entrance screen imports it (issue 5)

// The service worker precaches the app shell so a reload works with no network.
registerSW({ immediate: true });

// Records wait in IndexedDB until the hub acks them: ask the browser not to evict them under storage pressure.
void navigator.storage?.persist?.();
