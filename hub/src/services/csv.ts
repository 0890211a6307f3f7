/**
 * CSV for spreadsheets (the weekly report, tracing and registry exports): RFC 4180 quoting, a UTF-8
 * BOM so Excel reads Chinese, CRLF lines, and cells that a spreadsheet would
 * run as a formula (starting with = + - @, or a tab or carriage return)
 * neutralised with a leading apostrophe (OWASP "CSV injection").
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
