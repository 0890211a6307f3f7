import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * An inspector's browser over `app.inject`: a cookie jar, the CSRF token on
 * every state change, as the dashboard does it. No vitest import: e2e specs may use it.
 */
export function inspectorSession(app: FastifyInstance) {
  const cookies = new Map<string, string>();
  const take = (res: LightMyRequestResponse) => {
    for (const c of res.cookies) c.value === '' ? cookies.delete(c.name) : cookies.set(c.name, c.value);
    return res;
  };
  const jar = () => Object.fromEntries(cookies);
  const csrf = async () => (take(await app.inject({ url: '/api/auth/csrf', cookies: jar() })).json() as { token: string }).token;
  return {
    get: async (url: string) => take(await app.inject({ url, cookies: jar() })),
    async post(url: string, payload: unknown, withCsrf = true) {
      // The token first: fetching it sets the CSRF cookie the request must carry.
      const headers = withCsrf ? { 'x-csrf-token': await csrf() } : {};
      return take(await app.inject({ method: 'POST', url, cookies: jar(), headers, payload: payload as object }));
    },
    async login(name: string, password: string) {
      const res = await this.post('/api/auth/login', { name, password });
      if (res.statusCode !== 200) throw new Error(`login ${name}: ${res.statusCode} ${res.body}`);
      return res;
    },
    cookies: jar,
  };
}
