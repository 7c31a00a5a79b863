import type { HistoryLine } from '../core/history/history-sql.ts';

export type HistoryFormat = 'text' | 'json' | 'csv';

const CSV_COLUMNS = [
  'run',
  'started_at',
  'version',
  'trigger',
  'rows_read',
  'rows_used',
  'status',
  'worst_attribute',
  'worst_group',
  'worst_ratio',
] as const;

/** `repscope history` output: aligned text, a JSON array, or CSV with a header. */
export function formatHistory(lines: readonly HistoryLine[], format: HistoryFormat): string {
  if (format === 'json') return `${JSON.stringify(lines, null, 2)}\n`;
  if (format === 'csv') return csv(lines);
  const rows = lines.map((l) => [
    l.run,
    l.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z'),
    l.version,
    l.trigger,
    l.rowsUsed === null ? 'hidden' : String(l.rowsUsed),
    l.status.toUpperCase(),
    l.worst ? `${l.worst.attribute}=${l.worst.group} ratio ${l.worst.ratio.toFixed(3)}` : '-',
  ]);
  const header = ['RUN', 'STARTED', 'VERSION', 'TRIGGER', 'ROWS', 'STATUS', 'WORST GROUP'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n')
    .concat('\n');
}

function csv(lines: readonly HistoryLine[]): string {
  const out = [CSV_COLUMNS.join(',')];
  for (const l of lines) {
    out.push(
      [
        l.run,
        l.startedAt,
        l.version,
        l.trigger,
        l.rowsRead ?? '',
        l.rowsUsed ?? '',
        l.status,
        l.worst?.attribute ?? '',
        l.worst?.group ?? '',
        l.worst?.ratio ?? '',
      ]
        .map((v) => csvCell(String(v)))
        .join(','),
    );
  }
  return `${out.join('\n')}\n`;
}

/**
 * A CSV cell: quoted when it holds a delimiter, quote or line break; a leading `=`, `+`, `-`, `@`,
 * tab or carriage return is prefixed with `'` so a spreadsheet never runs a group name as a formula.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
