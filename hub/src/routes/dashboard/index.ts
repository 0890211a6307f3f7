import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SlotView } from '../../../../shared/schemas/booking.js';
import { OverbookedReport } from '../../../../shared/schemas/booking-report.js';
import { Id } from '../../../../shared/schemas/common.js';
import { DayQuery, RecordsPage, RecordsQuery, StreetTrends, WeekQuery } from '../../../../shared/schemas/dashboard.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { LANGS } from '../../../../shared/labels.js';
import { Flag as FlagSchema, FlagAction, FlagStatus } from '../../../../shared/schemas/flags.js';
import { ADMIN_ROLES, STREET_ROLES } from '../../../../shared/schemas/account.js';
import { accountPlace, assertScope, requireAccount, scopeOf, streetsCovered, venueInScope, venueParamInScope, venuePlace } from '../../auth.js';
import { NORMAL_POLICY } from '../../../../shared/schemas/policy.js';
import type { AuditPlace } from '../../store/audit.js';
import { WHOLE_CITY } from '../../store/scope.js';
import { HttpError } from '../../errors.js';
import { bookingContext, overbookedSlots, slotsForDay } from '../../services/bookings.js';
import { weeklyReportCsv } from '../../services/report-csv.js';
import { FlagTransitionError } from '../../store/flags.js';
import type { Store } from '../../store/index.js';
import type { Flag } from '../../../../shared/schemas/flags.js';

const VenueParams = z.object({ id: Id });
const FlagParams = z.object({ id: z.coerce.number().int().min(1) });
const FlagsQuery = z.strictObject({
  status: z
    .string()
    .max(200)
    .transform((s) => s.split(','))
    .pipe(z.array(FlagStatus))
    .optional(),
  venueId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const LedgerQuery = z.strictObject({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) });
const AuditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(200), before: z.coerce.number().int().min(1).optional() });
const ErrorBody = z.object({ error: ApiError });
/** The CSV's column heads follow the dashboard's language (Chinese unless asked otherwise). */
const WeeklyCsvQuery = WeekQuery.extend({ lang: z.enum(LANGS).default('zh-CN') });

export interface DashboardRouteOptions {
  store: Store;
  now: () => number;
  /** Tells connected dashboards a flag changed (sockets/dashboards.ts). */
  pushFlags: (flags: Flag[]) => Promise<void>;
}

/**
 * The inspectors' API. Every route needs a session; every venue,
 * flag and report is cut to the account's community on the server; state
 * changes need the CSRF token; views of a venue's log, flag actions and
 * exports are audit-logged.
 */
export const dashboardRoutes: FastifyPluginAsyncZod<DashboardRouteOptions> = async (app, { store, now, pushFlags }) => {
  const signedIn = requireAccount(store, now);
  // Acting on a flag is the street's own act (its admin and inspectors); admins above a street read it.
  const streetStaff = requireAccount(store, now, STREET_ROLES);
  const audit = (account: { id: string; name: string }, where: AuditPlace, action: string, target: string | null, detail: Record<string, unknown> = {}) =>
    store.audit.record({ at: now(), accountId: account.id, accountName: account.name, action, target, detail, where });

  /**
   * Route hooks run after `signedIn`, before the query or body is validated (docs/security.md
   * "Order of checks"): a venue or flag of another community is 403 whatever was sent with it. An
   * id that names nothing is left to the handler's 404.
   */
  const venueInScopeFirst = venueParamInScope(store);
  const flagParamInScope = async (request: FastifyRequest) => {
    const id = Number((request.params as { id?: unknown }).id);
    const flag = Number.isSafeInteger(id) ? await store.flags.get(id) : undefined;
    if (flag) await assertScope(store, request.account!, flag.communityId);
  };

  app.get('/api/street', { preValidation: signedIn }, async (request) => store.dashboard.overview(scopeOf(request.account!), now()));

  app.get('/api/street/trends', { preValidation: signedIn, schema: { response: { 200: StreetTrends } } }, async (request) =>
    store.dashboard.trends(scopeOf(request.account!), now()),
  );

  app.get('/api/venues/:id', { preValidation: [signedIn, venueInScopeFirst], schema: { params: VenueParams } }, async (request) => {
    const account = request.account!;
    const communityId = await venueInScope(store, account, request.params.id);
    const [profile, overview] = await Promise.all([store.venues.profile(request.params.id), store.dashboard.overview({ ...WHOLE_CITY, communityId }, now())]);
    if (!profile) throw new HttpError(404, 'not_found', 'no such venue', 'id');
    const summary = overview.communities.flatMap((c) => c.venues).find((v) => v.id === profile.id);
    const { staff: _staff, ...venue } = profile;
    return { venue: { ...venue, communityId }, summary };
  });

  app.get(
    '/api/venues/:id/records',
    { preValidation: [signedIn, venueInScopeFirst], schema: { params: VenueParams, querystring: RecordsQuery, response: { 200: RecordsPage, 403: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      const account = request.account!;
      await venueInScope(store, account, request.params.id);
      await audit(account, await venuePlace(store, account, request.params.id), 'view_venue_log', request.params.id, { query: request.query });
      return store.dashboard.records(request.params.id, request.query);
    },
  );

  app.get('/api/venues/:id/day', { preValidation: [signedIn, venueInScopeFirst], schema: { params: VenueParams, querystring: DayQuery } }, async (request) => {
    await venueInScope(store, request.account!, request.params.id);
    return store.dashboard.day(request.params.id, request.query.date);
  });

  // Bookings against admissions, slot by slot, for a venue-local day (past, today or ahead).
  app.get(
    '/api/venues/:id/slots',
    { preValidation: [signedIn, venueInScopeFirst], schema: { params: VenueParams, querystring: DayQuery, response: { 200: z.array(SlotView), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      await venueInScope(store, request.account!, request.params.id);
      const venue = await store.venues.get(request.params.id);
      if (!venue) throw new HttpError(404, 'not_found', 'no such venue', 'id');
      // Noon on that date at the venue: inside its local day whatever its offset.
      const dayAt = Date.parse(`${request.query.date}T12:00:00Z`) - venue.utcOffsetMinutes * 60_000;
      return slotsForDay(store, venue.id, dayAt, now());
    },
  );

  // After caps shrank (a switch to emergency, a lower per-slot number): the bookings the street admin must move or cancel.
  app.get(
    '/api/bookings/overbooked',
    { preValidation: requireAccount(store, now, ADMIN_ROLES), schema: { response: { 200: OverbookedReport, 403: ErrorBody } } },
    async (request) => {
      const at = now();
      const over = await overbookedSlots(store, at, scopeOf(request.account!));
      const venues = new Map<string, { name: string; communityId: string; utcOffsetMinutes: number; cap: number }>();
      for (const venueId of new Set(over.map((s) => s.venueId))) {
        const [venue, ctx] = await Promise.all([store.venues.get(venueId), bookingContext(store, venueId)]);
        if (venue && ctx) venues.set(venueId, { name: venue.name, communityId: venue.communityId, utcOffsetMinutes: venue.utcOffsetMinutes, cap: ctx.cap });
      }
      const slots = await Promise.all(
        over
          .filter((s) => venues.has(s.venueId))
          .sort((a, b) => a.slotStart - b.slotStart || a.venueId.localeCompare(b.venueId))
          .map(async (s) => {
            const v = venues.get(s.venueId)!;
            const slotEnd = s.bookings[0]!.slotEnd;
            const counted = (await store.bookings.slotCounts(s.venueId, s.slotStart, slotEnd, (slotEnd - s.slotStart) / 60_000)).get(s.slotStart);
            return {
              venueId: s.venueId,
              venueName: v.name,
              communityId: v.communityId,
              utcOffsetMinutes: v.utcOffsetMinutes,
              slotStart: s.slotStart,
              slotEnd,
              cap: v.cap,
              booked: counted?.booked ?? 0,
              bookings: s.bookings.map((b) => ({ id: b.id, code: b.code, people: b.people, bookedAt: b.bookedAt })),
            };
          }),
      );
      const all = slots.flatMap((s) => s.bookings);
      return { at, bookings: all.length, people: all.reduce((n, b) => n + b.people, 0), slots };
    },
  );

  app.get('/api/venues/:id/ledgers', { preValidation: [signedIn, venueInScopeFirst], schema: { params: VenueParams, querystring: LedgerQuery } }, async (request) => {
    const account = request.account!;
    await venueInScope(store, account, request.params.id);
    // Ledgers hold staff health data: who looked is kept.
    await audit(account, await venuePlace(store, account, request.params.id), 'view_ledgers', request.params.id, { from: request.query.from, to: request.query.to });
    const ledgers = await store.dashboard.ledgers(request.params.id, request.query.from, request.query.to);
    // A row kept under an older schema is left out and named, not a 500 for the whole page.
    if (ledgers.unreadable.length > 0) request.log.warn({ venueId: request.params.id, unreadable: ledgers.unreadable.map((u) => u.id) }, 'ledger rows that no longer fit the schema');
    return ledgers;
  });

  app.get('/api/flags', { preValidation: signedIn, schema: { querystring: FlagsQuery } }, async (request) => {
    const account = request.account!;
    if (request.query.venueId) await venueInScope(store, account, request.query.venueId);
    const items = await store.flags.list({ ...scopeOf(account), status: request.query.status, venueId: request.query.venueId, limit: request.query.limit });
    return { items };
  });

  async function flagInScope(account: NonNullable<import('fastify').FastifyRequest['account']>, id: number): Promise<Flag> {
    const flag = await store.flags.get(id);
    if (!flag) throw new HttpError(404, 'not_found', 'no such flag', 'id');
    await assertScope(store, account, flag.communityId);
    return flag;
  }

  app.get('/api/flags/:id', { preValidation: [signedIn, flagParamInScope], schema: { params: FlagParams } }, async (request) => {
    const account = request.account!;
    const flag = await flagInScope(account, request.params.id);
    await audit(account, await venuePlace(store, account, flag.venueId), 'view_flag', String(flag.id), { venueId: flag.venueId, rule: flag.rule });
    // The evidence names kiosks, staff and records by id: the names, and which records the door
    // undid since, let the dashboard say it in words (docs/inspectors-guide.md "Reading a flag").
    const ids = Array.isArray(flag.evidence.recordIds) ? flag.evidence.recordIds.filter((x): x is string => typeof x === 'string') : [];
    const [history, names, undone] = await Promise.all([store.flags.history(flag.id), store.dashboard.names(flag.venueId), store.dashboard.undone(ids)]);
    return { flag, history, names, undone };
  });

  app.post(
    '/api/flags/:id/actions',
    { onRequest: app.csrfProtection, preValidation: [streetStaff, flagParamInScope], schema: { params: FlagParams, body: FlagAction, response: { 200: FlagSchema, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (request) => {
      const account = request.account!;
      await flagInScope(account, request.params.id);
      try {
        const flag = await store.flags.act(request.params.id, request.body, account.id, now());
        await audit(account, await venuePlace(store, account, flag.venueId), 'flag_action', String(flag.id), { action: request.body, venueId: flag.venueId, rule: flag.rule });
        await pushFlags([flag]);
        return flag;
      } catch (err) {
        if (err instanceof FlagTransitionError) throw new HttpError(409, 'conflict', err.message, 'action');
        throw err;
      }
    },
  );

  app.get('/api/joint-enforcement', { preValidation: signedIn }, async (request) => {
    // Each street's own thresholds (its newest street-wide version's, as the weekly report and the
    // oversight read them), even where a community switched on its own: the list ranks repeat
    // offenders across the street for joint enforcement (000 §5), one measure per street.
    const account = request.account!;
    const scope = scopeOf(account);
    const t = now();
    const lists = await Promise.all(
      (await streetsCovered(store, account)).map(async (streetId) => {
        const own = (await store.policies.levels(streetId)).street?.policy ?? NORMAL_POLICY;
        return store.flags.jointEnforcement({ ...scope, streetId }, t, own.flags);
      }),
    );
    return { items: lists.flat().sort((a, b) => b.missedDeadlines + b.violations - (a.missedDeadlines + a.violations) || a.venueId.localeCompare(b.venueId)) };
  });

  app.get('/api/ranking', { preValidation: signedIn, schema: { querystring: DayQuery } }, async (request) =>
    store.dashboard.ranking(request.query.date, scopeOf(request.account!)),
  );

  app.get('/api/reports/weekly', { preValidation: signedIn, schema: { querystring: WeekQuery } }, async (request) => {
    const account = request.account!;
    const report = await store.dashboard.weeklyReport(request.query.week, scopeOf(account));
    // Viewing (and so printing) the report is an export of the street's figures too.
    await audit(account, accountPlace(account), 'view_weekly_report', report.week, { rows: report.rows.length });
    return report;
  });

  app.get('/api/reports/weekly.csv', { preValidation: signedIn, schema: { querystring: WeeklyCsvQuery } }, async (request, reply) => {
    const account = request.account!;
    const report = await store.dashboard.weeklyReport(request.query.week, scopeOf(account));
    await audit(account, accountPlace(account), 'export_weekly_csv', report.week, { rows: report.rows.length });
    const csv = weeklyReportCsv(report, request.query.lang);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="weekly-report-${report.week}.csv"`)
      .send(csv);
  });

  // An admin reads the entries of what it covers: its street, its district's streets and the district's own acts, or all.
  app.get('/api/audit', { preValidation: requireAccount(store, now, ADMIN_ROLES), schema: { querystring: AuditQuery } }, async (request) => {
    const account = request.account!;
    await audit(account, accountPlace(account), 'view_audit', null, { before: request.query.before ?? null });
    return { items: await store.audit.list({ ...request.query, scope: scopeOf(account) }) };
  });
};
