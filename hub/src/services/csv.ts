/**
 * CSV for spreadsheets (the weekly report, tracing and registry exports): RFC 4180 quoting, a UTF-8
 * BOM so Excel reads Chinese, CRLF lines, and cells that a spreadsheet would
 * run as a formula (starting with = + - @, or a tab or carriage return)
 * neutralised with a leading apostrophe (OWASP "CSV injection").
 */

/**
 * A run of digits a spreadsheet must keep as text (a phone number: Excel and WPS would drop a
 * leading 0 or show 1.39E+10). Written as `="13912345678"`, the one formula this module ever
 * writes: it is built here from digits only (anything else is refused and written as a plain,
 * neutralised cell), so no formula can be smuggled in (docs/inspectors-guide.md "Exports").
 */
export interface DigitsCell {
  digits: string;
}
export const digitsCell = (digits: string): DigitsCell => ({ digits });

export type CsvValue = string | number | boolean | null | undefined | DigitsCell;

export function csvCell(value: CsvValue): string {
  if (value !== null && typeof value === 'object') {
    return /^\d{1,30}$/.test(value.digits) ? `"=""${value.digits}"""` : csvCell(value.digits);
  }
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
