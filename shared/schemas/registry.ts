import { z } from 'zod';
import { Id } from './common.js';
import { OpeningHours, Officers, OfficersInput, Pin, VenueRules, VenueType } from './venue.js';

/**
 * The street office's venue registry (docs/inspectors-guide.md "Venue registry"): communities,
 * venues with their entrances and officers, the door staff, and the CSV a
 * community's list is imported from and exported to. The hub's routes
 * (hub/src/routes/registry) and the dashboard's registry screen read these.
 */

export const CommunityName = z.string().trim().min(1, 'a community needs a name').max(50);

export const CommunityCreate = z.strictObject({ id: Id.optional(), name: CommunityName });
export type CommunityCreate = z.infer<typeof CommunityCreate>;

export const CommunityEdit = z.strictObject({ name: CommunityName });
export type CommunityEdit = z.infer<typeof CommunityEdit>;

export const CommunityRow = z.object({ id: Id, name: z.string(), venues: z.int().min(0) });
export type CommunityRow = z.infer<typeof CommunityRow>;
export const CommunityList = z.object({ items: z.array(CommunityRow) });
export type CommunityList = z.infer<typeof CommunityList>;

/** The door a new venue starts with (the form's first row, a CSV row naming none): every venue has at least one. */
export const DEFAULT_ENTRANCE = '正门';

/** What separates entrances in one CSV cell (正门;侧门 正门；侧门 正门、侧门 正门|侧门), so never part of a name. */
export const ENTRANCE_SEPARATORS = /[;；、|]/;

/** An entrance in the form: an existing one keeps its id (a rename), a new one has none yet. */
export const EntranceDraft = z.strictObject({
  id: Id.optional(),
  name: z
    .string()
    .trim()
    .min(1, 'an entrance needs a name')
    .max(30)
    .refine((n) => !ENTRANCE_SEPARATORS.test(n), { message: 'an entrance name cannot contain ; ； 、 or |', params: { code: 'entrance_separator' } }),
});
export type EntranceDraft = z.infer<typeof EntranceDraft>;

/**
 * What the street office registers of a venue (docs/inspectors-guide.md
 * "Venue registry"; the rated capacity 核定人数 of 004 §3.3, the prevention
 * and disinfection officers of 000 §2(4)): the form edits it and each CSV
 * row is checked against it. The entrances are the whole list: an entrance
 * left out is removed (refused if it is in use).
 */
export const VenueFields = z.strictObject({
  name: z.string().trim().min(1, 'a venue needs a name').max(100),
  type: VenueType,
  address: z.string().trim().max(200),
  ratedCapacity: z.int('a whole number of people').min(0).max(1_000_000),
  openingHours: OpeningHours,
  utcOffsetMinutes: VenueRules.shape.utcOffsetMinutes.default(480),
  officers: OfficersInput,
  entrances: z
    .array(EntranceDraft)
    .min(1, 'a venue has at least one entrance')
    .max(20)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((e, i) => {
        if (seen.has(e.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `two entrances named "${e.name}"`, params: { code: 'entrance_duplicate', name: e.name } });
        seen.add(e.name);
      });
    }),
});
export type VenueFields = z.infer<typeof VenueFields>;
export type VenueFieldsInput = z.input<typeof VenueFields>;

/** POST /api/registry/venues. Without an id the hub assigns one. */
export const VenueCreate = VenueFields.extend({ id: Id.optional(), communityId: Id });
export type VenueCreate = z.infer<typeof VenueCreate>;

/** POST /api/registry/venues/:id: the whole venue as it should now be. A venue stays in its community. */
export const VenueEdit = VenueFields.extend({ communityId: Id });
export type VenueEdit = z.infer<typeof VenueEdit>;

export const StaffName = z.string().trim().min(1, 'a name is needed').max(50);
export const StaffRole = z.string().trim().max(50);

/** A door staff member: the PIN is hashed at once and never shown back. */
export const StaffCreate = z.strictObject({ name: StaffName, role: StaffRole, pin: Pin });
export type StaffCreate = z.infer<typeof StaffCreate>;

/** Rename, change role, set a new PIN, deactivate or reactivate. */
export const StaffEdit = z
  .strictObject({ name: StaffName.optional(), role: StaffRole.optional(), pin: Pin.optional(), active: z.boolean().optional() })
  .refine((e) => Object.values(e).some((v) => v !== undefined), { message: 'nothing to change', params: { code: 'nothing_to_change' } });
export type StaffEdit = z.infer<typeof StaffEdit>;

export const StaffView = z.object({ id: Id, name: z.string(), role: z.string(), active: z.boolean() });
export type StaffView = z.infer<typeof StaffView>;

export const RegistryEntrance = z.object({
  id: Id,
  name: z.string(),
  /** Kiosks enrolled here and still in service. */
  kiosks: z.int().min(0),
  /** A kiosk was ever enrolled here or a pass was issued here: the entrance can be renamed, not removed. */
  inUse: z.boolean(),
});
export type RegistryEntrance = z.infer<typeof RegistryEntrance>;

/** A venue as the registry shows it; door staff without their PINs. */
export const RegistryVenue = z.object({
  id: Id,
  communityId: Id,
  communityName: z.string(),
  name: z.string(),
  type: VenueType,
  address: z.string(),
  ratedCapacity: z.int().min(0),
  openingHours: OpeningHours,
  utcOffsetMinutes: z.int(),
  officers: Officers,
  entrances: z.array(RegistryEntrance),
  staff: z.array(StaffView),
  updatedAt: z.int().nullable(),
});
export type RegistryVenue = z.infer<typeof RegistryVenue>;

export const RegistryVenueList = z.object({ items: z.array(RegistryVenue) });
export type RegistryVenueList = z.infer<typeof RegistryVenueList>;

export const RegistryQuery = z.strictObject({ communityId: Id.optional() });

/** A street's list is hundreds of venues; this keeps one request's work bounded. */
export const MAX_IMPORT_ROWS = 5000;
/**
 * Lines a file may have, blank ones included: checked before the file is
 * parsed, so a sheet whose used range runs to a million empty formatted rows
 * is refused at once instead of holding the hub (and every kiosk's sync) for
 * seconds. Room for every venue, blank rows between and cells over two lines.
 */
export const MAX_IMPORT_LINES = 2 * MAX_IMPORT_ROWS;
/** The upload's size: 5,000 rows with long Chinese addresses are well under it. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

/** POST /api/registry/import?communityId=…&dryRun=1 (the body is the file's raw bytes). */
export const ImportQuery = z.strictObject({
  communityId: Id,
  dryRun: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

/**
 * What kind of problem a line has, so the dashboard can say it in the user's
 * language (`params` fills its text). `invalid` is any other rule of the
 * VenueFields schema: its params carry the zod issue's code and figures
 * (`issue`, `origin`, `minimum`, `maximum`, `format`, `expected`, and `rule`
 * for a refinement's own code), which the dashboard words like a form's.
 */
export const ImportErrorCode = z.enum([
  'empty_file',
  'bad_csv',
  'unknown_column',
  'duplicate_column',
  'missing_column',
  'too_many_rows',
  'too_many_lines',
  'cell_count',
  'other_community_row',
  'other_community_venue',
  'bad_id',
  'ambiguous_name',
  'duplicate_row',
  'type_required',
  'unknown_type',
  'capacity_required',
  'bad_capacity',
  'bad_hours',
  'phone_without_name',
  'phone_scientific',
  'entrance_in_use',
  'invalid',
]);
export type ImportErrorCode = z.infer<typeof ImportErrorCode>;

/** One problem in the file: its physical line (the header is line 1), the column as written there, why. */
export const ImportError = z.object({
  line: z.int().min(1),
  field: z.string().nullable(),
  code: ImportErrorCode,
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type ImportError = z.infer<typeof ImportError>;

export const ImportAction = z.enum(['create', 'update', 'unchanged']);
export type ImportAction = z.infer<typeof ImportAction>;

/**
 * What happened (or, in a dry run, would happen) to each valid row. A new
 * venue's id is the one its row names or the one the plan reserves for it,
 * so the dry run shows the ids the import will give.
 */
export const ImportRow = z.object({ line: z.int().min(1), venueId: Id, name: z.string(), action: ImportAction });
export type ImportRow = z.infer<typeof ImportRow>;

export const ImportReport = z.object({
  dryRun: z.boolean(),
  /** How the bytes were read: UTF-8 when they are valid UTF-8, else GB18030 (a superset of GBK). */
  encoding: z.enum(['utf-8', 'gb18030']),
  created: z.int().min(0),
  updated: z.int().min(0),
  unchanged: z.int().min(0),
  errors: z.array(ImportError),
  rows: z.array(ImportRow),
});
export type ImportReport = z.infer<typeof ImportReport>;

/** GET /api/registry/export.csv: one community, or the whole street without communityId. */
export const ExportQuery = z.strictObject({ communityId: Id.optional() });

/**
 * The CSV's columns: the first name of each is what the export writes, every
 * name is read on import (a street office's sheet is in Chinese; English for
 * other tools). Only 场所名称, 场所类型 and 核定人数 are required; a column
 * the file leaves out keeps what the hub has (a new venue gets the default).
 */
export const REGISTRY_COLUMNS = {
  id: ['编号', '场所编号', 'id', 'venue_id'],
  community: ['社区', '所属社区', 'community'],
  name: ['场所名称', '名称', 'name'],
  type: ['场所类型', '类型', 'type'],
  address: ['地址', '场所地址', 'address'],
  ratedCapacity: ['核定人数', 'rated_capacity', 'capacity'],
  openingHours: ['营业时间', 'opening_hours', 'hours'],
  entrances: ['出入口', '入口', 'entrances'],
  preventionName: ['防控专员', 'prevention_officer'],
  preventionPhone: ['防控专员电话', 'prevention_phone'],
  disinfectionName: ['消杀专员', '消毒专员', 'disinfection_officer'],
  disinfectionPhone: ['消杀专员电话', '消毒专员电话', 'disinfection_phone'],
} as const;
export type RegistryColumn = keyof typeof REGISTRY_COLUMNS;
export const REQUIRED_COLUMNS: readonly RegistryColumn[] = ['name', 'type', 'ratedCapacity'];
