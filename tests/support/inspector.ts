import type { FastifyInstance } from 'fastify';

/** What the tests read of an answer, the same over inject and over HTTP. */
export interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, string>;
  /** Parsed JSON; each test states (with expect) the shape it relies on. */
  json(): any;
}

/**
 * An inspector's browser: a cookie jar, and the CSRF token on every state
 * change, as the dashboard does it. Against a running hub (its base URL, real
 * HTTP on 127.0.0.1) or an app built in the process (`app.inject`). No vitest
 * import: e2e specs may use it. `headers` go with every request (an X-Forwarded-For, to stand for
 * a browser at another address behind the hub's trusted proxy).
 */
export function inspectorSession(target: FastifyInstance | string, headers: Record<string, string> = {}) {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (setCookies: string[]) => {
    for (const c of setCookies) {
      const [pair, ...attrs] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (value === '' || expired) cookies.delete(name!.trim());
      else cookies.set(name!.trim(), value);
    }
  };

  async function send(method: 'GET' | 'POST', url: string, own: Record<string, string>, payload?: unknown): Promise<Answer> {
    const cookie = cookieHeader();
    const allHeaders = { ...headers, ...own, ...(cookie ? { cookie } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) };
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    if (typeof target === 'string') {
      const res = await fetch(`${target}${url}`, { method, headers: allHeaders, body });
      remember(res.headers.getSetCookie());
      const text = await res.text();
      return { statusCode: res.status, body: text, headers: Object.fromEntries(res.headers), json: () => JSON.parse(text) };
    }
    const res = await target.inject({ method, url, headers: allHeaders, ...(body !== undefined ? { payload: body } : {}) });
    const set = res.headers['set-cookie'];
    remember(set === undefined ? [] : Array.isArray(set) ? set : [set]);
    return { statusCode: res.statusCode, body: res.body, headers: res.headers as Record<string, string>, json: () => res.json() };
  }

  const csrf = async () => (await send('GET', '/api/auth/csrf', {})).json().token as string;
  return {
    get: (url: string) => send('GET', url, {}),
    async post(url: string, payload: unknown, withCsrf = true) {
      // The token first: fetching it sets the CSRF cookie the request must carry.
      const headers: Record<string, string> = withCsrf ? { 'x-csrf-token': await csrf() } : {};
      return send('POST', url, headers, payload);
    },
    async login(name: string, password: string) {
      const res = await this.post('/api/auth/login', { name, password });
      if (res.statusCode !== 200) throw new Error(`login ${name}: ${res.statusCode} ${res.body}`);
      return res;
    },
    cookies: () => Object.fromEntries(cookies),
  };
}
