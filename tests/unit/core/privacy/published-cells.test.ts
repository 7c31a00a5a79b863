import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  type CellPart,
  type Disclosure,
  disclosureOf,
} from '../../../../functions/core/privacy/disclosure.ts';
import { suppressReport } from '../../../../functions/core/privacy/suppress.ts';
import {
  type GroupResult,
  groupResultSchema,
  labelGroupSchema,
  positiveShareSchema,
  type Report,
  reportSchema,
  sourceCountSchema,
} from '../../../../functions/core/report/schema.ts';
import { arbitraryCase, reportOf } from '../../../fixtures/random-reports.ts';

/** Fields of `value` tagged as computed from the given parts of a cell that are still published. */
function survivors(schema: z.ZodObject, value: object, parts: readonly CellPart[]): string[] {
  const fields = value as Record<string, unknown>;
  return Object.entries(schema.shape).flatMap(([key, field]) => {
    const d = disclosureOf(field as z.ZodType);
    const derived = d?.kind === 'cell' && parts.includes(d.of);
    return derived && fields[key] !== null && fields[key] !== undefined ? [key] : [];
  });
}

/** Every hidden cell of a published copy with the fields of it that survived, as `where: field`. */
function leaks(published: Report): string[] {
  const out: string[] = [];
  const check = (where: string, schema: z.ZodObject, value: object, parts: readonly CellPart[]) => {
    for (const field of survivors(schema, value, parts)) out.push(`${where}: ${field}`);
  };
  const hiddenGroup = (g: GroupResult | undefined) => g === undefined || g.status === 'suppressed';
  for (const table of [...published.attributes, ...published.intersections]) {
    for (const g of table.groups) {
      if (g.status === 'suppressed') check(`group ${g.group}`, groupResultSchema, g, ['count', 'positives']);
      if (g.positives === null) check(`group ${g.group}`, groupResultSchema, g, ['positives']);
    }
  }
  for (const a of published.attributes) {
    const byName = new Map(a.groups.map((g) => [g.group, g]));
    for (const row of a.labels?.groups ?? []) {
      const group = byName.get(row.group);
      if (hiddenGroup(group)) check(`label ${row.group}`, labelGroupSchema, row, ['count', 'positives']);
      if (row.positives === null || group?.positives === null)
        check(`label ${row.group}`, labelGroupSchema, row, ['positives']);
    }
    const rows = new Map((a.labels?.groups ?? []).map((r) => [r.group, r]));
    for (const entry of a.labels?.positiveComposition?.groups ?? []) {
      if (rows.get(entry.group)?.positives === null)
        check(`positive share ${entry.group}`, positiveShareSchema, entry, ['positives']);
    }
  }
  const sources = published.sources;
  for (const s of [
    ...(sources?.groups ?? []),
    ...(sources?.attributes ?? []).flatMap((t) => t.groups.flatMap((r) => r.sources)),
  ]) {
    if (s.count === null) check(`source ${s.source}`, sourceCountSchema, s, ['count']);
  }
  return out;
}

/** Every number in a JSON value. */
function numbers(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbers);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbers);
  return [];
}

/**
 * Every number of a report value with the tag that covers it (its own or a surrounding field's),
 * following the schema the way the tag walk in disclosure.test.ts does.
 */
function taggedNumbers(
  schema: z.ZodType,
  value: unknown,
  kind?: Disclosure['kind'],
): { value: number; kind?: Disclosure['kind'] }[] {
  const here = disclosureOf(schema)?.kind ?? kind;
  if (typeof value === 'number') return [{ value, kind: here }];
  if (value === null || value === undefined || typeof value !== 'object') return [];
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const walk = (child: unknown, v: unknown) => taggedNumbers(child as z.ZodType, v, here);
  switch (def.type) {
    case 'nullable':
    case 'optional':
      return walk(def.innerType, value);
    case 'lazy':
      return walk((def.getter as () => unknown)(), value);
    case 'array':
      return (value as unknown[]).flatMap((v) => walk(def.element, v));
    case 'tuple':
      return (value as unknown[]).flatMap((v, i) => walk((def.items as unknown[])[i], v));
    case 'record':
      return Object.values(value).flatMap((v) => walk(def.valueType, v));
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      return Object.entries(value).flatMap(([key, v]) => walk(shape[key] ?? def.catchall, v));
    }
    default:
      return numbers(value).map((v) => ({ value: v, kind: here }));
  }
}

/**
 * The non-integer values (shares, rates, ratios, p-values) of groups that the copy hides, taken
 * from the exact report, that appear nowhere among the values of groups it shows: such a number
 * found anywhere in the published JSON can only be a hidden cell's.
 */
function distinctiveHiddenValues(exact: Report, published: Report): number[] {
  const pairs = [...exact.attributes, ...exact.intersections].flatMap((t, i) =>
    t.groups.map((g, j) => {
      const table =
        i < exact.attributes.length
          ? published.attributes[i]!
          : published.intersections[i - exact.attributes.length]!;
      return { exact: g, shown: table.groups[j]! };
    }),
  );
  const values = (g: GroupResult) =>
    numbers([g.share, g.ci, g.ratio, g.difference, g.pValue, g.pAdjusted]).filter(
      (x) => !Number.isInteger(x),
    );
  const visible = new Set(
    pairs.filter((p) => p.shown.status !== 'suppressed').flatMap((p) => values(p.exact)),
  );
  return [
    ...new Set(pairs.filter((p) => p.shown.status === 'suppressed').flatMap((p) => values(p.exact))),
  ].filter((x) => !visible.has(x));
}

describe('published copies of random reports', () => {
  it('keep no count-derived field of a hidden cell (found by the schema tags)', () => {
    fc.assert(
      fc.property(arbitraryCase, fc.constantFrom(5, 10, 30), (c, k) => {
        const published = suppressReport(reportOf(c), k);
        expect(leaks(published)).toEqual([]);
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });

  it('carry no share, rate or p-value of a hidden group anywhere in the JSON', () => {
    let hiddenSeen = 0;
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const exact = reportOf(c);
        // Equal non-zero counts give equal values by arithmetic, not by leaking: keep every count distinct.
        // (Attribute c repeats a's first group by construction.)
        const counts = [...exact.attributes.slice(0, 2), ...exact.intersections].flatMap((t) =>
          t.groups.map((g) => g.count).filter((n) => n !== 0),
        );
        fc.pre(new Set(counts).size === counts.length);
        const published = suppressReport(exact, 10);
        // A copy that says a cell could not be protected (zeros stay visible, so a sum can be
        // left with one hidden cell) makes no promise about it.
        fc.pre(!(published.privacy.withheld ?? []).some((w) => w.reason === 'recoverable-cell'));
        const hidden = distinctiveHiddenValues(exact, published);
        hiddenSeen += hidden.length;
        // Values of cells and statistics over several cells (issue #17: raking's margin error
        // used to equal a hidden group's share). Reference shares and settings (public) are not
        // computed from the data; totals are sums whose equalities with a hidden cell's value are
        // arithmetic coincidence (68 positives of 138 rows against a hidden group of 68).
        const shown = new Set(
          taggedNumbers(reportSchema, JSON.parse(JSON.stringify(published)))
            .filter((n) => n.kind !== 'public' && n.kind !== 'margin')
            .map((n) => n.value),
        );
        expect(hidden.filter((x) => shown.has(x))).toEqual([]);
      }),
      { seed: 8, numRuns: 100, maxSkipsPerRun: 100 },
    );
    expect(hiddenSeen).toBeGreaterThan(100);
  });

  it('find a leak when one is planted: a hidden group that keeps its share', () => {
    const published = suppressReport(
      reportOf(fc.sample(arbitraryCase, { seed: 3, numRuns: 1 })[0]!),
      1_000_000,
    );
    const group = published.attributes[0]!.groups.find((g) => g.status === 'suppressed')!;
    group.share = 0.5;
    expect(leaks(published)).toContain(`group ${group.group}: share`);
  });
});
