import { CsvError, parse } from 'csv-parse/sync';
import { MAX_IMPORT_LINES, MAX_IMPORT_ROWS } from '../../../shared/schemas/registry.js';
import { ORG_COLUMNS, OrgImportRow, type OrgColumn } from '../../../shared/schemas/organisation.js';

/**
 * A district's sheet of streets and communities (docs/district-guide.md "Importing a district"):
 * read like the venue list (services/venue-csv.ts: the bytes decoded by decodeCsv, csv-parse, lines
 * counted physically with the header as line 1), each row checked with the shared zod schema. A bad
 * row is refused naming its line and column as written in the file; the good rows are kept.
 */

export interface OrgCsvError {
  line: number;
  field: string | null;
  code: string;
  message: string;
}

export interface ParsedOrgCsv {
  rows: (OrgImportRow & { line: number })[];
  /** The file as a whole cannot be read (no header, a column missing, broken CSV): no row is kept. */
  fileErrors: OrgCsvError[];
  rowErrors: OrgCsvError[];
}

const LOOKUP = new Map<string, OrgColumn>(
  (Object.entries(ORG_COLUMNS) as [OrgColumn, readonly string[]][]).flatMap(([key, names]) => names.map((n) => [n.toLowerCase(), key] as const)),
);
const REQUIRED: readonly OrgColumn[] = ['districtId', 'districtName', 'streetId', 'streetName'];

/** Thrown from inside csv-parse to stop reading a file already too long. */
class TooLong extends Error {
  constructor(readonly line: number) {
    super('too long');
  }
}

export function readOrganisationCsv(text: string): ParsedOrgCsv {
  const out: ParsedOrgCsv = { rows: [], fileErrors: [], rowErrors: [] };
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const records: { line: number; record: string[] }[] = [];
  let lastEnd = 0;
  try {
    parse(normalised, {
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: 64 * 1024,
      on_record: (record: string[], context: { lines: number }) => {
        const line = lastEnd + 1;
        lastEnd = context.lines;
        if (record.every((c) => c.trim() === '')) return null;
        if (records.length > MAX_IMPORT_ROWS || line > MAX_IMPORT_LINES) throw new TooLong(line);
        records.push({ line, record });
        return null;
      },
    });
  } catch (err) {
    if (err instanceof TooLong) {
      out.fileErrors.push({ line: err.line, field: null, code: 'too_many_rows', message: `at most ${MAX_IMPORT_ROWS} rows per file` });
      return out;
    }
    if (!(err instanceof CsvError)) throw err;
    out.fileErrors.push({ line: lastEnd + 1, field: null, code: 'bad_csv', message: `the file is not valid CSV from this row on (${err.message})` });
    return out;
  }
  const [header, ...data] = records;
  if (!header) {
    out.fileErrors.push({ line: 1, field: null, code: 'empty_file', message: `the file is empty: the first line names the columns (${REQUIRED.map((k) => ORG_COLUMNS[k][0]).join(', ')}, …)` });
    return out;
  }
  const columns = new Map<OrgColumn, { index: number; name: string }>();
  header.record.forEach((cell, index) => {
    const name = cell.trim();
    const key = LOOKUP.get(name.toLowerCase());
    if (!key) out.fileErrors.push({ line: header.line, field: name, code: 'unknown_column', message: 'not a column of this sheet' });
    else if (columns.has(key)) out.fileErrors.push({ line: header.line, field: name, code: 'duplicate_column', message: `the same column as "${columns.get(key)!.name}"` });
    else columns.set(key, { index, name });
  });
  for (const key of REQUIRED) if (!columns.has(key)) out.fileErrors.push({ line: header.line, field: ORG_COLUMNS[key][0], code: 'missing_column', message: 'this column is required' });
  if (out.fileErrors.length > 0) return out;

  const headerOf = (key: OrgColumn) => columns.get(key)?.name ?? ORG_COLUMNS[key][0];
  for (const { line, record } of data) {
    const cell = (key: OrgColumn) => {
      const c = columns.get(key);
      const v = c === undefined ? '' : (record[c.index] ?? '').trim();
      return v === '' ? undefined : v;
    };
    const candidate = Object.fromEntries((Object.keys(ORG_COLUMNS) as OrgColumn[]).map((k) => [k, cell(k)]).filter(([, v]) => v !== undefined));
    const parsed = OrgImportRow.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.path[0] as OrgColumn | undefined;
      out.rowErrors.push({ line, field: key ? headerOf(key) : null, code: 'invalid', message: issue.message });
      continue;
    }
    // A community is named by both its columns, or not at all.
    if ((parsed.data.communityId === undefined) !== (parsed.data.communityName === undefined)) {
      const missing: OrgColumn = parsed.data.communityId === undefined ? 'communityId' : 'communityName';
      out.rowErrors.push({ line, field: headerOf(missing), code: 'invalid', message: 'a community needs both its id and its name' });
      continue;
    }
    out.rows.push({ ...parsed.data, line });
  }
  return out;
}
