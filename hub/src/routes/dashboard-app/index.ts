import type { FastifyPluginAsync } from 'fastify';
import { html, page } from '../../pages/html.js';
import type { UiAssets } from '../patron/ui-assets.js';

/**
 * The inspectors' dashboard shell: one page at /dashboard/, the Lit
 * app (hub/ui/dashboard) does the rest through the API, which checks every
 * request on its own. The shell holds no data.
 */
export const dashboardAppRoutes: FastifyPluginAsync<{ ui: UiAssets }> = async (app, { ui }) => {
  const shell = () => {
    const script = ui.url('dashboard');
    return page({
      lang: 'zh-CN',
      title: '场所核验督查 · Inspectors',
      css: 'body{margin:0;font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;background:#f5f7fa;color:#1f2933}',
      body: script ? html`<inspector-dashboard></inspector-dashboard>` : html`<p>The dashboard is not built on this hub: run <code>npm run build</code>.</p>`,
      scripts: script ? [script] : [],
    });
  };
  const send = (reply: import('fastify').FastifyReply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(shell());
  app.get('/dashboard', async (_request, reply) => reply.redirect('/dashboard/'));
  app.get('/dashboard/', async (_request, reply) => send(reply));
  app.get('/dashboard/*', async (_request, reply) => send(reply));
};
