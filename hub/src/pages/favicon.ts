import { createHash } from 'node:crypto';

/**
 * The hub's icon, the same blue tick as the kiosk's (kiosk/public/icon.svg), so a patron's tab, an
 * inspector's bookmark and the door's tablet show one mark. Linked from every server-rendered page
 * (pages/html.ts) by a URL carrying its hash, so browsers may keep it for a year.
 */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" rx="96" fill="#1d4ed8"/><path d="M140 270l80 80 160-180" fill="none" stroke="#fff" stroke-width="48" stroke-linecap="round" stroke-linejoin="round"/></svg>';

export const FAVICON_VERSION = createHash('sha256').update(FAVICON_SVG).digest('hex').slice(0, 12);

/** The URL pages link: `/favicon.svg?v=<hash>`. */
export const FAVICON_URL = `/favicon.svg?v=${FAVICON_VERSION}`;
