import { csvCell, csvRow } from './csv';

describe('csvCell', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [-3.5, '-3.5'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    [' padded', '" padded"'],
    ['=1+2', "'=1+2"],
    ['+7 900', "'+7 900"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['Привет', 'Привет'],
  ])('%j -> %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('joins a record with commas and ends it with CRLF', () => {
    expect(csvRow([1, 'a,b', null, '=x'])).toBe('1,"a,b",,\'=x\r\n');
  });
});
