import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { NORMAL_POLICY } from '../../../../shared/schemas/policy.js';
import { z } from 'zod';
import { KIOSK_NAMESPACE } from '../../../../shared/events.js';
import { ADMIN_ROLES, OVERSIGHT_ROLES } from '../../../../shared/schemas/account.js';
import { Id } from '../../../../shared/schemas/common.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { CommunityMove, CommunityMoveResult, OrgImportQuery, OrgImportReport, OrgTree } from '../../../../shared/schemas/organisation.js';
import { MAX_IMPORT_BYTES } from '../../../../shared/schemas/registry.js';
import { requireAccount, scopeOf } from '../../auth.js';
import { HttpError } from '../../errors.js';
import { readOrganisationCsv } from '../../services/organisation-csv.js';
import { pushCommunityPolicies } from '../../services/policy-switch.js';
import { decodeCsv } from '../../services/venue-csv.js';
import { venueRoom } from '../../sockets/kiosks.js';
import type { AuditPlace } from '../../store/audit.js';
import type { Store } from '../../store/index.js';

const ErrorBody = z.object({ error: ApiError });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;
const IdParams = z.object({ id: Id });

export interface OrganisationRouteOptions {
  store: Store;
  now: () => number;
}

/**
 * The registry above the venue (docs/district-guide.md): the districts, streets and communities an
 * admin covers; a district's streets and communities imported from a sheet (a district admin its
 * own district, the city admin any); a community moved between streets (the city admin, or the
 * district admin of both streets) with everything that hangs off it. Every change needs the CSRF
 * token and is audit-logged.
 */
export const organisationRoutes: FastifyPluginAsyncZod<OrganisationRouteOptions> = async (app, { store, now }) => {
  const reader = requireAccount(store, now, [...ADMIN_ROLES]);
  const above = requireAccount(store, now, [...OVERSIGHT_ROLES]);
  const audit = (request: FastifyRequest, action: string, target: string | null, detail: Record<string, unknown>, where?: AuditPlace) =>
    store.audit.record({ at: now(), accountId: request.account!.id, accountName: request.account!.name, action, target, detail, ...(where ? { where } : {}) });

  /**
   * Before the body is validated (docs/security.md "Order of checks"): a district admin may move a
   * community only out of and into its own district's streets (403, whatever else was sent). An
   * unknown community or street is left to the handler's 404.
   */
  const moveInScope: preHandlerAsyncHookHandler = async (request) => {
    const account = request.account!;
    if (account.role === 'city_admin') return;
    const id = (request.params as { id?: unknown }).id;
    const place = typeof id === 'string' ? await store.organisation.placeOfCommunity(id) : undefined;
    if (place && place.districtId !== account.districtId) throw new HttpError(403, 'forbidden', 'this community is not in your district', 'id');
    const streetId = (request.body as { streetId?: unknown } | undefined)?.streetId;
    const street = typeof streetId === 'string' ? await store.organisation.street(streetId) : undefined;
    if (street && street.districtId !== account.districtId) throw new HttpError(403, 'forbidden', 'that street is not in your district', 'streetId');
  };

  // The sheet's body is the file's own bytes: decoding is ours (UTF-8 or GBK), as for the venue list.
  app.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body));

  app.get('/api/organisation', { preValidation: reader, schema: { response: { 200: OrgTree, ...errors } } }, async (request) => ({
    districts: await store.organisation.tree(scopeOf(request.account!)),
  }));

  app.post(
    '/api/organisation/import',
    { onRequest: app.csrfProtection, preValidation: above, bodyLimit: MAX_IMPORT_BYTES, schema: { querystring: OrgImportQuery, response: { 200: OrgImportReport, ...errors } } },
    async (request) => {
      const account = request.account!;
      const { dryRun } = request.query;
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const { text, encoding } = decodeCsv(bytes);
      const csv = readOrganisationCsv(text);
      const report: OrgImportReport = { dryRun, encoding, errors: csv.fileErrors, rows: [] };
      if (csv.fileErrors.length === 0) {
        const onlyDistrict = account.role === 'district_admin' ? account.districtId : null;
        const outcome = await store.organisation.importPlaces(csv.rows, { dryRun, onlyDistrict });
        report.errors = [...csv.rowErrors, ...outcome.errors].sort((a, b) => a.line - b.line);
        report.rows = outcome.rows;
      }
      if (!dryRun) {
        const count = (key: 'street' | 'community', action: string) => report.rows.filter((r) => r[key] === action).length;
        await audit(request, 'organisation_import', account.districtId, {
          encoding,
          bytes: bytes.length,
          districts: [...new Set(csv.rows.map((r) => r.districtId))],
          streets: { created: count('street', 'create'), updated: count('street', 'update') },
          communities: { created: count('community', 'create'), updated: count('community', 'update') },
          errors: report.errors.length,
        });
      }
      return report;
    },
  );

  /**
   * A door applies only a version at least as new as the one it holds (the kiosk's sync). Moved to a
   * street whose policy is older than the one the community had, its doors would keep the old
   * street's: the community's own policy in its new street (the newer of the street's own version
   * and the community's own) is then put in force again under a new version, for the community.
   */
  async function restateIfOlder(communityId: string, held: number, to: { id: string; name: string }, by: string): Promise<void> {
    if ((await store.policies.activeFor(communityId)).version > held) return;
    const street = (await store.policies.levels(to.id)).street;
    const community = (await store.policies.history(1000, to.id)).find((v) => v.communityId === communityId);
    const own = community && (!street || community.version > street.policy.version) ? community.policy : (street?.policy ?? NORMAL_POLICY);
    const { version: _older, ...body } = own;
    await store.policies.activate(body, now(), { communityId, by, note: `社区划入${to.name}` });
  }

  app.post(
    '/api/organisation/communities/:id/move',
    {
      onRequest: app.csrfProtection,
      preValidation: [above, moveInScope],
      schema: { params: IdParams, body: CommunityMove, response: { 200: CommunityMoveResult, ...errors } },
    },
    async (request) => {
      const communityId = request.params.id;
      const held = (await store.policies.activeFor(communityId)).version;
      const moved = await store.organisation.moveCommunity(communityId, request.body.streetId);
      if (!moved.ok) {
        if (moved.reason === 'no_community') throw new HttpError(404, 'not_found', `no community "${communityId}"`, 'id');
        if (moved.reason === 'no_street') throw new HttpError(404, 'not_found', `no street "${request.body.streetId}"`, 'streetId');
        throw new HttpError(409, 'conflict', 'the community is of that street already', 'streetId');
      }
      const result: CommunityMoveResult = {
        communityId,
        from: moved.from,
        to: moved.to,
        venues: moved.venues.length,
        kiosks: moved.kiosks,
        inspectors: moved.inspectors,
        daysMoved: moved.daysMoved,
      };
      // Filed in the street it left and the street it joined: both streets' own logs show the move.
      for (const street of [moved.from, moved.to]) {
        await audit(request, 'community_move', communityId, { ...result, venueIds: moved.venues }, { streetId: street.id, districtId: null });
      }
      await restateIfOlder(communityId, held, moved.to, request.account!.name);
      // The community's kiosks now follow their new street's policy: each is sent the version in
      // force for it (the store's move is where the effective policy is refreshed: its CALL SITE).
      await pushCommunityPolicies(store, app.io, [communityId]);
      // Each kiosk's profile names its community's place.
      for (const venueId of moved.venues) {
        const profile = await store.venues.profile(venueId);
        if (profile) app.io.of(KIOSK_NAMESPACE).to(venueRoom(venueId)).emit('venue:profile', profile);
      }
      return result;
    },
  );
};
