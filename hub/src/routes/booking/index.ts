import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KIOSK_NAMESPACE } from '../../../../shared/events.js';
import { slotCap } from '../../../../shared/rules/slots.js';
import { BookingCancelled, VenueBooking } from '../../../../shared/schemas/booking-admin.js';
import { AdminCancelRequest, BookingIssued, BookingRequest, BookingSettings } from '../../../../shared/schemas/booking.js';
import { Id, Uuid } from '../../../../shared/schemas/common.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { assertScope, requireAccount, venueInScope, venueParamInScope, venuePlace } from '../../auth.js';
import { HttpError } from '../../errors.js';
import type { HubKeys } from '../../keys.js';
import { adminCancelBooking, bookingContext, cancelBooking, issueBooking, overbookedSlots, venueSlots } from '../../services/bookings.js';
import { venueRoom } from '../../sockets/kiosks.js';
import type { Store } from '../../store/index.js';

const ErrorBody = z.object({ error: ApiError });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody, 429: ErrorBody } as const;
const BookingParams = z.object({ id: Uuid });
const VenueParams = z.object({ id: Id });

export interface BookingRouteOptions {
  store: Store;
  keys: HubKeys;
  now: () => number;
  /** The hub's public address (PUBLIC_URL): the booking link printed for patrons is built on it. */
  publicUrl?: string | undefined;
}

/**
 * Reservations (003 §13 限量、预约、错峰), API only (the pages are
 * routes/booking-pages): booking a slot, cancelling from the booking's own
 * page, and a venue's booking settings. No login for patrons: a booking is
 * reached and cancelled only through its random id, as a pass is. A venue's
 * kiosks get the slot counts ('slots:venue') after every booking and cancel,
 * and the venue profile ('venue:profile') after a settings change.
 */
export const bookingRoutes: FastifyPluginAsyncZod<BookingRouteOptions> = async (app, { store, keys, now, publicUrl }) => {
  const signedIn = requireAccount(store, now);
  // A venue's booking settings and cancelling a patron's booking are its street admin's acts alone.
  const admin = requireAccount(store, now, ['street_admin']);
  // Run after the role check, before the body is validated (docs/security.md "Order of checks"): another street's venue or booking is 403.
  const venueFirst = venueParamInScope(store);
  const bookingFirst = async (request: FastifyRequest) => {
    const booking = await store.bookings.get((request.params as { id: string }).id);
    if (booking) await venueInScope(store, request.account!, booking.venueId);
  };
  // As the enrolment link (routes/kiosks): the hub's public address when configured, else the one asked.
  const originOf = (request: FastifyRequest) => publicUrl ?? `${request.protocol}://${request.host}`;
  const kiosks = (venueId: string) => app.io.of(KIOSK_NAMESPACE).to(venueRoom(venueId));

  /** A push that fails must not fail the booking already committed: kiosks get the counts again on connect and after the next change. */
  async function pushSlots(venueId: string): Promise<void> {
    try {
      kiosks(venueId).emit('slots:venue', await venueSlots(store, venueId, now()));
    } catch (err) {
      app.log.error({ err, venueId }, 'could not push slots to the venue\'s kiosks');
    }
  }

  /**
   * The doors must hear of a cancel: the booking's signed QR stays valid
   * offline until its slot ends, so a door not told would still admit it.
   * Kiosks offline now get every cancelled id of slots not over on connect.
   */
  function pushCancelled(booking: { id: string; venueId: string; slotEnd: number }): void {
    kiosks(booking.venueId).emit('bookings:cancelled', { venueId: booking.venueId, bookings: [{ id: booking.id, slotEnd: booking.slotEnd }] });
  }

  async function view(venueId: string, at: number, origin: string): Promise<VenueBooking> {
    const ctx = await bookingContext(store, venueId);
    if (!ctx) throw new HttpError(404, 'not_found', `no venue "${venueId}"`, 'id');
    const saved = await store.bookings.savedSettings(venueId);
    // The policy's own cap: slotCap with no limit of the venue's.
    const policyCap = slotCap({ slotCap: Number.MAX_SAFE_INTEGER }, ctx.policy, ctx.venue);
    const over = await overbookedSlots(store, at, venueId);
    return {
      venueId,
      settings: saved.settings,
      saved: saved.updatedAt !== null,
      updatedAt: saved.updatedAt,
      updatedBy: saved.updatedBy,
      policyVersion: ctx.policy.version,
      policyCap,
      slotCap: ctx.cap,
      capped: saved.settings.slotCap > ctx.cap,
      overbooked: over.reduce((n, s) => n + s.bookings.length, 0),
      bookingPath: `/book/${encodeURIComponent(venueId)}`,
      bookingUrl: `${origin}/book/${encodeURIComponent(venueId)}`,
    };
  }

  app.post(
    '/api/bookings',
    {
      // Far below /api/passes (a pass is a scan at the door, a booking holds seats ahead): a script on
      // one address takes at most this many a minute; a number given is capped per venue and day
      // (services/bookings.ts MAX_BOOKINGS_PER_PHONE). Carrier NAT still lets real patrons through.
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      bodyLimit: 16_384,
      schema: { body: BookingRequest, response: { 201: BookingIssued, ...errors } },
    },
    async (request, reply) => {
      const booking = await issueBooking(store, keys, request.body, now());
      request.log.info(
        { bookingId: booking.id, venueId: booking.venueId, slotStart: booking.slotStart, people: booking.people, verdict: booking.verdict },
        'booking made',
      );
      await pushSlots(booking.venueId);
      return reply.code(201).send({ id: booking.id, url: `/booking/${booking.id}` });
    },
  );

  app.post(
    '/api/bookings/:id/cancel',
    {
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { params: BookingParams, response: { 200: BookingCancelled, ...errors } },
    },
    async (request) => {
      const booking = await cancelBooking(store, request.params.id, now());
      request.log.info({ bookingId: booking.id, venueId: booking.venueId, slotStart: booking.slotStart }, 'booking cancelled');
      pushCancelled(booking);
      await pushSlots(booking.venueId);
      return { id: booking.id, cancelledAt: booking.cancelledAt! };
    },
  );

  app.post(
    '/api/bookings/:id/admin-cancel',
    {
      onRequest: app.csrfProtection,
      preValidation: [admin, bookingFirst],
      schema: { params: BookingParams, body: AdminCancelRequest, response: { 200: BookingCancelled, ...errors } },
    },
    async (request) => {
      const at = now();
      const account = request.account!;
      const { booking, admitted, already } = await adminCancelBooking(store, request.params.id, at);
      if (!already) {
        // Audited before it is answered: a street admin's cancel of a patron's booking must leave a trace.
        await store.audit.record({
          at,
          accountId: account.id,
          accountName: account.name,
          action: 'booking_cancel',
          target: booking.id,
          detail: { venueId: booking.venueId, slotStart: booking.slotStart, slotEnd: booking.slotEnd, people: booking.people, admitted, reason: request.body.reason },
          where: await venuePlace(store, account, booking.venueId),
        });
        request.log.info({ bookingId: booking.id, venueId: booking.venueId, by: account.name }, 'booking cancelled by the street office');
      }
      pushCancelled(booking);
      await pushSlots(booking.venueId);
      return { id: booking.id, cancelledAt: booking.cancelledAt! };
    },
  );

  app.get(
    '/api/venues/:id/booking',
    { preValidation: [signedIn, venueFirst], schema: { params: VenueParams, response: { 200: VenueBooking, ...errors } } },
    async (request) => {
      const venue = await store.venues.get(request.params.id);
      if (!venue) throw new HttpError(404, 'not_found', `no venue "${request.params.id}"`, 'id');
      await assertScope(store, request.account!, venue.communityId);
      return view(venue.id, now(), originOf(request));
    },
  );

  app.post(
    '/api/venues/:id/booking',
    {
      onRequest: app.csrfProtection,
      preValidation: [admin, venueFirst],
      schema: { params: VenueParams, body: BookingSettings, response: { 200: VenueBooking, ...errors } },
    },
    async (request) => {
      const at = now();
      const venueId = request.params.id;
      if (!(await store.venues.get(venueId))) throw new HttpError(404, 'not_found', `no venue "${venueId}"`, 'id');
      await venueInScope(store, request.account!, venueId);
      const before = await store.bookings.savedSettings(venueId);
      const next = request.body;
      if (next.slotMinutes !== before.settings.slotMinutes) {
        // Booked slots are stored by their start and end; counting them against other slot edges would be wrong.
        const pending = await store.bookings.future(venueId, at);
        if (pending.length > 0) {
          throw new HttpError(
            409,
            'conflict',
            `${pending.length} bookings of slots not yet over use ${before.settings.slotMinutes}-minute slots; keep the length until they are over or cancelled`,
            'slotMinutes',
          );
        }
      }
      const account = request.account!;
      await store.bookings.saveSettings(venueId, next, account.name, at);
      const profile = await store.venues.profile(venueId);
      if (profile) kiosks(venueId).emit('venue:profile', profile);
      await pushSlots(venueId);
      const answer = await view(venueId, at, originOf(request));
      try {
        await store.audit.record({
          at,
          accountId: account.id,
          accountName: account.name,
          action: 'booking_settings',
          target: venueId,
          detail: { from: before.updatedAt === null ? null : before.settings, to: next, slotCap: answer.slotCap, policyCap: answer.policyCap },
          where: await venuePlace(store, account, venueId),
        });
      } catch (err) {
        // Saved and pushed already (as the policy desk does): a failed audit write is logged, not answered as a failure.
        request.log.error({ err, venueId }, 'could not audit a booking settings change');
      }
      return answer;
    },
  );
};
