import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../functions/adapters/local/duckdb-query-engine.ts';
import { FileObjectStore } from '../../functions/adapters/local/file-object-store.ts';
import { compareStatement, referenceAlias, toCompareRows } from '../../functions/core/compare/compare-sql.ts';
import { lakeKeys } from '../../functions/core/lake/layout.ts';
import { LAKE_TABLES, partitionKeys, toJsonLines } from '../../functions/core/lake/tables.ts';
import { writeReferenceTable } from '../../functions/pipeline/references.ts';
import { tempDir } from '../fixtures/cli.ts';

/** The compare SQL is valid Trino (Athena engine v3) and runs on DuckDB over the lake layout. */
let dir: string;
let cleanup: () => Promise<void>;
let engine: DuckDbQueryEngine;

const mappings = [
  { attribute: 'sex', population: 'p-1', referenceAttribute: 'sex' },
  { attribute: 'region', population: 'p-1', referenceAttribute: 'state' },
];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const store = new FileObjectStore(dir);
  await writeReferenceTable(store, {
    populations: [],
    rows: [
      { population: 'p-1', attribute: 'sex', group: 'female', count: 50, share: 0.5, sourceYear: 2020 },
      { population: 'p-1', attribute: 'sex', group: 'male', count: 50, share: 0.5, sourceYear: 2020 },
      {
        population: 'p-1',
        attribute: 'state',
        group: 'North, "upper"',
        count: 30,
        share: 0.3,
        sourceYear: 2020,
      },
      { population: 'p-1', attribute: 'state', group: 'South', count: 70, share: 0.7, sourceYear: 2020 },
      { population: 'p-2', attribute: 'sex', group: 'female', count: null, share: 1, sourceYear: null },
    ],
  });
  const counts = (rows: [string, string, number][]) =>
    toJsonLines(
      rows.map(([attribute, group, count]) => ({
        attribute,
        group,
        count,
        weight_sum: count,
        weight_sq_sum: count,
        positives: 1,
        positive_weight_sum: 1,
      })),
    );
  await store.write(
    lakeKeys.groupCounts('ds-1', 'r1'),
    counts([
      ['sex', 'Female', 40],
      ['sex', 'diverse', 2],
      ['region', 'South', 9],
      ['channel', 'web', 5],
    ]),
  );
  await store.write(lakeKeys.groupCounts('ds-1', 'r0'), counts([['sex', 'male', 999]]));
  await store.write(lakeKeys.groupCounts('ds-2', 'r1'), counts([['sex', 'male', 999]]));
  engine = new DuckDbQueryEngine(dir, { threads: 1 });
});

afterAll(async () => {
  engine.close();
  await cleanup();
});

describe('compare SQL', () => {
  it('parses as Trino, with and without reference mappings', () => {
    const trino = new TrinoSQL();
    for (const statement of [compareStatement('ds-1', 'r1', mappings), compareStatement('ds-1', 'r1', [])]) {
      expect(trino.validate(statement.sql)).toEqual([]);
      expect(statement.sql).not.toMatch(/::|read_csv|read_json|GROUP BY ALL/);
      expect(statement.sql.split('?').length - 1).toBe(statement.params.length);
    }
  });

  it('the grammar check would catch DuckDB-only syntax', () => {
    expect(new TrinoSQL().validate('SELECT x::INTEGER FROM t').length).toBeGreaterThan(0);
  });

  it('takes values only as parameters', () => {
    const s = compareStatement("ds'; DROP TABLE x; --", 'r1', mappings);
    expect(s.sql).not.toContain('DROP');
    expect(s.params).toContain("ds'; DROP TABLE x; --");
  });

  it('full outer joins one run with its references on DuckDB, matching groups case-insensitively', async () => {
    const s = compareStatement('ds-1', 'r1', mappings);
    const rows = toCompareRows(await engine.rows(s.sql, s.params));
    expect(rows.map((r) => [r.attribute, r.group, r.count, r.referenceShare])).toEqual([
      ['channel', 'web', 5, null],
      ['region', 'North, "upper"', null, 0.3],
      ['region', 'South', 9, 0.7],
      ['sex', 'Female', 40, 0.5],
      ['sex', 'diverse', 2, null],
      ['sex', 'male', null, 0.5],
    ]);
  });

  it("reads a further reference's rows under its alias, in the same statement (#18)", async () => {
    const alias = referenceAlias('sex', 'p-2/sex');
    const further = [
      ...mappings,
      { attribute: alias, population: 'p-2', referenceAttribute: 'sex', counts: 'sex' },
    ];
    const s = compareStatement('ds-1', 'r1', further);
    expect(new TrinoSQL().validate(s.sql)).toEqual([]);
    expect(s.sql.split('?').length - 1).toBe(s.params.length);
    const rows = toCompareRows(await engine.rows(s.sql, s.params));
    expect(rows.map((r) => [r.attribute, r.group, r.count, r.referenceShare])).toEqual([
      ['channel', 'web', 5, null],
      ['region', 'North, "upper"', null, 0.3],
      ['region', 'South', 9, 0.7],
      ['sex', 'Female', 40, 0.5],
      ['sex', 'diverse', 2, null],
      ['sex', 'male', null, 0.5],
      ['sex@p-2/sex', 'Female', 40, 1],
      ['sex@p-2/sex', 'diverse', 2, null],
    ]);
    // Without a further reference the statement is the one it was before #18.
    expect(compareStatement('ds-1', 'r1', mappings).sql).not.toContain('aliases');
  });

  it('without mappings returns the run counts alone', async () => {
    const s = compareStatement('ds-2', 'r1', []);
    const rows = toCompareRows(await engine.rows(s.sql, s.params));
    expect(rows.map((r) => [r.attribute, r.group, r.count, r.referenceShare])).toEqual([
      ['sex', 'male', 999, null],
    ]);
  });

  it('reports a failing statement as a QueryError with the first line of the cause', async () => {
    await expect(engine.rows('SELECT * FROM no_such_table')).rejects.toMatchObject({
      name: 'QueryError',
      code: 'QUERY_FAILED',
      message: expect.stringMatching(/^DuckDB could not run the statement: .*no_such_table/),
    });
  });
});

describe('lake views', () => {
  const duckdbType = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE' } as const;
  const expected = (name: string) => {
    const table = LAKE_TABLES.find((t) => t.name === name)!;
    return [...partitionKeys(table), ...table.columns].map((c) => [c.name, duckdbType[c.type]]);
  };
  const describeView = async (e: DuckDbQueryEngine, name: string) =>
    (await e.rows(`DESCRIBE ${name}`)).map((r) => [r['column_name'], r['column_type']]);

  it('are generated from the catalogue: its columns and types, with files and without', async () => {
    const { dir: emptyDir, cleanup: cleanupEmpty } = await tempDir();
    const empty = new DuckDbQueryEngine(emptyDir, { threads: 1 });
    try {
      for (const name of ['reference_populations', 'group_counts', 'group_metrics']) {
        expect(await describeView(empty, name)).toEqual(expected(name));
        if (name !== 'group_metrics') expect(await describeView(engine, name)).toEqual(expected(name));
      }
      expect((await empty.rows('SELECT count(*) AS n FROM group_counts'))[0]).toEqual({ n: 0 });
    } finally {
      empty.close();
      await cleanupEmpty();
    }
  });

  it('read optional CSV cells as NULL and partition keys from the folders', async () => {
    const refs = await engine.rows(
      `SELECT population, "count", source_year FROM reference_populations WHERE population = 'p-2'`,
    );
    expect(refs).toEqual([{ population: 'p-2', count: null, source_year: null }]);
    const runs = await engine.rows('SELECT DISTINCT dataset, run FROM group_counts ORDER BY 1, 2');
    expect(runs).toEqual([
      { dataset: 'ds-1', run: 'r0' },
      { dataset: 'ds-1', run: 'r1' },
      { dataset: 'ds-2', run: 'r1' },
    ]);
  });
});
