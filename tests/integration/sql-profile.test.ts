import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { TrinoSQL } from 'dt-sql-parser';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileFileWithDuckDb } from '../../functions/adapters/local/duckdb-file-profiler.ts';
import { seededRandom } from '../../functions/cli/demo-data.ts';
import { InputError } from '../../functions/core/errors.ts';
import { parseManifest } from '../../functions/core/manifest/parse.ts';
import { renderGroupingSetsSql, trinoDialect } from '../../functions/core/profile/grouping-sets-sql.ts';
import { buildPlan, type CountingPlan } from '../../functions/core/profile/plan.ts';
import { type Profile, ProfileBuilder } from '../../functions/core/profile/profile.ts';
import { type DataFormat, detectFormat } from '../../functions/core/scan/format.ts';
import { scanFile } from '../../functions/core/scan/scan-file.ts';
import { tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, leadsJsonl, skewedLeads } from '../fixtures/leads.ts';
import { chunkedStream, fixturePath, memoryRandomAccess } from '../fixtures/scan/builders.ts';

/**
 * The differential test of the two executors of one counting plan: the streaming profiler
 * (ProfileBuilder fed by the format readers) and the plan rendered as one GROUP BY GROUPING SETS
 * statement run by DuckDB must give the same Profile (all but malformedSamples, which SQL cannot
 * give) on every fixture, on the leads fixtures in every format, and on generated messy tables.
 */

type CsvOptions = { delimiter?: string; header?: boolean };

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('repscope-sql-profile-'));
});
afterAll(async () => cleanup());

const REFERENCES: Record<string, string[]> = {
  'p/sex': ['female', 'male', 'diverse'],
  'p/state': ['Bayern', 'Berlin', 'Hessen', 'Nordrhein-Westfalen', 'Sachsen', 'Bremen', 'Hamburg'],
  'p/region': ['North', 'South', 'Σίσυφος', 'İzmir', 'Bayern'],
};

function planOf(manifest: string, references: Record<string, string[]> = REFERENCES): CountingPlan {
  return buildPlan(parseManifest(manifest, 'repscope.yaml'), (ref) => references[ref]);
}

async function streamProfile(file: string, format: DataFormat, plan: CountingPlan, csv: CsvOptions = {}) {
  const bytes = new Uint8Array(await readFile(file));
  const builder = new ProfileBuilder(plan);
  await scanFile(
    {
      fileName: file,
      format,
      compression: detectFormat(file, format).compression,
      stream: () => chunkedStream(bytes, 64 * 1024),
      random: memoryRandomAccess(bytes),
    },
    { columns: plan.columns, csv },
    builder,
  );
  return builder.toProfile();
}

function sqlProfile(file: string, format: DataFormat, plan: CountingPlan, csv: CsvOptions = {}) {
  return profileFileWithDuckDb(file, format, plan, { threads: 2, csv });
}

/** Everything but the samples of malformed rows, which only the streaming profiler can give. */
function comparable(profile: Profile): Profile {
  return { ...profile, malformedSamples: [] };
}

async function expectSameProfile(file: string, format: DataFormat, plan: CountingPlan, csv: CsvOptions = {}) {
  const streamed = await streamProfile(file, format, plan, csv);
  const counted = await sqlProfile(file, format, plan, csv);
  expect(counted, path.basename(file)).toEqual(comparable(streamed));
  return streamed;
}

/* ------------------------------------------------------------------------------------------------
 * Every hand-made fixture of tests/fixtures/scan
 */

const SEX =
  '{ name: sex, column: sex, reference: p/sex, groups: { female: [f, w], male: [m], diverse: [d, x] } }';

/** A manifest per fixture; the readable ones must give the same profile, the others be refused. */
/**
 * `readable`: both profilers give the same profile. Not readable: the streaming profiler counts the
 * malformed records and the SQL engine refuses the file, or (`refusedByBoth`, a fault of the whole
 * file such as a quote open at its end) both refuse it.
 */
const FIXTURES: Record<
  string,
  { manifest: string; readable: boolean; refusedByBoth?: RegExp; csv?: CsvOptions }
> = {
  'bom.csv': {
    readable: true,
    manifest: `attributes: [${SEX}, { name: age, column: age, bins: [0, 18, 50] }]\nintersections: [[sex, age]]`,
  },
  'crlf.csv': {
    readable: true,
    manifest: `attributes: [${SEX}, { name: region, column: region }]\nintersections: [[sex, region]]`,
  },
  'embedded.csv': {
    readable: true,
    manifest: `attributes: [${SEX}, { name: name, column: name }]`,
  },
  'empty.csv': { readable: true, manifest: `attributes: [${SEX}]` },
  'header-only.csv': {
    readable: true,
    manifest: `attributes: [${SEX}, { name: age, column: age, bins: [0, 18] }]`,
  },
  'quoted-newlines.csv': {
    readable: true,
    manifest: `attributes: [${SEX}, { name: comment, column: comment }]\nintersections: [[comment, sex]]`,
  },
  'semicolon.csv': {
    readable: true,
    manifest: `attributes: [${SEX}, { name: income, column: income, bins: [0, 2] }, { name: raw, column: income }]`,
  },
  'pipe.txt': { readable: true, manifest: `attributes: [${SEX}, { name: note, column: note }]` },
  'tab.tsv': {
    readable: true,
    manifest: `attributes: [${SEX}, { name: note, column: note }]`,
    csv: { delimiter: '\t' },
  },
  'nested.jsonl': {
    readable: true,
    manifest: `consent: { column: consent, granted: ["true", "yes"] }
attributes:
  - ${SEX}
  - { name: age, column: age, bins: [0, 18, 50] }
  - { name: state, column: address.state, reference: p/state }
  - { name: city, column: address.city }
intersections: [[sex, state], [age, city]]`,
  },
  'invalid-utf8.csv': { readable: false, manifest: `attributes: [${SEX}, { name: note, column: note }]` },
  'ragged.csv': { readable: false, manifest: `attributes: [${SEX}, { name: age, column: age, bins: [0] }]` },
  'unterminated-quote.csv': {
    readable: false,
    refusedByBoth: /unterminated-quote\.csv: line 3: a quote opened here is never closed/,
    manifest: `attributes: [${SEX}, { name: note, column: note }]`,
  },
  'bad-lines.jsonl': { readable: false, manifest: `attributes: [${SEX}]` },
};

describe('the SQL plan and the streaming profiler agree on every fixture', () => {
  it('covers every data file in tests/fixtures/scan', () => {
    const files = readdirSync(path.dirname(fixturePath('builders.ts'))).filter(
      (f) => !f.endsWith('.ts') && !f.startsWith('.'),
    );
    expect(files.sort()).toEqual(Object.keys(FIXTURES).sort());
  });

  for (const [name, fixture] of Object.entries(FIXTURES)) {
    const format = detectFormat(name).format;
    const plan = () => planOf(`dataset: fixture\n${fixture.manifest}\n`);

    if (fixture.readable) {
      it(`${name}: the same profile`, async () => {
        const streamed = await expectSameProfile(fixturePath(name), format, plan(), fixture.csv);
        expect(streamed.rows.malformed).toBe(0);
      });
    } else if (fixture.refusedByBoth) {
      it(`${name}: both profilers refuse the file`, async () => {
        const streamed = streamProfile(fixturePath(name), format, plan(), fixture.csv);
        await expect(streamed).rejects.toMatchObject({
          code: 'INPUT_FORMAT',
          message: expect.stringMatching(fixture.refusedByBoth!),
        });
        const refused = sqlProfile(fixturePath(name), format, plan(), fixture.csv);
        await expect(refused).rejects.toBeInstanceOf(InputError);
        await expect(refused).rejects.toMatchObject({ code: 'INPUT_FORMAT' });
      });
    } else {
      it(`${name}: the streaming profiler counts malformed records, the SQL engine refuses the file`, async () => {
        const streamed = await streamProfile(fixturePath(name), format, plan(), fixture.csv);
        expect(streamed.rows.malformed).toBeGreaterThan(0);
        const refused = sqlProfile(fixturePath(name), format, plan(), fixture.csv);
        await expect(refused).rejects.toBeInstanceOf(InputError);
        await expect(refused).rejects.toMatchObject({ code: 'INPUT_FORMAT' });
      });
    }
  }

  it('every fixture plan renders to valid Trino', () => {
    const trino = new TrinoSQL();
    for (const fixture of Object.values(FIXTURES)) {
      const { sql } = renderGroupingSetsSql(
        planOf(`dataset: fixture\n${fixture.manifest}\n`),
        { name: ['t'] },
        trinoDialect,
      );
      expect(trino.validate(sql)).toEqual([]);
    }
  });
});

/* ------------------------------------------------------------------------------------------------
 * The leads fixtures in every format
 */

describe('the leads fixtures in every format', () => {
  const leads = skewedLeads(3000);
  const variants: Record<string, string> = {
    manifest: LEADS_MANIFEST,
    'with e-mail as a values attribute, a source and sampled identifier hints': `${LEADS_MANIFEST.replace(
      'attributes:',
      'privacy: { sampleValuesForIdentifiers: true }\nsource: { column: notes }\nattributes:\n  - { name: contact, column: email }',
    )}`,
  };
  const files: [string, DataFormat][] = [
    ['leads.csv', 'csv'],
    ['leads.csv.gz', 'csv'],
    ['leads.jsonl', 'jsonl'],
    ['leads.jsonl.gz', 'jsonl'],
    ['leads.parquet', 'parquet'],
  ];

  beforeAll(async () => {
    const csv = leadsCsv(leads);
    const jsonl = leadsJsonl(leads);
    await writeFile(path.join(dir, 'leads.csv'), csv);
    await writeFile(path.join(dir, 'leads.csv.gz'), gzipSync(csv));
    await writeFile(path.join(dir, 'leads.jsonl'), jsonl);
    await writeFile(path.join(dir, 'leads.jsonl.gz'), gzipSync(jsonl));
    await duckDb(
      `COPY (SELECT * FROM read_json(${literal(path.join(dir, 'leads.jsonl'))}, format = 'newline_delimited', columns = {id: 'BIGINT', email: 'VARCHAR', sex: 'VARCHAR', age: 'INTEGER', address: 'STRUCT(state VARCHAR, city VARCHAR)', consent: 'VARCHAR', converted: 'BIGINT', notes: 'VARCHAR'}) ORDER BY id) TO ${literal(path.join(dir, 'leads.parquet'))} (FORMAT parquet, ROW_GROUP_SIZE 1000)`,
    );
  });

  for (const [variant, manifest] of Object.entries(variants)) {
    for (const [name, format] of files) {
      it(`${name}, ${variant}`, async () => {
        const streamed = await expectSameProfile(path.join(dir, name), format, planOf(manifest));
        expect(streamed.rows.read).toBe(3000);
        expect(streamed.rows.excludedNoConsent).toBeGreaterThan(0);
      });
    }
  }

  it('folds the e-mail addresses into unmapped and samples the first 200 rows in both', async () => {
    const plan = planOf(
      variants['with e-mail as a values attribute, a source and sampled identifier hints']!,
    );
    const profile = await sqlProfile(path.join(dir, 'leads.csv'), 'csv', plan);
    expect(profile.attributes[0]!.groups).toEqual([]);
    expect(profile.identifierHints).toContainEqual(
      expect.objectContaining({
        column: 'email',
        kind: 'email',
        source: 'sample',
        matched: 200,
        sampled: 200,
      }),
    );
    expect(profile.identifierHints).toContainEqual(
      expect.objectContaining({ column: 'email', kind: 'email', source: 'group-value' }),
    );
  });
});

/* ------------------------------------------------------------------------------------------------
 * Errors both engines give
 */

describe('limits and missing columns', () => {
  it('an attribute with more than 1000 groups fails with TOO_MANY_GROUPS in both; identifiers do not count', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `v${i},p${i}@example.com,g${i % 7}`);
    const file = path.join(dir, 'wide.csv');
    await writeFile(file, `free,email,small\n${rows.join('\n')}\n`);
    const wide = planOf('dataset: wide\nattributes: [{ name: free, column: free }]');
    await expect(streamProfile(file, 'csv', wide)).rejects.toMatchObject({ code: 'TOO_MANY_GROUPS' });
    await expect(sqlProfile(file, 'csv', wide)).rejects.toMatchObject({ code: 'TOO_MANY_GROUPS' });
    const emails = planOf(
      'dataset: wide\nattributes: [{ name: email, column: email }, { name: small, column: small }]',
    );
    const streamed = await expectSameProfile(file, 'csv', emails);
    expect(streamed.attributes[0]!.unmapped).toBe(1200);
  });

  it('decimal weights over many rows and threads: counts are equal, weight sums agree to rounding', async () => {
    const random = seededRandom(11);
    const weights = ['0.1', '1.7', '2.35', '0.3333', '12.5', '1e-3'];
    const rows = Array.from(
      { length: 60_000 },
      () =>
        `${['f', 'm', 'd'][Math.floor(random() * 3)]},${Math.floor(random() * 90)},${weights[Math.floor(random() * weights.length)]}`,
    );
    const file = path.join(dir, 'weighted.csv');
    await writeFile(file, `sex,age,w\n${rows.join('\n')}\n`);
    const plan = planOf(
      `dataset: w\nweight: w\nattributes: [${SEX}, { name: age, column: age, bins: [0, 18, 65] }]`,
    );
    const streamed = await streamProfile(file, 'csv', plan);
    const counted = await profileFileWithDuckDb(file, 'csv', plan, { threads: 4 });
    const sums = (p: Profile) =>
      p.attributes.flatMap((a) => a.groups.map((g) => [g.weightSum, g.weightSqSum]));
    const counts = (p: Profile) =>
      p.attributes.map((a) => a.groups.map((g) => [g.group, g.count, a.missing, a.unmapped]));
    expect(counts(counted)).toEqual(counts(streamed));
    expect(counted.rows).toEqual(streamed.rows);
    const expected = sums(streamed).flat();
    sums(counted)
      .flat()
      .forEach((x, i) => {
        expect(Math.abs(x - expected[i]!)).toBeLessThanOrEqual(1e-12 * Math.abs(expected[i]!));
      });
  });

  it('refuses what it cannot read the way the streaming profiler does, with a clear error', async () => {
    const plan = planOf(`dataset: t\nattributes: [${SEX}]`);
    await expect(
      profileFileWithDuckDb(fixturePath('bom.csv'), 'csv', plan, { csv: { encoding: 'windows-1252' } }),
    ).rejects.toMatchObject({ code: 'INPUT_FORMAT', message: expect.stringMatching(/UTF-8 CSV only/) });
    await expect(sqlProfile(path.join(dir, 'no-such.csv'), 'csv', plan)).rejects.toMatchObject({
      code: 'INPUT_UNREADABLE',
    });
    const gz = path.join(dir, 'leads.parquet.gz');
    await writeFile(gz, gzipSync(await readFile(path.join(dir, 'leads.parquet'))));
    await expect(sqlProfile(gz, 'parquet', plan)).rejects.toMatchObject({ code: 'INPUT_FORMAT' });
  });

  it('a column that is not in the file is COLUMN_NOT_FOUND in both, for every format', async () => {
    const plan = planOf('dataset: t\nattributes: [{ name: s, column: nowhere }]');
    for (const [name, format] of [
      ['bom.csv', 'csv'],
      ['nested.jsonl', 'jsonl'],
    ] as const) {
      await expect(streamProfile(fixturePath(name), format, plan)).rejects.toMatchObject({
        code: 'COLUMN_NOT_FOUND',
      });
      await expect(sqlProfile(fixturePath(name), format, plan)).rejects.toMatchObject({
        code: 'COLUMN_NOT_FOUND',
      });
    }
    await expect(sqlProfile(path.join(dir, 'leads.parquet'), 'parquet', plan)).rejects.toMatchObject({
      code: 'COLUMN_NOT_FOUND',
    });
  });
});

/* ------------------------------------------------------------------------------------------------
 * Generated tables: messy spellings, missing values, numbers for bins, weights, consent, labels
 */

/** A cell: text, a JSON number (CSV writes String(n)), or null (CSV: an empty field). */
type Cell = string | number | null;
interface Table {
  readonly sex: Cell[];
  readonly age: Cell[];
  readonly region: Cell[];
  readonly consent: Cell[];
  readonly y: Cell[];
  readonly w: Cell[];
  readonly channel: Cell[];
}
const COLUMNS = ['sex', 'age', 'region', 'consent', 'y', 'w', 'channel'] as const;

const space = fc.constantFrom(
  '',
  '',
  ' ',
  '  ',
  '\t',
  '\u00a0',
  '\u3000',
  '\u2028',
  '\ufeff',
  '\n',
  '\r\n',
  '\u000b',
);
const casing = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toUpperCase(),
  (s: string) => s.toLowerCase(),
  (s: string) => s.charAt(0).toUpperCase() + s.slice(1),
);
const messy = (core: fc.Arbitrary<string>) =>
  fc.tuple(space, core, space, casing, fc.boolean()).map(([before, text, after, cased, nfd]) => {
    const t = cased(text);
    return `${before}${nfd ? t.normalize('NFD') : t}${after}`;
  });
/** Code points whose case mapping DuckDB's Unicode tables do not know yet (Unicode 16/17). */
const NEW_CASE_PAIRS = (cp: number) => cp === 0x1c89 || cp === 0x1c8a || (cp >= 0xa7cb && cp <= 0xa7dd);
const anyText = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0x2fff })
    .filter((cp) => !NEW_CASE_PAIRS(cp))
    .map((cp) => String.fromCodePoint(cp)),
  maxLength: 6,
});

const cell = (text: fc.Arbitrary<Cell>) =>
  fc.oneof({ arbitrary: text, weight: 8 }, { arbitrary: fc.constant(null), weight: 1 });

const sexCell = cell(
  messy(
    fc.constantFrom(
      'female',
      'f',
      'W',
      'male',
      'm',
      'diverse',
      'x',
      'd',
      'n/a',
      'NA',
      '',
      'unknown',
      'none',
      'Frau',
      'prefer  not to say',
      'İnsan',
      'ΚΡΗΤΗΣ',
      'é',
      'ß',
      'ǅ',
    ),
  ),
);
const ageCell = cell(
  fc.oneof(
    messy(
      fc.constantFrom(
        '34',
        '34.5',
        '1e1',
        '-3',
        'abc',
        '.5',
        '+7',
        '1e400',
        '-1e400',
        '017',
        '5.',
        '',
        'NaN',
        'Infinity',
        '0x10',
        '1_000',
        '18',
        '17.999',
        '1E2',
        '١٢',
        '-0',
        '1e-400',
        '65',
        '1.e1',
      ),
    ),
    fc.integer({ min: -5, max: 120 }).map(String),
    fc.integer({ min: -5, max: 120 }),
    fc.constantFrom(34.5, -0, 1e21, 1e-7, 0.1, 2 ** 53 + 2, 2 ** 64 + 2 ** 12, 17.999999999999996),
  ),
);
const regionCell = cell(
  fc.oneof(
    messy(
      fc.constantFrom(
        'North',
        'south',
        'Σίσυφος',
        'ΟΔΥΣΣΕΥΣ',
        'ΑΣ.Σ',
        'İzmir',
        'izmir',
        'Bayern',
        'n/a',
        '',
        'Jane.Doe@Example.com',
        '+49 30 1234567',
        '10.0.0.1',
        'DE89 3704 0044 0532 0130 00',
        'ẞ',
        'ı',
        'a|b',
        '1',
      ),
    ),
    anyText,
    fc.constantFrom(1, 2.5, -0, 1e21),
  ),
);
const consentCell = cell(messy(fc.constantFrom('yes', 'YES', 'no', '', 'Ja', 'y e s', '1')));
const labelCell = cell(
  fc.oneof(
    messy(fc.constantFrom('1', 'true', '0', 'TRUE', 'false', '', 'NA', 'maybe', 'Unknown')),
    fc.constantFrom(1, 0),
  ),
);
const weightCell = cell(
  fc.oneof(
    messy(
      fc.constantFrom(
        '1',
        '2',
        '0.5',
        '0.25',
        '1.5',
        '0',
        '-0',
        '-1',
        'x',
        '',
        '1e400',
        '3e0',
        '+2',
        '.75',
        '1e-400',
        '2.',
      ),
    ),
    fc.integer({ min: 0, max: 64 }).map((n) => n / 4),
  ),
);
const channelCell = cell(messy(fc.constantFrom('web', 'app', 'partner', 'NA', 'Web ')));

const tableArb: fc.Arbitrary<Table> = fc.integer({ min: 0, max: 40 }).chain((n) =>
  fc.record({
    sex: fc.array(sexCell, { minLength: n, maxLength: n }),
    age: fc.array(ageCell, { minLength: n, maxLength: n }),
    region: fc.array(regionCell, { minLength: n, maxLength: n }),
    consent: fc.array(consentCell, { minLength: n, maxLength: n }),
    y: fc.array(labelCell, { minLength: n, maxLength: n }),
    w: fc.array(weightCell, { minLength: n, maxLength: n }),
    channel: fc.array(channelCell, { minLength: n, maxLength: n }),
  }),
);

const PAIRS = [
  ['sex', 'age_band'],
  ['sex', 'region'],
  ['age_band', 'region'],
  ['sex', 'age_band', 'region'],
];
const manifestArb = fc
  .record({
    sex: fc.constantFrom('groups', 'values', 'reference'),
    sexMissing: fc.option(fc.subarray(['', 'NA', 'unknown', 'prefer not to say', 'Frau'])),
    age: fc.constantFrom('bins', 'values'),
    edges: fc.oneof(
      fc.uniqueArray(fc.integer({ min: -10, max: 100 }), { minLength: 1, maxLength: 5 }),
      fc.uniqueArray(fc.constantFrom(-0.5, 0, 0.5, 17.999, 18, 1e20), { minLength: 1, maxLength: 4 }),
    ),
    region: fc.constantFrom('values', 'reference'),
    weight: fc.boolean(),
    consent: fc.boolean(),
    label: fc.constantFrom('none', 'positives', 'negatives too'),
    source: fc.boolean(),
    sample: fc.boolean(),
    intersections: fc.subarray(PAIRS),
  })
  .map((m) => {
    const sex: Record<string, unknown> = { name: 'sex', column: 'sex' };
    if (m.sex === 'groups')
      sex['groups'] = { female: ['f', 'w', 'Frau'], male: ['m'], diverse: ['d', 'x', 'İnsan'] };
    if (m.sex === 'reference') sex['reference'] = 'p/sex';
    if (m.sexMissing && m.sex !== 'groups') sex['missing'] = m.sexMissing;
    if (m.sexMissing && m.sex === 'groups') sex['missing'] = m.sexMissing.filter((v) => v !== 'Frau');
    const age: Record<string, unknown> = { name: 'age_band', column: 'age' };
    if (m.age === 'bins') age['bins'] = [...m.edges].sort((a, b) => a - b);
    const region: Record<string, unknown> = { name: 'region', column: 'addr.region' };
    if (m.region === 'reference') region['reference'] = 'p/region';
    return {
      dataset: 'generated',
      ...(m.weight ? { weight: 'w' } : {}),
      ...(m.consent ? { consent: { column: 'consent', granted: ['yes', 'ja', '1'] } } : {}),
      ...(m.label === 'positives' ? { label: { column: 'y', positive: ['1', 'true'] } } : {}),
      ...(m.label === 'negatives too'
        ? { label: { column: 'y', positive: ['1', 'true'], negative: ['0', 'false'] } }
        : {}),
      ...(m.source ? { source: { column: 'channel' } } : {}),
      privacy: { sampleValuesForIdentifiers: m.sample },
      attributes: [sex, age, region],
      intersections: m.intersections,
    };
  });

function csvOf(table: Table): string {
  const quote = (c: Cell) => (c === null ? '' : `"${String(c).replaceAll('"', '""')}"`);
  const rows = table.sex.map((_, r) => COLUMNS.map((k) => quote(table[k][r]!)).join(','));
  return `sex,age,addr.region,consent,y,w,channel\n${rows.map((r) => `${r}\n`).join('')}`;
}

function jsonlOf(table: Table): string {
  return table.sex
    .map((_, r) =>
      JSON.stringify({
        sex: table.sex[r],
        age: table.age[r],
        addr: r % 5 === 4 ? null : { region: table.region[r] },
        consent: table.consent[r],
        y: table.y[r],
        w: table.w[r],
        channel: table.channel[r],
      }),
    )
    .join('\n');
}

/** Parquet written by DuckDB (an independent writer) from the JSON Lines: typed where the column is. */
async function writeParquet(table: Table, jsonl: string, parquet: string): Promise<void> {
  const type = (cells: Cell[]) => (cells.every((c) => typeof c !== 'string') ? 'DOUBLE' : 'VARCHAR');
  const columns = `{sex: 'VARCHAR', age: '${type(table.age)}', addr: 'STRUCT(region ${type(table.region)})', consent: 'VARCHAR', y: '${type(table.y)}', w: '${type(table.w)}', channel: 'VARCHAR'}`;
  const source =
    table.sex.length === 0
      ? `SELECT * FROM (SELECT CAST(NULL AS VARCHAR) AS sex, CAST(NULL AS ${type(table.age)}) AS age, CAST(NULL AS STRUCT(region ${type(table.region)})) AS addr, CAST(NULL AS VARCHAR) AS consent, CAST(NULL AS ${type(table.y)}) AS y, CAST(NULL AS ${type(table.w)}) AS w, CAST(NULL AS VARCHAR) AS channel) WHERE 1 = 0`
      : `SELECT * FROM read_json(${literal(jsonl)}, format = 'newline_delimited', columns = ${columns})`;
  await duckDb(`COPY (${source}) TO ${literal(parquet)} (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
}

/** Each run writes one table as CSV, JSON Lines and Parquet and compares all three (~0.7 s a run). */
const PROPERTY_RUNS = 30;

describe('generated tables with messy values', () => {
  const trino = new TrinoSQL();
  let run = 0;
  it('give the same profile through both executors, as CSV, JSON Lines and Parquet', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, manifestArb, async (table, manifest) => {
        run++;
        const plan = planOf(JSON.stringify(manifest));
        expect(trino.validate(renderGroupingSetsSql(plan, { name: ['t'] }, trinoDialect).sql)).toEqual([]);
        const base = path.join(dir, `generated-${run}`);
        const jsonl = jsonlOf(table);
        await writeFile(`${base}.csv`, csvOf(table));
        await writeFile(`${base}.jsonl`, jsonl);
        await writeParquet(table, `${base}.jsonl`, `${base}.parquet`);
        await expectSameProfile(`${base}.csv`, 'csv', plan);
        await expectSameProfile(`${base}.jsonl`, 'jsonl', plan);
        await expectSameProfile(`${base}.parquet`, 'parquet', plan);
      }),
      { numRuns: PROPERTY_RUNS, seed: 4242, endOnFailure: true },
    );
    expect(run).toBe(PROPERTY_RUNS);
  }, 180_000);
});

/* ------------------------------------------------------------------------------------------------ */

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

async function duckDb(sql: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    await c.run(sql);
  } finally {
    db.closeSync();
  }
}
