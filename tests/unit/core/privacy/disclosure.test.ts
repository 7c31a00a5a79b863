import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { disclosureOf, ofCount, publicValue } from '../../../../functions/core/privacy/disclosure.ts';
import { withholdCell } from '../../../../functions/core/privacy/withhold.ts';
import { groupResultSchema, reportSchema } from '../../../../functions/core/report/schema.ts';

/** Paths of numbers in `schema` with no disclosure tag on them or on a field around them. */
function untaggedNumbers(
  schema: z.ZodType,
  path = '$',
  covered = false,
  seen = new Set<z.ZodType>(),
): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const tagged = covered || disclosureOf(schema) !== undefined;
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const walk = (child: unknown, at: string) => untaggedNumbers(child as z.ZodType, at, tagged, seen);
  switch (def.type) {
    case 'number':
    case 'bigint':
      return tagged ? [] : [path];
    case 'nullable':
    case 'optional':
    case 'default':
    case 'readonly':
    case 'nonoptional':
      return walk(def.innerType, path);
    case 'lazy':
      return walk((def.getter as () => unknown)(), path);
    case 'pipe':
      return [...walk(def.in, path), ...walk(def.out, path)];
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      const fields = Object.entries(shape).flatMap(([key, child]) => walk(child, `${path}.${key}`));
      return def.catchall === undefined ? fields : [...fields, ...walk(def.catchall, `${path}.*`)];
    }
    case 'array':
      return walk(def.element, `${path}[]`);
    case 'tuple':
      return (def.items as unknown[]).flatMap((item, i) => walk(item, `${path}[${i}]`));
    case 'record':
      return walk(def.valueType, `${path}.*`);
    case 'union':
      return (def.options as unknown[]).flatMap((option) => walk(option, path));
    default:
      return [];
  }
}

describe('disclosure tags', () => {
  it('tag every number of report@1 (count-derived, margin, spanning or public)', () => {
    expect(untaggedNumbers(reportSchema)).toEqual([]);
  });

  it('are found by the walk: an untagged number, in a tuple, a record or a lazy schema, fails', () => {
    const schema = z.object({
      a: publicValue(z.number()),
      b: z.tuple([z.number(), ofCount(z.number())]),
      c: z.lazy(() => z.record(z.string(), z.number().nullable())),
      d: ofCount(z.object({ e: z.number() })),
    });
    expect(untaggedNumbers(schema)).toEqual(['$.b[0]', '$.c.*']);
  });

  it('withhold a hidden group by its tags: nullable fields become null, optional ones go, public ones stay', () => {
    const group = groupResultSchema.parse({
      group: 'x',
      count: 3,
      share: 0.03,
      ci: [0.01, 0.08],
      referenceShare: 0.2,
      ratio: 0.15,
      difference: -0.17,
      pValue: 0.001,
      pAdjusted: 0.002,
      status: 'under',
      rowsNeeded: 12,
      positives: 1,
    });
    withholdCell(groupResultSchema, group, ['count']);
    expect(group).toEqual({
      group: 'x',
      count: null,
      share: null,
      ci: null,
      referenceShare: 0.2,
      ratio: null,
      difference: null,
      pValue: null,
      pAdjusted: 0.002, // over all groups: withheld with the table's statistics, not with the cell
      status: 'under',
      positives: 1,
    });
    withholdCell(groupResultSchema, group, ['positives']);
    expect(group.positives).toBeNull();
  });
});
