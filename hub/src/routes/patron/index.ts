import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { KIOSK_NAMESPACE } from '../../../../shared/events.js';
import { LANGS, type Lang } from '../../../../shared/labels.js';
import { passVerdict } from '../../../../shared/rules/pass-verdict.js';
import { parseVenueCode } from '../../../../shared/rules/venue-code.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { PassIssued, PassRequest } from '../../../../shared/schemas/pass.js';
import { Uuid } from '../../../../shared/schemas/common.js';
import { HttpError } from '../../errors.js';
import type { HubKeys } from '../../keys.js';
import { renderNotice, renderPassPage } from '../../pages/pass-page.js';
import { renderPatronPage } from '../../pages/patron-page.js';
import { renderPoster } from '../../pages/poster-page.js';
import { formTicket } from '../../services/form-ticket.js';
import { issuePass, resolveVenueCode } from '../../services/passes.js';
import type { Store } from '../../store/index.js';
import type { UiAssets } from './ui-assets.js';

const ErrorBody = z.object({ error: ApiError });
// An unknown language falls back to the default rather than failing the page.
const LangQuery = z.object({ lang: z.enum(LANGS as [Lang, ...Lang[]]).optional().catch(undefined) });
const TokenParams = z.object({ token: z.string().max(200) });
const PassParams = z.object({ id: Uuid });
const LANG_COOKIE = 'lang';
/** A random id the patron page gives a phone, so passes are limited per phone rather than per shared address. */
const DEVICE_COOKIE = 'vc_device';
const DeviceId = Uuid;
/** A door admits a party every ten seconds or so: a phone needs no more passes than that. */
export const PASSES_PER_DEVICE_MINUTE = 6;
/** Passes one address may ask for in a minute, whatever device cookies it sends. */
export const PASSES_PER_ADDRESS_MINUTE = 120;

export interface PatronRouteOptions {
  store: Store;
  keys: HubKeys;
  now: () => number;
  ui: UiAssets;
  publicUrl: string | undefined;
}

/**
 * The patron's side: the page a venue code opens, pass issuance,
 * the pass page, "I have left", and the printable poster. No login: a pass
 * is reached only through its random id.
 */
export const patronRoutes: FastifyPluginAsyncZod<PatronRouteOptions> = async (app, { store, keys, now, ui, publicUrl }) => {
  /** `?lang=` chooses and is remembered in a cookie; otherwise the cookie; otherwise Chinese. */
  function langOf(request: FastifyRequest, reply: FastifyReply, query: { lang?: Lang }): Lang {
    if (query.lang) {
      reply.setCookie(LANG_COOKIE, query.lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86_400 });
      return query.lang;
    }
    const saved = request.cookies[LANG_COOKIE];
    return saved === 'en' ? 'en' : 'zh-CN';
  }
  const sendHtml = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.get('/v/:token', { schema: { params: TokenParams, querystring: LangQuery } }, async (request, reply) => {
    const lang = langOf(request, reply, request.query);
    if (!DeviceId.safeParse(request.cookies[DEVICE_COOKIE]).success) {
      reply.setCookie(DEVICE_COOKIE, randomUUID(), { path: '/api/passes', sameSite: 'strict', httpOnly: true, maxAge: 365 * 86_400 });
    }
    const path = `/v/${encodeURIComponent(request.params.token)}`;
    const scanned = await resolveVenueCode(store, request.params.token, now());
    if (!scanned.ok) return sendHtml(reply, scanned.reason === 'expired' ? 410 : 404, renderNotice(lang, path, scanned.reason));
    const policy = await store.policies.activeForVenue(scanned.venue.id);
    const ticket = await formTicket(scanned.ticketSecret, request.params.token, now());
    return sendHtml(
      reply,
      200,
      renderPatronPage({ lang, path, venue: scanned.venue, entranceName: scanned.entranceName, policy, venueCode: request.params.token, ticket, script: ui.url('patron') }),
    );
  });

  // rate-limiter-flexible's in-memory limiter, as for bad kiosk tokens (sockets/refused-tokens.ts).
  const perDevice = new RateLimiterMemory({ points: PASSES_PER_DEVICE_MINUTE, duration: 60 });
  app.post(
    '/api/passes',
    {
      // Per address, whatever cookie is sent, and generous: many phones share one carrier address
      // (CGNAT) at a busy door. Dropping the device cookie escapes only the per-phone limit below.
      config: { rateLimit: { max: PASSES_PER_ADDRESS_MINUTE, timeWindow: '1 minute' } },
      // Per phone (its device cookie), on top: no faster than a door admits parties. Runs after
      // the per-address limit (its onRequest hook), before the body is read.
      preParsing: async (request, reply) => {
        const device = DeviceId.safeParse(request.cookies[DEVICE_COOKIE]);
        if (!device.success) return;
        try {
          await perDevice.consume(device.data);
        } catch (refused) {
          if (!(refused instanceof RateLimiterRes)) throw refused;
          void reply.header('retry-after', String(Math.ceil(refused.msBeforeNext / 1000)));
          throw new HttpError(429, 'rate_limited', `too many passes from this phone: try again in ${Math.ceil(refused.msBeforeNext / 1000)} s`);
        }
      },
      bodyLimit: 16_384,
      schema: { body: PassRequest, response: { 200: PassIssued, 201: PassIssued, 400: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody } },
    },
    async (request, reply) => {
      const { pass, made } = await issuePass(store, keys, request.body, now());
      if (made) request.log.info({ passId: pass.id, venueId: pass.venueId, source: pass.source, people: pass.people.length, verdict: pass.verdict }, 'pass issued');
      // 200: this form had made its pass already, and this is it.
      return reply.code(made ? 201 : 200).send({ id: pass.id, url: `/pass/${pass.id}` });
    },
  );

  app.get('/pass/:id', { schema: { querystring: LangQuery } }, async (request, reply) => {
    const lang = langOf(request, reply, request.query);
    const params = PassParams.safeParse(request.params);
    const id = params.success ? params.data.id : '';
    const path = `/pass/${encodeURIComponent(id)}`;
    const pass = params.success ? await store.passes.get(id) : undefined;
    const venue = pass && (await store.venues.profile(pass.venueId));
    const entrance = pass && (await store.venues.entrance(pass.entranceId));
    if (!pass || !venue || !entrance) return sendHtml(reply, 404, renderNotice(lang, path, 'passMissing'));
    const policy = await store.policies.activeForVenue(pass.venueId);
    // The answer as it stands now: the policy may have switched since the pass was issued.
    const judged = passVerdict(policy, venue, pass.people, now());
    return sendHtml(
      reply,
      200,
      await renderPassPage({
        lang,
        path,
        pass,
        venueName: venue.name,
        entranceName: entrance.name,
        utcOffsetMinutes: venue.utcOffsetMinutes,
        verdict: judged.verdict,
        people: judged.people,
        script: ui.url('pass'),
        now: now(),
      }),
    );
  });

  app.post(
    '/api/passes/:id/left',
    {
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { params: PassParams, response: { 200: z.object({ leftAt: z.int() }), 404: ErrorBody } },
    },
    async (request) => {
      const recorded = await store.passes.markLeft(request.params.id, now());
      if (recorded) {
        // Live to the venue's kiosks; a kiosk offline now catches up when it reconnects (sockets/kiosks.ts).
        app.io
          .of(KIOSK_NAMESPACE)
          .to(`venue:${recorded.venueId}`)
          .emit('pass:left', { id: recorded.id, code: recorded.code, minute: recorded.codeMinute, people: recorded.people.length, at: recorded.leftAt! });
        return { leftAt: recorded.leftAt! };
      }
      const pass = await store.passes.get(request.params.id);
      if (!pass || pass.leftAt === null) throw new HttpError(404, 'not_found', 'no such pass', 'id');
      return { leftAt: pass.leftAt };
    },
  );

  // The poster token is the capability: kiosks compute it from their venue's secret (a kiosk's
  // "print poster" link), so a poster can be printed for an entrance only by someone who has one.
  app.get('/posters/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    const code = parseVenueCode(request.params.token);
    const scanned = code?.kind === 'poster' ? await resolveVenueCode(store, request.params.token, now()) : undefined;
    if (!scanned?.ok) return sendHtml(reply, 404, renderNotice('zh-CN', request.url, 'invalid'));
    // PUBLIC_URL when set; otherwise the address this request came to (behind a proxy, with TRUST_PROXY).
    const origin = publicUrl ?? `${request.protocol}://${request.host}`;
    return sendHtml(
      reply,
      200,
      await renderPoster({ venueName: scanned.venue.name, entranceName: scanned.entranceName, url: `${origin}/v/${request.params.token}` }),
    );
  });
};
