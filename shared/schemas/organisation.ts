import { z } from 'zod';
import { Id } from './common.js';
import { ImportError } from './registry.js';

/**
 * The organisation above the venue as the registry shows it (docs/district-guide.md): districts,
 * their streets, each street's communities with what hangs off them. Only what the account covers
 * (store/scope.ts): a street admin its street, a district admin its district, the city admin all.
 */
export const OrgVenue = z.object({ id: Id, name: z.string() });
export const OrgCommunity = z.object({
  id: Id,
  name: z.string(),
  /** Its venues by name (tracing's venue choice reads them too). */
  venues: z.array(OrgVenue),
  /** Kiosks in service at its venues. */
  kiosks: z.int().min(0),
  /** Inspector accounts of the community (they move with it). */
  inspectors: z.int().min(0),
});
export type OrgCommunity = z.infer<typeof OrgCommunity>;
export const OrgStreet = z.object({ id: Id, name: z.string(), communities: z.array(OrgCommunity) });
export type OrgStreet = z.infer<typeof OrgStreet>;
export const OrgDistrict = z.object({ id: Id, name: z.string(), streets: z.array(OrgStreet) });
export type OrgDistrict = z.infer<typeof OrgDistrict>;
/** GET /api/organisation. */
export const OrgTree = z.object({ districts: z.array(OrgDistrict) });
export type OrgTree = z.infer<typeof OrgTree>;

/** A district's, street's or community's name as a sheet gives it. */
export const PlaceName = z.string().trim().min(1).max(60);

/**
 * One row of a district's sheet (POST /api/organisation/import): a street of a district, and
 * optionally one of its communities. A sheet lists a street once per community, or once alone.
 */
export const OrgImportRow = z.strictObject({
  districtId: Id,
  districtName: PlaceName,
  streetId: Id,
  streetName: PlaceName,
  communityId: Id.optional(),
  communityName: PlaceName.optional(),
});
export type OrgImportRow = z.infer<typeof OrgImportRow>;

/**
 * The sheet's columns: the first name of each is the Chinese header a street office writes; every
 * name is read. The community's two columns may be left empty on a row (a street with none yet).
 */
export const ORG_COLUMNS = {
  districtId: ['区编号', 'district_id'],
  districtName: ['区名称', '区', 'district_name', 'district'],
  streetId: ['街道编号', 'street_id'],
  streetName: ['街道名称', '街道', 'street_name', 'street'],
  communityId: ['社区编号', 'community_id'],
  communityName: ['社区名称', '社区', 'community_name', 'community'],
} as const satisfies Record<keyof OrgImportRow, readonly string[]>;
export type OrgColumn = keyof typeof ORG_COLUMNS;

export const OrgImportQuery = z.strictObject({
  dryRun: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});

export const OrgImportAction = z.enum(['create', 'update', 'unchanged']);
/** What a good row did (or would do, in a dry run) to its street and its community. */
export const OrgImportRowResult = z.object({
  line: z.int().min(1),
  streetId: Id,
  street: OrgImportAction,
  communityId: Id.nullable(),
  community: OrgImportAction.nullable(),
});
export type OrgImportRowResult = z.infer<typeof OrgImportRowResult>;

/**
 * What an import did. Like the venue import: each bad row is refused naming its line and column,
 * every good row is kept (a sheet with one typo still loads the rest); a file that cannot be read
 * at all (no header, a broken quote) loads nothing.
 */
export const OrgImportReport = z.object({
  dryRun: z.boolean(),
  encoding: z.enum(['utf-8', 'gb18030']),
  errors: z.array(ImportError.omit({ code: true }).extend({ code: z.string() })),
  rows: z.array(OrgImportRowResult),
});
export type OrgImportReport = z.infer<typeof OrgImportReport>;

/** POST /api/organisation/communities/:id/move. */
export const CommunityMove = z.strictObject({ streetId: Id });
export type CommunityMove = z.infer<typeof CommunityMove>;

/** What a move did: where from and to, and what went with the community. */
export const CommunityMoveResult = z.object({
  communityId: Id,
  from: z.object({ id: Id, name: z.string() }),
  to: z.object({ id: Id, name: z.string() }),
  venues: z.int().min(0),
  kiosks: z.int().min(0),
  inspectors: z.int().min(0),
  /** Days of the street's figures that moved with its venues. */
  daysMoved: z.int().min(0),
});
export type CommunityMoveResult = z.infer<typeof CommunityMoveResult>;
