import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv';

describe('toCsv', () => {
  it('quotes what needs quoting and keeps formulas from running', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvCell(12)).toBe('12');
    expect(toCsv(['line', 'email', 'reason'], [[3, 'bad@', 'not a valid email address']])).toBe(
      'line,email,reason\r\n3,bad@,not a valid email address\r\n',
    );
  });
});
