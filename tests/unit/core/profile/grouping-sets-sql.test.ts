import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import type { SqlValue } from '../../../../functions/core/ports.ts';
import {
  GROUPING_SETS_COLUMNS as C,
  duckdbDialect,
  GroupingSetsProfileReader,
  profileFromGroupingSetsRows,
  quoteIdentifier,
  renderGroupingSetsSql,
  renderIdentifierSampleSql,
  type SqlDialect,
  type TableRef,
  trinoDialect,
} from '../../../../functions/core/profile/grouping-sets-sql.ts';
import {
  buildPlan,
  type CountingPlan,
  MAX_GROUPS_PER_ATTRIBUTE,
} from '../../../../functions/core/profile/plan.ts';
import { emptyProfile } from '../../../../functions/core/profile/profile.ts';
import { emptyTally } from '../../../../functions/core/profile/tally.ts';

/** The rendering is pure: SQL text and parameters, checked without an engine (tests/integration runs it). */

function planOf(text: string, references: Record<string, string[]> = {}): CountingPlan {
  return buildPlan(parseManifest(text, 'm.yaml'), (ref) => references[ref]);
}

const FULL = `
dataset: t
weight: w
consent: { column: consent, granted: [yes, "1"] }
label: { column: y, positive: ["1", "true"] }
privacy: { sampleValuesForIdentifiers: true }
attributes:
  - { name: sex, column: sex, groups: { female: [f, w], male: [m] }, missing: ["", n/a] }
  - { name: age_band, column: age, bins: [0, 18.5, 65] }
  - { name: state, column: address.state, reference: p/state }
  - { name: odd, column: 'we"ird, col', missing: [] }
intersections: [[sex, age_band], [sex, age_band, state]]
`;
const REFERENCES = { 'p/state': ['Bayern', 'Berlin'] };

const PLANS: Record<string, CountingPlan> = {
  full: planOf(FULL, REFERENCES),
  minimal: planOf('dataset: t\nattributes: [{ name: sex, column: sex }]'),
  bins: planOf('dataset: t\nattributes: [{ name: age, column: age, bins: [0.5] }]'),
  groupsOnly: planOf(
    'dataset: t\nconsent: { column: c, granted: [y] }\nattributes: [{ name: s, column: s, groups: { a: [x] } }]',
  ),
};
const TABLES: TableRef[] = [{ name: ['lake', 'profile_input'] }, { name: ['t'], dottedColumns: 'struct' }];

describe('renderGroupingSetsSql', () => {
  it('renders valid Trino (Athena engine v3) for every plan shape and table form', () => {
    const trino = new TrinoSQL();
    expect(trino.validate('SELECT a::int FROM t GROUP BY ALL').length).toBeGreaterThan(0);
    for (const [name, plan] of Object.entries(PLANS)) {
      for (const table of TABLES) {
        for (const statement of [
          renderGroupingSetsSql(plan, table, trinoDialect),
          renderIdentifierSampleSql(plan, table, trinoDialect),
        ]) {
          expect(trino.validate(statement.sql), name).toEqual([]);
          expect(statement.sql).not.toMatch(
            /::|read_csv|read_json|GROUP BY ALL|nfc_normalize|regexp_matches/,
          );
        }
      }
    }
  });

  it('has one GROUP BY GROUPING SETS with a set per attribute, per intersection and for the row totals', () => {
    const { sql } = renderGroupingSetsSql(PLANS.full!, TABLES[0]!, duckdbDialect);
    expect(sql.match(/GROUP BY GROUPING SETS/g)).toHaveLength(1);
    const sets = sql.slice(sql.indexOf('GROUPING SETS ('));
    expect(sets).toContain('(row_status)');
    for (let i = 0; i < 4; i++) expect(sets).toContain(`(kind${i}, grp${i})`);
    expect(sets).toContain('(kind0, grp0, kind1, grp1)');
    expect(sets).toContain('(kind0, grp0, kind1, grp1, kind2, grp2)');
  });

  it('passes every value as a parameter, one per placeholder, and never in the SQL text', () => {
    const injection = "x' OR 1=1 --";
    const plan = planOf(
      `dataset: t\nconsent: { column: c, granted: ["${injection}"] }\nattributes: [{ name: s, column: s, groups: { "${injection}": [Δ], b: [q] }, missing: [nope] }]`,
    );
    for (const dialect of [duckdbDialect, trinoDialect]) {
      for (const statement of [
        renderGroupingSetsSql(plan, TABLES[0]!, dialect),
        renderGroupingSetsSql(PLANS.full!, TABLES[0]!, dialect),
      ]) {
        // No `?` anywhere but the placeholders, not even in the regular expressions.
        expect(statement.sql.split('?').length - 1).toBe(statement.params.length);
      }
      const { sql, params } = renderGroupingSetsSql(plan, TABLES[0]!, dialect);
      expect(sql).not.toContain('OR 1=1');
      expect(sql).not.toContain('nope');
      expect(params).toContain(injection);
      expect(params).toContain("x' or 1=1 --");
      expect(params).toContain('δ');
    }
  });

  it('quotes identifiers by doubling quotes; dotted names are one column or a struct path', () => {
    expect(quoteIdentifier('we"ird, col')).toBe('"we""ird, col"');
    expect(() => quoteIdentifier('a\u0000b')).toThrow(InputError);
    const flat = renderGroupingSetsSql(PLANS.full!, { name: ['my"db', 'tbl'] }, trinoDialect).sql;
    expect(flat).toContain('FROM "my""db"."tbl" AS t');
    expect(flat).toContain('CAST(t."address.state" AS VARCHAR)');
    expect(flat).toContain('CAST(t."we""ird, col" AS VARCHAR)');
    const struct = renderGroupingSetsSql(
      PLANS.full!,
      { name: ['tbl'], dottedColumns: 'struct' },
      trinoDialect,
    ).sql;
    expect(struct).toContain('CAST(t."address"."state" AS VARCHAR)');
    expect(() => renderGroupingSetsSql(PLANS.full!, { name: [] }, trinoDialect)).toThrow(InputError);
  });

  it('keeps dialect quirks in the dialect objects', () => {
    const spell = (d: SqlDialect) => renderGroupingSetsSql(PLANS.full!, TABLES[0]!, d).sql;
    const duck = spell(duckdbDialect);
    const trino = spell(trinoDialect);
    expect(duck).toContain('nfc_normalize(v0)');
    expect(trino).toContain('normalize(v0, NFC)');
    expect(duck).toContain('regexp_matches(');
    expect(trino).toContain('regexp_like(');
    expect(duck).toMatch(/regexp_replace\([^)]*, 'g'\)/);
    expect(duck).toContain("'\\1ς\\2\\3', 'g')");
    expect(trino).toContain("'$1ς$2$3')");
    expect(duck).toContain('TRY_CAST(wt AS DOUBLE)');
    expect(trino).toContain('try_cast(wt AS double)');
  });

  it('limits the identifier sample to the rows the streaming profiler samples', () => {
    const { sql, params } = renderIdentifierSampleSql(PLANS.full!, TABLES[0]!, duckdbDialect);
    expect(sql).toMatch(/LIMIT 200$/);
    expect(sql).toContain('AS c4'); // the weight column, checked like the builder checks it
    expect(params).toEqual([]);
  });
});

/** A row of the statement as Athena returns it: everything as text, NULL as null. */
function row(plan: CountingPlan, fields: Record<string, SqlValue>): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {
    [C.rowsSet]: '1',
    [C.status]: null,
    [C.count]: '0',
    [C.weightSum]: null,
    [C.weightSqSum]: null,
    [C.positives]: null,
    [C.positiveWeightSum]: null,
  };
  plan.attributes.forEach((_, i) => {
    out[C.attributeSet(i)] = '1';
    out[C.kind(i)] = null;
    out[C.group(i)] = null;
  });
  return { ...out, ...fields };
}

function statusRow(plan: CountingPlan, status: number, count: number) {
  return row(plan, { [C.rowsSet]: '0', [C.status]: String(status), [C.count]: String(count) });
}

/** A counted group row of attribute `i` (weights 1, no label). */
function groupRow(plan: CountingPlan, i: number, kind: number, group: string | null, count: number) {
  return row(plan, {
    [C.attributeSet(i)]: '0',
    [C.kind(i)]: String(kind),
    [C.group(i)]: group,
    [C.count]: String(count),
    [C.weightSum]: `${count}.0`,
    [C.weightSqSum]: `${count}.0`,
    [C.positives]: '0',
  });
}

describe('profileFromGroupingSetsRows', () => {
  const plan = planOf(
    'dataset: t\nconsent: { column: c, granted: [y] }\nattributes:\n  - { name: sex, column: sex, groups: { female: [f], male: [m] } }\n  - { name: region, column: region, reference: p/region }\nintersections: [[sex, region]]\n',
    { 'p/region': ['North', 'South'] },
  );

  it('builds the Profile shape: totals, sorted groups, known groups with zero, cells, no malformed samples', () => {
    const profile = profileFromGroupingSetsRows(plan, [
      statusRow(plan, 0, 5),
      statusRow(plan, 1, 2),
      groupRow(plan, 0, 0, 'male', 3),
      groupRow(plan, 0, 1, null, 2),
      row(plan, { [C.attributeSet(0)]: '0', [C.count]: '2' }), // the excluded rows: no kind
      groupRow(plan, 1, 0, 'North', 4),
      groupRow(plan, 1, 0, 'east', 1),
      row(plan, {
        [C.attributeSet(0)]: '0',
        [C.attributeSet(1)]: '0',
        [C.kind(0)]: 0,
        [C.group(0)]: 'male',
        [C.kind(1)]: 0,
        [C.group(1)]: 'North',
        [C.count]: 3,
        [C.weightSum]: 3,
        [C.weightSqSum]: 3,
        [C.positives]: 0,
      }),
      row(plan, {
        [C.attributeSet(0)]: 0,
        [C.attributeSet(1)]: 0,
        [C.kind(0)]: 1,
        [C.kind(1)]: 0,
        [C.group(1)]: 'east',
        [C.count]: 2,
        [C.weightSum]: 2,
        [C.weightSqSum]: 2,
        [C.positives]: 0,
      }),
    ]);
    const { count: _count, ...zero } = emptyTally();
    const ones = (n: number) => ({
      ...emptyTally(),
      count: n,
      weightSum: n,
      weightSqSum: n,
      positives: 0,
      positiveWeightSum: 0,
    });
    expect(profile).toEqual({
      ...emptyProfile(plan),
      rows: { read: 7, used: 5, excludedNoConsent: 2, malformed: 0 },
      attributes: [
        {
          ...emptyProfile(plan).attributes[0],
          groups: [
            { group: 'female', count: 0, ...zero },
            { group: 'male', ...ones(3) },
          ],
          missing: 2,
          unmapped: 0,
        },
        {
          ...emptyProfile(plan).attributes[1],
          groups: [
            { group: 'North', ...ones(4) },
            { group: 'South', count: 0, ...zero },
            { group: 'east', ...ones(1) },
          ],
          missing: 0,
          unmapped: 0,
        },
      ],
      intersections: [
        {
          ...emptyProfile(plan).intersections[0],
          cells: [{ group: 'male|North', ...ones(3) }],
          incomplete: 2,
        },
      ],
      malformedSamples: [],
    });
  });

  it('folds identifier-looking values into unmapped (and incomplete cells), with a group-value hint', () => {
    const profile = profileFromGroupingSetsRows(plan, [
      statusRow(plan, 0, 4),
      groupRow(plan, 1, 0, 'jane.doe@example.com', 1),
      groupRow(plan, 1, 0, '+49 30 1234567', 2),
      groupRow(plan, 1, 0, 'west', 1),
      row(plan, {
        [C.attributeSet(0)]: 0,
        [C.attributeSet(1)]: 0,
        [C.kind(0)]: 0,
        [C.group(0)]: 'female',
        [C.kind(1)]: 0,
        [C.group(1)]: '+49 30 1234567',
        [C.count]: 2,
      }),
    ]);
    expect(profile.attributes[1]!.unmapped).toBe(3);
    expect(profile.attributes[1]!.groups.map((g) => g.group)).toEqual(['North', 'South', 'west']);
    expect(profile.intersections[0]!.incomplete).toBe(2);
    expect(profile.intersections[0]!.cells).toEqual([]);
    expect(profile.identifierHints).toEqual([
      { column: 'region', kind: 'email', source: 'group-value', matched: 1, sampled: 0 },
      { column: 'region', kind: 'phone', source: 'group-value', matched: 2, sampled: 0 },
    ]);
  });

  it('fails with TOO_MANY_GROUPS past the limit, not counting known groups twice or identifiers at all', () => {
    const distinct = (n: number, name: (k: number) => string) =>
      Array.from({ length: n }, (_, k) => groupRow(plan, 1, 0, name(k), 1));
    // 2 known + 998 new = 1000 groups: fine, also with 500 e-mail addresses on top.
    const fine = [
      ...distinct(MAX_GROUPS_PER_ATTRIBUTE - 2, (k) => `v${k}`),
      groupRow(plan, 1, 0, 'North', 1),
      ...distinct(500, (k) => `p${k}@example.com`),
    ];
    expect(profileFromGroupingSetsRows(plan, fine).attributes[1]!.groups).toHaveLength(
      MAX_GROUPS_PER_ATTRIBUTE,
    );
    const reader = new GroupingSetsProfileReader(plan);
    for (const r of fine) reader.add(r);
    let error: unknown;
    try {
      reader.add(groupRow(plan, 1, 0, 'one too many', 1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'TOO_MANY_GROUPS' });
    expect((error as Error).message).toBe(
      "column 'region' (attribute region) has more than 1000 distinct values; expected a grouping column: declare groups or bins, or check the column name",
    );
  });

  it('reads numbers given as bigints or text, and turns a negative-zero sum into 0', () => {
    const profile = profileFromGroupingSetsRows(plan, [
      row(plan, { [C.rowsSet]: 0, [C.status]: 0, [C.count]: 2 as unknown as SqlValue }),
      row(plan, {
        [C.attributeSet(0)]: 0,
        [C.kind(0)]: 0,
        [C.group(0)]: 'female',
        [C.count]: '2',
        [C.weightSum]: -0,
        [C.weightSqSum]: '0',
        [C.positives]: '1',
        [C.positiveWeightSum]: '-0.0',
      }),
    ]);
    const female = profile.attributes[0]!.groups[0]!;
    expect(Object.is(female.weightSum, 0)).toBe(true);
    expect(Object.is(female.positiveWeightSum, 0)).toBe(true);
    expect(female.positives).toBe(1);
  });

  it('adds sample hints like the builder: per projected column, over the sampled rows', () => {
    const sampling = planOf(
      'dataset: t\nprivacy: { sampleValuesForIdentifiers: true }\nattributes: [{ name: s, column: s }, { name: e, column: contact }]',
    );
    const sample = [
      { c0: 'x', c1: 'a@example.com' },
      { c0: '10.0.0.1', c1: 'b@example.com' },
      { c0: null, c1: null },
    ];
    const profile = profileFromGroupingSetsRows(sampling, [], { identifierSample: sample });
    expect(profile.identifierHints).toEqual([
      { column: 'contact', kind: 'email', source: 'sample', matched: 2, sampled: 3 },
      { column: 's', kind: 'ip-address', source: 'sample', matched: 1, sampled: 3 },
    ]);
    // Without the opt-in the sample is ignored, as the builder would not have sampled.
    expect(profileFromGroupingSetsRows(plan, [], { identifierSample: sample }).identifierHints).toEqual([]);
  });

  it('refuses rows it cannot place', () => {
    expect(() => profileFromGroupingSetsRows(plan, [statusRow(plan, 7, 1)])).toThrow(TypeError);
    expect(() => profileFromGroupingSetsRows(plan, [groupRow(plan, 0, 0, null, 1)])).toThrow(
      /expected text in grp0/,
    );
    expect(() => profileFromGroupingSetsRows(plan, [groupRow(plan, 0, 0, 'male', Number.NaN)])).toThrow(
      /expected a number/,
    );
    expect(() => profileFromGroupingSetsRows(plan, [row(plan, {})])).toThrow(/nothing groups by/);
  });

  it('gives the empty profile for no rows', () => {
    expect(profileFromGroupingSetsRows(plan, [])).toEqual(emptyProfile(plan));
  });
});
