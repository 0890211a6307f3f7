/**
 * Routes live in location.hash so the hub serves one page for all of them:
 * `#/`, `#/venue/<id>?date=…&flag=…`, `#/venue/<id>/inspect` (the on-site checklist), `#/flags?flag=…`,
 * `#/ranking?date=…`, `#/reports?week=…`, `#/joint`, `#/audit`, and the street
 * admin's screens: `#/registry?venue=…`, `#/kiosks?venue=…`, `#/policy`, `#/tracing`; and
 * `#/account` (one's password, a street admin's second factor and the street's security setting);
 * for district and city admins `#/` is the oversight of their streets and `#/streets-report?week=…`
 * the weekly report rolled up from the streets'.
 */
export type Route =
  | { name: 'street' }
  | { name: 'venue'; id: string; date: string | undefined; flag: number | undefined }
  | { name: 'inspect'; id: string }
  | { name: 'flags'; flag: number | undefined; all: boolean }
  | { name: 'ranking'; date: string | undefined }
  | { name: 'reports'; week: string | undefined }
  | { name: 'streets-report'; week: string | undefined }
  | { name: 'joint' }
  | { name: 'audit' }
  | { name: 'registry'; venue: string | undefined }
  | { name: 'kiosks'; venue: string | undefined }
  | { name: 'policy' }
  | { name: 'tracing' }
  | { name: 'account' };

/** Screens only the street admin has; the hub refuses their API to anyone else as well. */
export const ADMIN_ROUTES: readonly Route['name'][] = ['audit', 'registry', 'kiosks', 'policy', 'tracing'];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const WEEK = /^\d{4}-W\d{2}$/;

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const q = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const date = q.get('date');
  const flag = Number(q.get('flag'));
  const flagId = Number.isInteger(flag) && flag > 0 ? flag : undefined;
  switch (parts[0]) {
    case 'venue':
      if (parts[1] && parts[2] === 'inspect') return { name: 'inspect', id: parts[1] };
      return parts[1] ? { name: 'venue', id: parts[1], date: date && DATE.test(date) ? date : undefined, flag: flagId } : { name: 'street' };
    case 'flags':
      return { name: 'flags', flag: flagId, all: q.get('all') === '1' };
    case 'ranking':
      return { name: 'ranking', date: date && DATE.test(date) ? date : undefined };
    case 'reports':
    case 'streets-report': {
      const week = q.get('week');
      return { name: parts[0], week: week && WEEK.test(week) ? week : undefined };
    }
    case 'joint':
      return { name: 'joint' };
    case 'audit':
      return { name: 'audit' };
    case 'registry':
    case 'kiosks':
      return { name: parts[0], venue: q.get('venue') || undefined };
    case 'policy':
      return { name: 'policy' };
    case 'tracing':
      return { name: 'tracing' };
    case 'account':
      return { name: 'account' };
    default:
      return { name: 'street' };
  }
}

function qs(q: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function venueHref(id: string, q: { date?: string; flag?: number } = {}): string {
  return `#/venue/${encodeURIComponent(id)}${qs(q)}`;
}

/** The on-site inspection's checklist for a venue, on the inspector's phone. */
export function inspectHref(id: string): string {
  return `#/venue/${encodeURIComponent(id)}/inspect`;
}

export function flagsHref(q: { flag?: number; all?: boolean } = {}): string {
  return `#/flags${qs({ flag: q.flag, all: q.all ? 1 : undefined })}`;
}

export function routeHref(name: 'street' | 'ranking' | 'reports' | 'streets-report' | 'joint' | 'audit' | 'registry' | 'kiosks' | 'policy' | 'tracing' | 'account', q: Record<string, string | undefined> = {}): string {
  return name === 'street' ? '#/' : `#/${name}${qs(q)}`;
}

/** Replaces the query of the current route without adding a history entry per keystroke. */
export function replaceHash(hash: string): void {
  if (location.hash !== hash) history.replaceState(null, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
