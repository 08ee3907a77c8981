import { BadRequestException } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { MAX_IMPORT_ROWS } from '@vigil/api';
import { kioskUrlsCsv, parseSeatCsv } from './seats-csv';

describe('seat CSV', () => {
  const message = (csv: string) => {
    try {
      parseSeatCsv(csv);
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(BadRequestException);
      return (e as Error).message;
    }
  };

  it('reads header aliases, quotes, BOM, CRLF, semicolons; ignores other columns and blank lines', () => {
    expect(parseSeatCsv('\ufeffStudent ID;Display Name;email\r\n"s 1";"Lovelace; Ada";x\r\n\r\ns2;Turing;y\r\n')).toEqual([
      { line: 2, studentId: 's 1', displayName: 'Lovelace; Ada' },
      { line: 3, studentId: 's2', displayName: 'Turing' },
    ]);
    expect(parseSeatCsv('name,student_id\nAda,1\n')).toEqual([{ line: 2, studentId: '1', displayName: 'Ada' }]);
  });

  it('takes mixed line ends (lists pasted together from Windows and Unix files) and old Mac CR', () => {
    expect(parseSeatCsv('studentId,displayName\r\ns1,Ada\ns2,"Hopper, Grace"\r\ns3,Alan\n')).toEqual([
      { line: 2, studentId: 's1', displayName: 'Ada' },
      { line: 3, studentId: 's2', displayName: 'Hopper, Grace' },
      { line: 4, studentId: 's3', displayName: 'Alan' },
    ]);
    expect(parseSeatCsv('studentId,displayName\rs1,Ada\r')).toEqual([{ line: 2, studentId: 's1', displayName: 'Ada' }]);
  });

  it('names the line and field of the first problem', () => {
    expect(message('')).toMatch(/the CSV is empty/);
    expect(message('id,name\n1,Ada\n')).toMatch(/line 1: the header must name the columns studentId and displayName/);
    expect(message('studentId,displayName\n1,\n')).toBe('line 2: displayName must be 1 to 200 characters');
    expect(message(`studentId,displayName\n${'x'.repeat(129)},Ada\n`)).toBe('line 2: studentId must be 1 to 128 characters without control characters');
    expect(message('studentId,displayName\n1,Ada\n1,Bob\n')).toBe('line 3: studentId 1 already appears on line 2');
    expect(message('studentId,displayName\n"unterminated,Ada\n')).toMatch(/does not parse/);
    expect(message('studentId,displayName\n' + 'x,y\n'.repeat(MAX_IMPORT_ROWS + 1))).toMatch(/at most 5000/);
  });

  it('writes kiosk URLs as CSV that parses back, with formula-looking cells defused', () => {
    const csv = kioskUrlsCsv([
      { studentId: 's1', displayName: 'Ada, "the first"', seatId: 'seat-1', kioskUrl: 'http://h/sentinel/?exam=e&seat=seat-1#token=v1.a.b' },
      { studentId: '=cmd()', displayName: '@sum', seatId: 'seat-2', kioskUrl: 'http://h/x' },
    ]);
    expect(parse(csv)).toEqual([
      ['studentId', 'displayName', 'seatId', 'kioskUrl'],
      ['s1', 'Ada, "the first"', 'seat-1', 'http://h/sentinel/?exam=e&seat=seat-1#token=v1.a.b'],
      ["'=cmd()", "'@sum", 'seat-2', 'http://h/x'],
    ]);
  });
});
