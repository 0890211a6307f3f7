import { test } from 'vitest';
import { connectKiosk, startTestHub, type KioskClient, type TestHub } from './hub.js';

// Kept apart from hub.ts, which the Playwright specs import too: vitest's `test` must not load there.
/**
 * A vitest test with its own real hub and a connected kiosk socket, closed
 * after the test: `hubTest('…', async ({ hub, socket }) => …)`.
 */
export const hubTest = test.extend<{ hub: TestHub; socket: KioskClient }>({
  // eslint-disable-next-line no-empty-pattern
  hub: async ({}, use) => {
    const hub = await startTestHub();
    await use(hub);
    await hub.close();
  },
  socket: async ({ hub }, use) => {
    const socket = await connectKiosk(hub.url, hub.token);
    await use(socket);
    socket.close();
  },
});

