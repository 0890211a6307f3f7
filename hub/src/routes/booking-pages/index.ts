import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LANGS, type Lang } from '../../../../shared/labels.js';
import { dayKey, dayStart } from '../../../../shared/rules/flags/window.js';
import { passVerdict } from '../../../../shared/rules/pass-verdict.js';
import { bookableUntil } from '../../../../shared/rules/slots.js';
import { Id, Uuid } from '../../../../shared/schemas/common.js';
import { DayQuery } from '../../../../shared/schemas/dashboard.js';
import { NORMAL_POLICY } from '../../../../shared/schemas/policy.js';
import { renderBookingNotice, renderBookingPage } from '../../pages/booking-page.js';
import { renderBookingPassPage } from '../../pages/booking-pass-page.js';
import { bookingTicket, slotsForDay } from '../../services/bookings.js';
import type { Store } from '../../store/index.js';
import type { UiAssets } from '../patron/ui-assets.js';

const DAY_MS = 86_400_000;
// Anything a patron's link may carry that is not understood falls back (today, Chinese) rather than failing the page.
const BookQuery = z.object({
  lang: z.enum(LANGS as [Lang, ...Lang[]]).optional().catch(undefined),
  date: DayQuery.shape.date.optional().catch(undefined),
});
const LangQuery = BookQuery.pick({ lang: true });
const VenueParams = z.object({ venueId: Id });
const BookingParams = z.object({ id: Uuid });
const LANG_COOKIE = 'lang';

export interface BookingPageRouteOptions {
  store: Store;
  now: () => number;
  ui: UiAssets;
}

/**
 * The patron's booking pages (003 §13 限量、预约、错峰): the venue's
 * shareable booking link and a booking's own page. No login, like the pass:
 * a booking is reached only through its random id. The API they post to is
 * routes/booking.
 */
export const bookingPageRoutes: FastifyPluginAsyncZod<BookingPageRouteOptions> = async (app, { store, now, ui }) => {
  /** `?lang=` chooses and is remembered in the same cookie as the patron page; otherwise the cookie; otherwise Chinese. */
  function langOf(request: FastifyRequest, reply: FastifyReply, lang: Lang | undefined): Lang {
    if (lang) {
      reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86_400 });
      return lang;
    }
    return request.cookies[LANG_COOKIE] === 'en' ? 'en' : 'zh-CN';
  }
  const sendHtml = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.get('/book/:venueId', { schema: { querystring: BookQuery } }, async (request, reply) => {
    const lang = langOf(request, reply, request.query.lang);
    // Checked here rather than by the schema: a mistyped link gets the page saying so, not a JSON error.
    const params = VenueParams.safeParse(request.params);
    const venue = params.success ? await store.venues.profile(params.data.venueId) : undefined;
    const path = `/book/${encodeURIComponent(params.success ? params.data.venueId : '')}`;
    if (!venue) return sendHtml(reply, 404, renderBookingNotice(lang, path, 'venueMissing'));
    const settings = await store.bookings.settings(venue.id);
    if (settings.mode === 'off') return sendHtml(reply, 200, renderBookingNotice(lang, path, 'bookOff', venue.name));
    const at = now();
    const offset = venue.utcOffsetMinutes;
    const today = dayStart(at, offset);
    const days = Array.from({ length: settings.daysAhead + 1 }, (_, i) => ({ start: today + i * DAY_MS }));
    const asked = request.query.date;
    const day = days.find((d) => dayKey(d.start, offset) === asked)?.start ?? today;
    const policy = await store.policies.activeForVenue(venue.id);
    // Only slots still bookable (rules/slots.ts bookableUntil, which services/bookings.ts enforces).
    const slots = (await slotsForDay(store, venue.id, day, at)).filter((s) => at <= bookableUntil(s, policy.bookingGraceMinutes));
    return sendHtml(
      reply,
      200,
      renderBookingPage({
        lang,
        path,
        venue,
        policy,
        settings,
        days,
        day,
        slots,
        ticket: await bookingTicket(store, venue.id, at),
        script: ui.url('booking'),
      }),
    );
  });

  app.get('/booking/:id', { schema: { querystring: LangQuery } }, async (request, reply) => {
    const lang = langOf(request, reply, request.query.lang);
    const params = BookingParams.safeParse(request.params);
    const path = `/booking/${encodeURIComponent(params.success ? params.data.id : '')}`;
    const booking = params.success ? await store.bookings.get(params.data.id) : undefined;
    const venue = booking && (await store.venues.profile(booking.venueId));
    if (!booking || !venue) return sendHtml(reply, 404, renderBookingNotice(lang, path, 'bookingMissing'));
    const at = now();
    const policy = await store.policies.activeForVenue(venue.id);
    // The answer the door will give at the slot (its opening hours, not the hour the page is read),
    // under the policy in force now (it may have switched since booking): judged as the booking
    // itself was (services/bookings.ts), at the slot's start or now if that has passed.
    const judged = passVerdict(policy, venue, booking.party, Math.max(at, booking.slotStart));
    const promised = booking.policyVersion === NORMAL_POLICY.version
      ? NORMAL_POLICY.contactRetentionDays
      : ((await store.policies.version(booking.policyVersion))?.policy.contactRetentionDays ?? policy.contactRetentionDays);
    return sendHtml(
      reply,
      200,
      await renderBookingPassPage({
        lang,
        path,
        booking: {
          id: booking.id,
          code: booking.code,
          signed: booking.signed,
          slotStart: booking.slotStart,
          slotEnd: booking.slotEnd,
          people: booking.party,
          hasContact: booking.contact !== null,
          cancelledAt: booking.cancelledAt,
          cancelledBy: booking.cancelledBy,
        },
        venueName: venue.name,
        utcOffsetMinutes: venue.utcOffsetMinutes,
        // The door judges a booking's time by the slot under the policy it has now (kiosk/src/pass-check.ts),
        // not by the grace signed into the QR: the page says what the door will do.
        graceMinutes: policy.bookingGraceMinutes,
        // What store.passes.purgeContacts applies: the period in force now, never longer than the one promised at booking.
        contactRetentionDays: Math.min(policy.contactRetentionDays, promised),
        verdict: judged.verdict,
        people: judged.people,
        script: ui.url('booking'),
        now: at,
      }),
    );
  });
};
