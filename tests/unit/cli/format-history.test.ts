import { describe, expect, it } from 'vitest';
import { csvCell, formatHistory } from '../../../functions/cli/format-history.ts';
import type { HistoryLine } from '../../../functions/core/history/history-sql.ts';

const lines: HistoryLine[] = [
  {
    run: '20261201T060000Z',
    startedAt: '2026-12-01T06:00:00.000Z',
    version: 'v1',
    trigger: 'upload',
    status: 'warn',
    rowsRead: 1500,
    rowsUsed: 1350,
    worst: { attribute: 'state', group: '=HYPERLINK("http://x")', ratio: 0.4567 },
  },
  {
    run: '20261202T060000Z',
    startedAt: '2026-12-02T06:00:00.000Z',
    version: 'v1',
    trigger: 'schedule',
    status: 'error',
    rowsRead: 0,
    rowsUsed: 0,
    worst: null,
  },
];

describe('formatHistory', () => {
  it('aligns one text line per run with the worst group and its ratio', () => {
    expect(formatHistory(lines, 'text')).toBe(
      [
        'RUN               STARTED               VERSION  TRIGGER   ROWS  STATUS  WORST GROUP',
        '20261201T060000Z  2026-12-01 06:00:00Z  v1       upload    1350  WARN    state==HYPERLINK("http://x") ratio 0.457',
        '20261202T060000Z  2026-12-02 06:00:00Z  v1       schedule  0     ERROR   -',
        '',
      ].join('\n'),
    );
  });

  it('writes CSV a spreadsheet cannot run as a formula, and JSON as the lines are', () => {
    const csv = formatHistory(lines, 'csv').split('\n');
    expect(csv[1]).toBe(
      `20261201T060000Z,2026-12-01T06:00:00.000Z,v1,upload,1500,1350,warn,state,"'=HYPERLINK(""http://x"")",0.4567`,
    );
    expect(csv[2]).toBe('20261202T060000Z,2026-12-02T06:00:00.000Z,v1,schedule,0,0,error,,,');
    expect(JSON.parse(formatHistory(lines, 'json'))).toEqual(lines);
  });

  it('keeps numbers, quotes delimiters and defuses leading formula characters', () => {
    expect(csvCell('-0.25')).toBe('-0.25');
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a,b')).toBe('"a,b"');
  });
});
