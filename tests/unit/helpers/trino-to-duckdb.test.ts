import { DuckDBInstance } from '@duckdb/node-api';
import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../functions/core/manifest/parse.ts';
import {
  duckdbDialect,
  renderGroupingSetsSql,
  renderIdentifierSampleSql,
  trinoDialect,
} from '../../../functions/core/profile/grouping-sets-sql.ts';
import { buildPlan } from '../../../functions/core/profile/plan.ts';
import { LEADS_MANIFEST } from '../../fixtures/leads.ts';
import { trinoToDuckDb } from '../../helpers/trino-to-duckdb.ts';

/**
 * The Athena stand-in's rewrite of Trino's spellings into DuckDB's. The strongest check: the
 * GROUPING SETS statement rendered for Trino, rewritten, is the statement rendered for DuckDB
 * (`try_cast`'s case aside, which both engines ignore).
 */
const WEIGHTED = `${LEADS_MANIFEST}weight: age\nprivacy: { sampleValuesForIdentifiers: true }\n`;

function plan(manifest: string) {
  return buildPlan(parseManifest(manifest, 'm.yaml'), () => undefined);
}

const sameCase = (sql: string) =>
  sql.replaceAll('try_cast(', 'TRY_CAST(').replaceAll(' AS double)', ' AS DOUBLE)');

describe('trinoToDuckDb', () => {
  it('turns the Trino GROUPING SETS statement into the DuckDB one', () => {
    for (const manifest of [LEADS_MANIFEST, WEIGHTED]) {
      const p = plan(manifest);
      const trino = renderGroupingSetsSql(p, { name: ['leads_rows'] }, trinoDialect);
      const duck = renderGroupingSetsSql(p, { name: ['leads_rows'] }, duckdbDialect);
      expect(new TrinoSQL().validate(trino.sql)).toEqual([]);
      expect(trino.sql).toMatch(/normalize\(.*, NFC\)/);
      expect(sameCase(trinoToDuckDb(trino.sql))).toBe(sameCase(duck.sql));
      expect(trino.params).toEqual(duck.params);
      const trinoSample = renderIdentifierSampleSql(p, { name: ['t'] }, trinoDialect).sql;
      const duckSample = renderIdentifierSampleSql(p, { name: ['t'] }, duckdbDialect).sql;
      expect(sameCase(trinoToDuckDb(trinoSample))).toBe(sameCase(duckSample));
    }
  });

  it('rewrites nested calls, group references and two-argument replaces, and nothing in quotes', () => {
    expect(trinoToDuckDb("SELECT REGEXP_LIKE(normalize(x, NFC), '^a') AS m")).toBe(
      "SELECT regexp_matches(nfc_normalize(x), '^a') AS m",
    );
    expect(trinoToDuckDb("regexp_replace(regexp_replace(x, '(a)(b)', '$2$1'), ' +')")).toBe(
      "regexp_replace(regexp_replace(x, '(a)(b)', '\\2\\1', 'g'), ' +', '', 'g')",
    );
    expect(trinoToDuckDb("regexp_replace(x, 'a', 'cost: \\$1 \\\\ it''s')")).toBe(
      "regexp_replace(x, 'a', 'cost: $1 \\\\ it''s', 'g')",
    );
    const opaque = `SELECT 'regexp_like(a, b)' AS "normalize(x, NFC)", my_regexp_like(a) -- regexp_like(c, d)\n/* normalize(e) */ FROM t`;
    expect(trinoToDuckDb(opaque)).toBe(opaque);
  });

  it('refuses what it cannot rewrite faithfully', () => {
    expect(() => trinoToDuckDb('normalize(x, NFD)')).toThrow(/NFC/);
    expect(() => trinoToDuckDb("regexp_replace(x, 'a', y)")).toThrow(/string literal/);
    // Trino's named group reference, `$` and `{n}`.
    expect(() => trinoToDuckDb(`regexp_replace(x, '(?<n>a)', '$${'{n}'}')`)).toThrow(/numbered group/);
    expect(() => trinoToDuckDb('regexp_like(x')).toThrow(/closing parenthesis/);
  });

  it('gives DuckDB statements that replace every match, as Trino does', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    try {
      const connection = await instance.connect();
      const sql = trinoToDuckDb(
        "SELECT regexp_replace('a1b22c', '([0-9]+)', '<$1>') AS r, regexp_like('Ab', '^[A-Z]') AS l, normalize('e\u0301', NFC) AS n",
      );
      const reader = await connection.runAndReadAll(sql);
      expect(reader.getRowObjectsJS()).toEqual([{ r: 'a<1>b<22>c', l: true, n: '\u00e9' }]);
    } finally {
      instance.closeSync();
    }
  });
});
