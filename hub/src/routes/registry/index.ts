import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KIOSK_NAMESPACE } from '../../../../shared/events.js';
import { Id } from '../../../../shared/schemas/common.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import {
  CommunityCreate,
  CommunityEdit,
  CommunityList,
  CommunityRow,
  ExportQuery,
  ImportQuery,
  ImportReport,
  MAX_IMPORT_BYTES,
  RegistryQuery,
  RegistryVenue,
  RegistryVenueList,
  StaffCreate,
  StaffEdit,
  StaffView,
  VenueCreate,
  VenueEdit,
} from '../../../../shared/schemas/registry.js';
import { ADMIN_ROLES } from '../../../../shared/schemas/account.js';
import { accountPlace, assertPlace, communityQueryInScope, requireAccount, scopeOf, venueParamInScope, venuePlace } from '../../auth.js';
import type { AuditPlace } from '../../store/audit.js';
import { HttpError } from '../../errors.js';
import { decodeCsv, leavesUnchanged, planImport, readVenueCsv, venuesToCsv } from '../../services/venue-csv.js';
import { venueRoom } from '../../sockets/kiosks.js';
import type { Store } from '../../store/index.js';
import { RegistryConflict, type VenueDraft, type VenueSave } from '../../store/venues.js';

/** A street's list is a few hundred rows (~100 KB): see MAX_IMPORT_BYTES. */
export const IMPORT_BODY_LIMIT = MAX_IMPORT_BYTES;

const IdParams = z.object({ id: Id });
const StaffParams = z.object({ id: Id, staffId: Id });
const ErrorBody = z.object({ error: ApiError });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

export interface RegistryRouteOptions {
  store: Store;
  now: () => number;
}

/** The fields of a venue that an edit can change, for the audit log's "what". */
const AUDITED = ['name', 'type', 'address', 'ratedCapacity', 'openingHours', 'utcOffsetMinutes', 'officers', 'entrances'] as const;

function changes(before: RegistryVenue, after: RegistryVenue): Record<string, { from: unknown; to: unknown }> {
  const plain = (v: RegistryVenue, k: (typeof AUDITED)[number]) => (k === 'entrances' ? v.entrances.map((e) => ({ id: e.id, name: e.name })) : v[k]);
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of AUDITED) {
    const from = plain(before, k);
    const to = plain(after, k);
    if (JSON.stringify(from) !== JSON.stringify(to)) out[k] = { from, to };
  }
  return out;
}

/**
 * The street office's venue registry: communities, venues with
 * their entrances and officers, door staff, and a community's list as CSV.
 * Street admin only; every change needs the CSRF token and is audit-logged
 * (door PINs never are, nor shown back). A venue's kiosks get its new profile
 * ('venue:profile') as soon as it is saved.
 */
export const registryRoutes: FastifyPluginAsyncZod<RegistryRouteOptions> = async (app, { store, now }) => {
  // Admins above a street read its registry; editing it is the street's own act, its admin's alone.
  const reader = requireAccount(store, now, ADMIN_ROLES);
  const admin = requireAccount(store, now, ['street_admin']);
  // A street's venue list goes into one of its communities: its street admin's, or a district or
  // city admin's importing the streets they cover (docs/district-guide.md); the community in scope.
  const importer = [requireAccount(store, now, [...ADMIN_ROLES]), communityQueryInScope(store)];
  const audit = (request: FastifyRequest, where: AuditPlace, action: string, target: string | null, detail: Record<string, unknown>) =>
    store.audit.record({ at: now(), accountId: request.account!.id, accountName: request.account!.name, action, target, detail, where });
  /** Where an act on a community is audited: its street. */
  const communityPlace = async (request: FastifyRequest, communityId: string): Promise<AuditPlace> => {
    const place = await store.organisation.placeOfCommunity(communityId);
    return place ? { streetId: place.streetId, districtId: place.districtId } : accountPlace(request.account!);
  };
  // Run after the role check, before the body or query is validated (docs/security.md "Order of checks").
  const venueFirst = venueParamInScope(store);
  const communityFirst = async (request: FastifyRequest) => {
    const id = (request.params as { id?: unknown }).id;
    const place = typeof id === 'string' ? await store.organisation.placeOfCommunity(id) : undefined;
    if (place) assertPlace(request.account!, place);
  };

  async function pushProfile(venueId: string): Promise<void> {
    const profile = await store.venues.profile(venueId);
    if (profile) app.io.of(KIOSK_NAMESPACE).to(venueRoom(venueId)).emit('venue:profile', profile);
  }

  async function save(changes: readonly VenueSave[]): Promise<string[]> {
    try {
      return await store.venues.save(changes, now());
    } catch (err) {
      if (err instanceof RegistryConflict) throw new HttpError(err.status, err.status === 404 ? 'not_found' : 'conflict', err.message, err.field);
      throw err;
    }
  }

  /** The venue, if the account may see it: 404 if there is none, 403 if it is another street's. */
  async function venue(request: FastifyRequest, id: string): Promise<RegistryVenue> {
    const place = await store.organisation.placeOfVenue(id);
    if (!place) throw new HttpError(404, 'not_found', `no venue "${id}"`, 'id');
    assertPlace(request.account!, place);
    return (await store.venues.get(id))!;
  }

  /** The community, if the account may see it: 404 if there is none, 403 if it is another street's. */
  async function community(request: FastifyRequest, id: string, field: string): Promise<CommunityRow> {
    const place = await store.organisation.placeOfCommunity(id);
    if (!place) throw new HttpError(404, 'not_found', `no community "${id}"`, field);
    assertPlace(request.account!, place);
    const c = (await store.venues.communities(scopeOf(request.account!))).find((x) => x.id === id);
    if (!c) throw new HttpError(404, 'not_found', `no community "${id}"`, field);
    return c;
  }

  // The import's body is the file's own bytes: decoding is ours (UTF-8 or GBK), not the HTTP layer's.
  app.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/api/registry/communities', { preValidation: reader, schema: { response: { 200: CommunityList, ...errors } } }, async (request) => ({
    items: await store.venues.communities(scopeOf(request.account!)),
  }));

  app.post(
    '/api/registry/communities',
    { onRequest: app.csrfProtection, preValidation: admin, schema: { body: CommunityCreate, response: { 201: CommunityRow, ...errors } } },
    async (request, reply) => {
      try {
        // A street admin's community is of its street.
        const row = await store.venues.createCommunity({ ...request.body, streetId: request.account!.streetId ?? undefined });
        await audit(request, accountPlace(request.account!), 'community_create', row.id, { name: row.name });
        return reply.code(201).send(row);
      } catch (err) {
        if (err instanceof RegistryConflict) throw new HttpError(409, 'conflict', err.message, err.field);
        throw err;
      }
    },
  );

  app.post(
    '/api/registry/communities/:id',
    { onRequest: app.csrfProtection, preValidation: [admin, communityFirst], schema: { params: IdParams, body: CommunityEdit, response: { 200: CommunityRow, ...errors } } },
    async (request) => {
      const before = await community(request, request.params.id, 'id');
      const row = (await store.venues.renameCommunity(request.params.id, request.body.name))!;
      await audit(request, await communityPlace(request, row.id), 'community_rename', row.id, { from: before.name, to: row.name });
      // Each kiosk's profile names its community.
      for (const v of await store.venues.list(scopeOf(request.account!), { communityId: row.id })) await pushProfile(v.id);
      return row;
    },
  );

  app.get('/api/registry/venues', { preValidation: reader, schema: { querystring: RegistryQuery, response: { 200: RegistryVenueList, ...errors } } }, async (request) => {
    if (request.query.communityId) await community(request, request.query.communityId, 'communityId');
    return { items: await store.venues.list(scopeOf(request.account!), { communityId: request.query.communityId }) };
  });

  app.get('/api/registry/venues/:id', { preValidation: [reader, venueFirst], schema: { params: IdParams, response: { 200: RegistryVenue, ...errors } } }, async (request) =>
    venue(request, request.params.id),
  );

  app.post(
    '/api/registry/venues',
    { onRequest: app.csrfProtection, preValidation: admin, schema: { body: VenueCreate, response: { 201: RegistryVenue, ...errors } } },
    async (request, reply) => {
      const { id, ...draft } = request.body;
      // Only into a community of the admin's street (403 for another's; 404 for none, as the save says).
      if (await store.organisation.placeOfCommunity(draft.communityId)) await community(request, draft.communityId, 'communityId');
      const [created] = await save([{ kind: 'create', id, draft }]);
      const after = await venue(request, created!);
      await audit(request, await venuePlace(store, request.account!, after.id), 'venue_create', after.id, {
        communityId: after.communityId,
        name: after.name,
        type: after.type,
        ratedCapacity: after.ratedCapacity,
        entrances: after.entrances.map((e) => e.name),
      });
      return reply.code(201).send(after);
    },
  );

  app.post(
    '/api/registry/venues/:id',
    { onRequest: app.csrfProtection, preValidation: [admin, venueFirst], schema: { params: IdParams, body: VenueEdit, response: { 200: RegistryVenue, ...errors } } },
    async (request) => {
      const before = await venue(request, request.params.id);
      const draft: VenueDraft = request.body;
      // A venue stays in its community: said even when nothing else would change.
      if (draft.communityId === before.communityId && leavesUnchanged(draft, before)) return before;
      await save([{ kind: 'update', id: before.id, draft }]);
      const after = await venue(request, before.id);
      const changed = changes(before, after);
      if (Object.keys(changed).length > 0) {
        await audit(request, await venuePlace(store, request.account!, after.id), 'venue_update', after.id, { changes: changed });
        await pushProfile(after.id);
      }
      return after;
    },
  );

  app.post(
    '/api/registry/venues/:id/staff',
    { onRequest: app.csrfProtection, preValidation: [admin, venueFirst], schema: { params: IdParams, body: StaffCreate, response: { 201: StaffView, ...errors } } },
    async (request, reply) => {
      const v = await venue(request, request.params.id);
      const staff = await store.venues.createStaff(v.id, request.body);
      await audit(request, await venuePlace(store, request.account!, v.id), 'staff_add', v.id, { staffId: staff.id, name: staff.name, role: staff.role });
      await pushProfile(v.id);
      return reply.code(201).send(staff);
    },
  );

  app.post(
    '/api/registry/venues/:id/staff/:staffId',
    { onRequest: app.csrfProtection, preValidation: [admin, venueFirst], schema: { params: StaffParams, body: StaffEdit, response: { 200: StaffView, ...errors } } },
    async (request) => {
      const v = await venue(request, request.params.id);
      const before = v.staff.find((s) => s.id === request.params.staffId);
      const after = before && (await store.venues.updateStaff(v.id, before.id, request.body));
      if (!before || !after) throw new HttpError(404, 'not_found', `no staff member "${request.params.staffId}" at this venue`, 'staffId');
      const { pin, ...rest } = request.body;
      // Who changed what; a new PIN only as the fact that it changed.
      await audit(request, await venuePlace(store, request.account!, v.id), 'staff_update', v.id, { staffId: after.id, before: { name: before.name, role: before.role, active: before.active }, change: rest, pinChanged: pin !== undefined });
      await pushProfile(v.id);
      return after;
    },
  );

  app.post(
    '/api/registry/import',
    { onRequest: app.csrfProtection, preValidation: importer, bodyLimit: IMPORT_BODY_LIMIT, schema: { querystring: ImportQuery, response: { 200: ImportReport, ...errors } } },
    async (request) => {
      const { communityId, dryRun } = request.query;
      const target = await community(request, communityId, 'communityId');
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const { text, encoding } = decodeCsv(bytes);
      const csv = readVenueCsv(text);
      const report: ImportReport = { dryRun, encoding, created: 0, updated: 0, unchanged: 0, errors: csv.fileErrors, rows: [] };
      if (csv.fileErrors.length === 0) {
        // The street's venues: a row naming another street's venue is told its id is taken, nothing of that venue.
        const plan = planImport(csv, { community: target, venues: await store.venues.list(scopeOf(request.account!)) });
        // The plan gave every new venue its id, so the dry run's report is the import's.
        if (!dryRun && plan.saves.length > 0) await save(plan.saves);
        report.errors = plan.errors;
        report.rows = plan.rows.map(({ save: _at, ...row }) => row);
        for (const row of report.rows) report[row.action === 'create' ? 'created' : row.action === 'update' ? 'updated' : 'unchanged'] += 1;
      }
      if (!dryRun) {
        const ids = (action: string) => report.rows.filter((r) => r.action === action).map((r) => r.venueId);
        await audit(request, await communityPlace(request, communityId), 'venue_import', communityId, {
          encoding,
          bytes: bytes.length,
          created: ids('create'),
          updated: ids('update'),
          unchanged: report.unchanged,
          errors: report.errors.length,
        });
        for (const row of report.rows) if (row.action === 'update' && row.venueId) await pushProfile(row.venueId);
      }
      return report;
    },
  );

  app.get('/api/registry/export.csv', { preValidation: reader, schema: { querystring: ExportQuery } }, async (request, reply) => {
    const { communityId } = request.query;
    if (communityId) await community(request, communityId, 'communityId');
    const venues = await store.venues.list(scopeOf(request.account!), { communityId });
    await audit(request, communityId ? await communityPlace(request, communityId) : accountPlace(request.account!), 'venue_export', communityId ?? null, { venues: venues.length });
    // The street's local date in the name, as the office files it (UTC+8, China Standard Time, where every seed's street is).
    const date = new Date(now() + 480 * 60_000).toISOString().slice(0, 10);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="venues-${communityId ?? 'street'}-${date}.csv"`)
      .send(venuesToCsv(venues));
  });
};
