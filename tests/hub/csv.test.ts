import { describe, expect, it } from 'vitest';
import { csvCell, digitsCell, toCsv } from '../../hub/src/services/csv.js';

describe('csvCell', () => {
  it.each([
    ['plain text', '测试KTV', '测试KTV'],
    ['a comma or quote is quoted', 'a,"b"', '"a,""b"""'],
    ['a formula is neutralised with an apostrophe', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['a leading tab is neutralised too', '\t=1+1', "'\t=1+1"],
    ['numbers stay numbers', 12, '12'],
    ['negative numbers are not text', -3, '-3'],
  ])('%s', (_name, value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes a digits cell as ="…" so a spreadsheet keeps it as text, leading zero and all', () => {
    expect(csvCell(digitsCell('13912345678'))).toBe('"=""13912345678"""');
    expect(csvCell(digitsCell('0755123'))).toBe('"=""0755123"""');
  });

  it('never writes a formula from anything but digits: other text falls back to a neutralised cell', () => {
    expect(csvCell(digitsCell('1"&cmd'))).toBe('"1""&cmd"');
    expect(csvCell(digitsCell('=1+1'))).toBe("'=1+1");
    expect(csvCell(digitsCell(''))).toBe('');
  });

  it('makes a file with a BOM and CRLF lines', () => {
    expect(toCsv(['a', 'b'], [[1, digitsCell('007')]])).toBe('\uFEFFa,b\r\n1,"=""007"""\r\n');
  });
});
