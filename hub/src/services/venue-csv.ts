import { CsvError, parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { LEGACY_SCHOOL_TRAINING_NAMES, VENUE_TYPE_ALIASES, VENUE_TYPE_TEXT } from '../../../shared/labels.js';
import { Id } from '../../../shared/schemas/common.js';
import {
  DEFAULT_ENTRANCE,
  ENTRANCE_SEPARATORS,
  MAX_IMPORT_LINES,
  MAX_IMPORT_ROWS,
  REGISTRY_COLUMNS,
  REQUIRED_COLUMNS,
  VenueFields,
  type ImportError,
  type ImportErrorCode,
  type ImportReport,
  type ImportRow,
  type RegistryColumn,
  type RegistryVenue,
} from '../../../shared/schemas/registry.js';
import { ClockTime, VenueType, schoolOrTrainingCentre, type OpeningHours } from '../../../shared/schemas/venue.js';
import type { VenueDraft, VenueSave } from '../store/venues.js';
import { freeId } from '../store/venues.js';
import { toCsv } from './csv.js';

/**
 * A community's venue list as a spreadsheet (docs/inspectors-guide.md "Venue registry"): read
 * from the bytes a browser uploads (UTF-8, or GBK as Excel saves CSV on a
 * Chinese Windows), checked row by row with the registry's shared schema, and
 * written back with the same columns. Pure: the route reads the store and
 * writes the plan.
 */

export type CsvEncoding = ImportReport['encoding'];

/**
 * UTF-8 (a BOM or none) if the bytes are valid UTF-8, else GB18030, the
 * superset of GBK that Excel and WPS write on Chinese Windows. Chinese text in
 * GBK is practically never valid UTF-8, so the check decides reliably.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

/** One data row: the physical line it starts on, and its cells by column. */
export interface CsvRow {
  line: number;
  cells: Partial<Record<RegistryColumn, string>>;
}

export interface ParsedCsv {
  /** The columns the file has, with each one's header as written there (errors name it). */
  headers: Partial<Record<RegistryColumn, string>>;
  rows: CsvRow[];
  /** Problems with the file as a whole (header, structure): when there are any, no row is read. */
  fileErrors: ImportError[];
  /** Problems with single rows found while reading (cell count). */
  rowErrors: ImportError[];
}

const HEADER_LOOKUP = new Map<string, RegistryColumn>(
  (Object.entries(REGISTRY_COLUMNS) as [RegistryColumn, readonly string[]][]).flatMap(([key, names]) => names.map((n) => [n.toLowerCase(), key] as const)),
);

/** A cell as the export wrote it: csvCell (services/csv.ts) puts an apostrophe before a would-be formula. */
const cellText = (raw: string) => raw.trim().replace(/^'(?=[=+\-@\t\r])/, '');

/** The number of lines in the text, counted only up to `limit + 1` (the caller only needs to know it is over). */
function countLines(text: string, limit: number): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < text.length - 1 && lines <= limit; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/** Thrown from inside csv-parse to stop reading a file already known to be refused. */
class StopReading extends Error {}

/**
 * Splits the text into rows with csv-parse. Line numbers are physical lines
 * (the header is line 1): csv-parse tells where each record ends, and a
 * record starts on the line after the previous one ended, so a quoted cell
 * spanning lines moves no later row's number. Blank rows are dropped as they
 * are read; the file's size in lines and in rows is checked before and while
 * reading, so a sheet of a million empty rows costs a count, not a parse.
 */
export function readVenueCsv(text: string): ParsedCsv {
  const out: ParsedCsv = { headers: {}, rows: [], fileErrors: [], rowErrors: [] };
  // One kind of line break, so a file mixing CRLF and LF (an edited export) parses; a quoted
  // cell's own breaks become \n, which is what a cell's line break is.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = countLines(normalised, MAX_IMPORT_LINES);
  if (lines > MAX_IMPORT_LINES) {
    out.fileErrors.push({
      line: MAX_IMPORT_LINES + 1,
      field: null,
      code: 'too_many_lines',
      message: `the file has more than ${MAX_IMPORT_LINES} lines (at most ${MAX_IMPORT_ROWS} venues): delete the empty rows below the list and save it again`,
      params: { maxLines: MAX_IMPORT_LINES, max: MAX_IMPORT_ROWS },
    });
    return out;
  }

  const blank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');
  let header: { line: number; record: string[] } | undefined;
  const data: { line: number; record: string[] }[] = [];
  /** The line the last record read ends on: the next one starts after it. */
  let lastEnd = 0;
  try {
    parse(normalised, {
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      // A cell is a name or an address; one far longer is a broken quote swallowing the file.
      max_record_size: 64 * 1024,
      on_record: (record: string[], context: { lines: number }) => {
        const line = lastEnd + 1;
        lastEnd = context.lines;
        if (blank(record)) return null;
        if (!header) header = { line, record };
        else if (data.length === MAX_IMPORT_ROWS) {
          out.fileErrors.push({ line, field: null, code: 'too_many_rows', message: `at most ${MAX_IMPORT_ROWS} venues per file`, params: { max: MAX_IMPORT_ROWS } });
          throw new StopReading();
        } else data.push({ line, record });
        // Rows are kept here, not by csv-parse: it holds nothing.
        return null;
      },
    });
  } catch (err) {
    if (err instanceof StopReading) return out;
    if (!(err instanceof CsvError)) throw err;
    // The record that broke starts after the last one read whole, wherever csv-parse gave up
    // (the end of the file, for a quote never closed).
    const message =
      err.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quote (") opened in this row is never closed: nothing after it can be read'
        : `the file is not valid CSV from this row on (${err.message})`;
    out.fileErrors.push({ line: lastEnd + 1, field: null, code: 'bad_csv', message });
    return out;
  }

  if (!header) {
    out.fileErrors.push({ line: 1, field: null, code: 'empty_file', message: 'the file is empty: the first line names the columns (场所名称, 场所类型, 核定人数, …)' });
    return out;
  }
  const headerLine = header.line;
  const columns: (RegistryColumn | undefined)[] = [];
  header.record.forEach((h) => {
    const name = h.trim();
    if (name === '') {
      columns.push(undefined);
      return;
    }
    const key = HEADER_LOOKUP.get(name.toLowerCase());
    if (!key) {
      out.fileErrors.push({
        line: headerLine,
        field: name,
        code: 'unknown_column',
        message: `unknown column; the columns are ${Object.values(REGISTRY_COLUMNS).map((n) => n[0]).join(', ')}`,
        params: { column: name },
      });
    } else if (out.headers[key] !== undefined) {
      out.fileErrors.push({ line: headerLine, field: name, code: 'duplicate_column', message: `the same column as "${out.headers[key]}"`, params: { other: out.headers[key]! } });
    } else {
      out.headers[key] = name;
    }
    columns.push(key);
  });
  for (const key of REQUIRED_COLUMNS) {
    if (out.headers[key] === undefined) out.fileErrors.push({ line: headerLine, field: REGISTRY_COLUMNS[key][0], code: 'missing_column', message: 'this column is required' });
  }
  if (out.fileErrors.length > 0) return out;

  for (const { line, record } of data) {
    // Spreadsheets often leave empty cells after the last column; anything in them would be lost.
    const extra = record.slice(columns.length).filter((c) => c.trim() !== '');
    if (extra.length > 0) {
      out.rowErrors.push({ line, field: null, code: 'cell_count', message: `${record.length} cells but ${columns.length} columns`, params: { cells: record.length, columns: columns.length } });
      continue;
    }
    const cells: CsvRow['cells'] = {};
    columns.forEach((key, i) => {
      if (key) cells[key] = cellText(record[i] ?? '');
    });
    out.rows.push({ line, cells });
  }
  return out;
}

/**
 * A venue type by its code, its Chinese or English label, or another name street lists use. The
 * old joint school/training type (a list exported before the split) is read as a school or a
 * training centre by the venue's name, as stored venues were (`schoolOrTrainingCentre`).
 */
export function parseVenueType(cell: string, venueName = ''): VenueType | undefined {
  const s = cell.trim();
  if (LEGACY_SCHOOL_TRAINING_NAMES.includes(s.toLowerCase())) return schoolOrTrainingCentre(venueName);
  const code = VenueType.safeParse(s.toLowerCase());
  if (code.success) return code.data;
  for (const texts of Object.values(VENUE_TYPE_TEXT)) {
    for (const [type, label] of Object.entries(texts)) if (label.toLowerCase() === s.toLowerCase()) return type as VenueType;
  }
  return VENUE_TYPE_ALIASES[s] ?? VENUE_TYPE_ALIASES[s.toUpperCase()];
}

const ALWAYS_OPEN = new Set(['全天', '24小时', '24h', '24 小时', '全天营业', '24小时营业', 'always', 'always open', '00:00-24:00']);

/**
 * `10:00-02:00` (also with –, —, ~, ～ or 至, a full-width colon, or 9:00 for
 * 09:00); empty, 全天 or 24小时 for always open. A close at or before the open
 * is after midnight (shared/schemas/venue.ts OpeningHours).
 */
export function parseOpeningHours(cell: string): { ok: true; value: OpeningHours } | { ok: false; message: string } {
  const s = cell.trim().replace(/：/g, ':').replace(/\s+/g, '');
  if (s === '' || ALWAYS_OPEN.has(s.toLowerCase())) return { ok: true, value: null };
  const m = /^(\d{1,2}:\d{2})(?:-|–|—|~|～|至|到)(\d{1,2}:\d{2})$/.exec(s);
  const pad = (t: string) => t.padStart(5, '0');
  if (m && ClockTime.safeParse(pad(m[1]!)).success && ClockTime.safeParse(pad(m[2]!)).success) {
    return { ok: true, value: { open: pad(m[1]!), close: pad(m[2]!) } };
  }
  return { ok: false, message: 'write the hours as 10:00-22:00 (24-hour clock), or 全天 for always open' };
}

/** Rated capacity: a whole number, `120` or `120人`. */
export function parseCapacity(cell: string): number | undefined {
  const m = /^(\d{1,7})\s*人?$/.exec(cell.trim().replace(/,/g, ''));
  return m ? Number(m[1]) : undefined;
}

export function splitEntrances(cell: string): string[] {
  return cell
    .split(ENTRANCE_SEPARATORS)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export interface ImportContext {
  community: { id: string; name: string };
  /** Every venue of the street: rows update this community's, and must not name another's. */
  venues: readonly RegistryVenue[];
}

export interface ImportPlan {
  saves: VenueSave[];
  /** Each valid row with its action; `save` is its index in `saves` (none if unchanged). */
  rows: (ImportRow & { save: number | undefined })[];
  errors: ImportError[];
}

type Candidate = { [K in keyof z.input<typeof VenueFields>]?: unknown };

/** A stored venue as the registry would save it again: the base an edit changes fields of. */
export function draftOf(v: RegistryVenue): VenueDraft {
  return {
    communityId: v.communityId,
    name: v.name,
    type: v.type,
    address: v.address,
    ratedCapacity: v.ratedCapacity,
    openingHours: v.openingHours,
    utcOffsetMinutes: v.utcOffsetMinutes,
    officers: v.officers,
    entrances: v.entrances.map((e) => ({ id: e.id, name: e.name })),
  };
}

/** One form of a venue to compare by: an import that changes nothing writes nothing. */
function canonical(d: VenueDraft): string {
  const officer = (o: { name: string; phone: string } | undefined) => (o ? { name: o.name, phone: o.phone } : null);
  return JSON.stringify([
    d.name,
    d.type,
    d.address,
    d.ratedCapacity,
    d.openingHours ? [d.openingHours.open, d.openingHours.close] : null,
    d.utcOffsetMinutes,
    officer(d.officers.prevention),
    officer(d.officers.disinfection),
    d.entrances.map((e) => [e.id ?? null, e.name]),
  ]);
}

/** Whether saving the draft would leave the venue as it is (then nothing is written, logged or pushed). */
export function leavesUnchanged(draft: VenueDraft, venue: RegistryVenue): boolean {
  return canonical(draft) === canonical(draftOf(venue));
}

/**
 * What importing the rows into the community would do. A row updates the
 * venue its 编号 names, or else the one venue of the community with its name,
 * or creates one. A row naming another community's venue is an error (never a
 * move); a second row for the same venue is reported, not applied twice. Every
 * row is checked with the shared VenueFields schema; errors name the column as
 * the file writes it.
 */
export function planImport(csv: ParsedCsv, ctx: ImportContext): ImportPlan {
  const plan: ImportPlan = { saves: [], rows: [], errors: [...csv.rowErrors] };
  const h = csv.headers;
  const col = (key: RegistryColumn) => h[key] ?? REGISTRY_COLUMNS[key][0];
  const byId = new Map(ctx.venues.map((v) => [v.id, v]));
  const mine = ctx.venues.filter((v) => v.communityId === ctx.community.id);
  /** The first line about each venue, by its id. */
  const seen = new Map<string, number>();
  /** The first line creating a venue of each name, and whether it named the venue's id. */
  const newNames = new Map<string, { line: number; named: boolean }>();
  // The ids the file gives new venues are theirs before any row is planned: one the plan picks
  // for a row without an id must not be one a later row names (dry run and import then agree).
  const reserved = new Set(csv.rows.map((r) => r.cells.id ?? '').filter((id) => id !== '' && !byId.has(id)));
  const taken = (id: string) => byId.has(id) || reserved.has(id);

  for (const row of csv.rows) {
    const c = row.cells;
    const errors: ImportError[] = [];
    const fail = (key: RegistryColumn | null, code: ImportErrorCode, message: string, params?: ImportError['params']) =>
      errors.push({ line: row.line, field: key ? col(key) : null, code, message, ...(params ? { params } : {}) });

    if (c.community) {
      const named = c.community;
      if (named !== ctx.community.id && named !== ctx.community.name) {
        fail('community', 'other_community_row', `this row is for "${named}", not ${ctx.community.name}: import it into that community`, { community: named });
      }
    }

    // Which venue the row is about.
    let existing: RegistryVenue | undefined;
    let newId: string | undefined;
    const id = c.id ?? '';
    if (id !== '') {
      const other = byId.get(id);
      if (other && other.communityId !== ctx.community.id) {
        fail('id', 'other_community_venue', `venue ${id} belongs to ${other.communityName}; a row cannot move it to ${ctx.community.name}`, { id, community: other.communityName });
      } else if (other) {
        existing = other;
      } else if (!Id.safeParse(id).success) {
        fail('id', 'bad_id', 'an id has only letters, digits, "_" and "-" (at most 64)');
      } else {
        newId = id;
      }
    } else if (c.name) {
      const same = mine.filter((v) => v.name === c.name);
      if (same.length > 1) {
        fail('name', 'ambiguous_name', `${same.length} venues here are named "${c.name}": give the ${col('id')} of the one meant`, { n: same.length, name: c.name, column: col('id') });
      }
      existing = same[0];
    }
    // A row that names a venue it may not touch (or not clearly) is that error alone.
    if (errors.length > 0) {
      plan.errors.push(...errors);
      continue;
    }
    const duplicate = (first: number) => {
      fail(id !== '' ? 'id' : 'name', 'duplicate_row', `the same venue as line ${first}: only line ${first} is imported`, { line: first });
      plan.errors.push(...errors);
    };
    const key = existing?.id ?? newId;
    const first = key === undefined ? undefined : seen.get(key);
    if (first !== undefined) {
      duplicate(first);
      continue;
    }
    if (key !== undefined) seen.set(key, row.line);
    // A new venue's row without an id is found by its name, so it is the venue another row
    // creates under that name (a row with its own id is a venue of its own). A row without id
    // or name is reported by the schema below, not as a duplicate of another such row.
    if (!existing && c.name) {
      const prior = newNames.get(c.name);
      if (prior && (!prior.named || newId === undefined)) {
        duplicate(prior.line);
        continue;
      }
      if (!prior) newNames.set(c.name, { line: row.line, named: newId !== undefined });
    }

    // The venue as the row would leave it: columns the file has override what is stored.
    const base: VenueDraft = existing
      ? draftOf(existing)
      : { communityId: ctx.community.id, name: '', type: 'ktv', address: '', ratedCapacity: 0, openingHours: null, utcOffsetMinutes: 480, officers: {}, entrances: [] };
    const candidate: Candidate = { ...base };
    delete (candidate as { communityId?: unknown }).communityId;
    const badCells = new Set<RegistryColumn>();
    const bad = (k: RegistryColumn, code: ImportErrorCode, message: string, params?: ImportError['params']) => {
      badCells.add(k);
      fail(k, code, message, params);
    };

    if (c.name !== undefined) candidate.name = c.name;
    if (c.type !== undefined) {
      const type = parseVenueType(c.type, c.name ?? (typeof candidate.name === 'string' ? candidate.name : ''));
      if (type) candidate.type = type;
      else if (c.type === '') bad('type', 'type_required', 'a venue type is needed');
      else bad('type', 'unknown_type', `unknown venue type "${c.type}"`, { type: c.type });
    } else if (!existing) bad('type', 'type_required', 'a venue type is needed');
    if (c.address !== undefined) candidate.address = c.address;
    if (c.ratedCapacity !== undefined) {
      const n = parseCapacity(c.ratedCapacity);
      if (n !== undefined) candidate.ratedCapacity = n;
      else if (c.ratedCapacity === '') bad('ratedCapacity', 'capacity_required', 'the rated capacity is needed');
      else bad('ratedCapacity', 'bad_capacity', 'a whole number of people, such as 120');
    }
    if (c.openingHours !== undefined) {
      const hours = parseOpeningHours(c.openingHours);
      if (hours.ok) candidate.openingHours = hours.value;
      else bad('openingHours', 'bad_hours', hours.message);
    }
    const officers = { ...base.officers };
    for (const [role, nameKey, phoneKey] of [
      ['prevention', 'preventionName', 'preventionPhone'],
      ['disinfection', 'disinfectionName', 'disinfectionPhone'],
    ] as const) {
      if (c[nameKey] === undefined && c[phoneKey] === undefined) continue;
      const name = c[nameKey] ?? base.officers[role]?.name ?? '';
      const phone = c[phoneKey] ?? base.officers[role]?.phone ?? '';
      if (SCIENTIFIC.test(phone)) {
        bad(phoneKey, 'phone_scientific', `Excel wrote this number in scientific notation (${phone}): format the column as text, type the numbers again and save`, { phone });
      } else if (name === '' && phone !== '') bad(phoneKey, 'phone_without_name', `a phone without the officer's name (${col(nameKey)})`, { column: col(nameKey) });
      else if (name === '') delete officers[role];
      else officers[role] = { name, phone };
    }
    candidate.officers = officers;
    if (c.entrances !== undefined && c.entrances !== '') {
      const names = splitEntrances(c.entrances);
      const current = new Map(existing?.entrances.map((e) => [e.name, e]) ?? []);
      const gone = existing?.entrances.filter((e) => !names.includes(e.name)) ?? [];
      const stuck = gone.filter((e) => e.inUse);
      if (stuck.length > 0) {
        const stuckNames = stuck.map((e) => `"${e.name}"`).join(', ');
        bad('entrances', 'entrance_in_use', `${stuckNames} has a kiosk or records: keep it in the list (rename it in the registry form)`, { names: stuckNames });
      }
      candidate.entrances = names.map((name) => (current.has(name) ? { id: current.get(name)!.id, name } : { name }));
    } else if (!existing) {
      candidate.entrances = [{ name: DEFAULT_ENTRANCE }];
    }

    const parsed = VenueFields.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const k = columnOf(issue.path);
        if (k && badCells.has(k)) continue;
        fail(k, 'invalid', issue.message, issueParams(issue));
      }
    }
    if (errors.length > 0 || !parsed.success) {
      plan.errors.push(...dedupe(errors));
      continue;
    }
    const draft: VenueDraft = { ...parsed.data, communityId: ctx.community.id };
    if (existing && leavesUnchanged(draft, existing)) {
      plan.rows.push({ line: row.line, venueId: existing.id, name: draft.name, action: 'unchanged', save: undefined });
      continue;
    }
    const venueId = existing?.id ?? newId ?? freeId(ctx.community.id, taken);
    reserved.add(venueId);
    plan.rows.push({ line: row.line, venueId, name: draft.name, action: existing ? 'update' : 'create', save: plan.saves.length });
    plan.saves.push(existing ? { kind: 'update', id: venueId, draft } : { kind: 'create', id: venueId, draft });
  }
  plan.errors.sort((a, b) => a.line - b.line);
  return plan;
}

/** What Excel writes for a long number in a General cell: 1.38E+10. */
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/;

/**
 * A schema issue's code and figures, so the dashboard words it as a form
 * would (hub/ui/dashboard/issue-text.ts) instead of showing zod's English.
 */
function issueParams(issue: z.core.$ZodIssue): Record<string, string | number> {
  const out: Record<string, string | number> = { issue: issue.code ?? 'custom' };
  const raw = issue as unknown as Record<string, unknown>;
  for (const k of ['origin', 'format', 'expected'] as const) if (typeof raw[k] === 'string') out[k] = raw[k];
  for (const k of ['minimum', 'maximum', 'divisor'] as const) if (typeof raw[k] === 'number' || typeof raw[k] === 'bigint') out[k] = Number(raw[k]);
  for (const k of ['inclusive', 'exact'] as const) if (typeof raw[k] === 'boolean') out[k] = raw[k] ? 1 : 0;
  if (issue.code === 'custom') {
    // A refinement's own code and figures (shared/schemas/registry.ts), e.g. the duplicated entrance's name.
    for (const [k, v] of Object.entries(issue.params ?? {})) if (typeof v === 'string' || typeof v === 'number') out[k === 'code' ? 'rule' : k] = v;
  }
  return out;
}

/** The column a schema issue is about. */
function columnOf(path: readonly PropertyKey[]): RegistryColumn | null {
  const [top, role, leaf] = path;
  switch (top) {
    case 'name':
    case 'type':
    case 'address':
    case 'ratedCapacity':
    case 'openingHours':
    case 'entrances':
      return top;
    case 'officers':
      if (role === 'prevention') return leaf === 'phone' ? 'preventionPhone' : 'preventionName';
      if (role === 'disinfection') return leaf === 'phone' ? 'disinfectionPhone' : 'disinfectionName';
      return null;
    default:
      return null;
  }
}

function dedupe(errors: ImportError[]): ImportError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.field}\u0000${e.code}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const formatHours = (h: OpeningHours) => (h ? `${h.open}-${h.close}` : '全天');

/**
 * The venues as the import reads them (round trip: importing an export
 * changes nothing), UTF-8 with a BOM so Excel shows the Chinese.
 */
export function venuesToCsv(venues: readonly RegistryVenue[]): string {
  const keys = Object.keys(REGISTRY_COLUMNS) as RegistryColumn[];
  return toCsv(
    keys.map((k) => REGISTRY_COLUMNS[k][0]),
    venues.map((v) => {
      const cells: Record<RegistryColumn, string | number> = {
        id: v.id,
        community: v.communityName,
        name: v.name,
        type: VENUE_TYPE_TEXT['zh-CN'][v.type],
        address: v.address,
        ratedCapacity: v.ratedCapacity,
        openingHours: formatHours(v.openingHours),
        entrances: v.entrances.map((e) => e.name).join('；'),
        preventionName: v.officers.prevention?.name ?? '',
        preventionPhone: v.officers.prevention?.phone ?? '',
        disinfectionName: v.officers.disinfection?.name ?? '',
        disinfectionPhone: v.officers.disinfection?.phone ?? '',
      };
      return keys.map((k) => cells[k]);
    }),
  );
}
