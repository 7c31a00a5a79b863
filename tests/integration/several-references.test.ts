import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_MARKET_REFERENCE_CSV,
  DEMO_TWO_REFERENCES_MANIFEST,
  demoLeadsCsv,
} from '../../functions/cli/demo-data.ts';
import { formatReport } from '../../functions/cli/format-report.ts';
import type { Report } from '../../functions/core/report/schema.ts';
import { reportSchema } from '../../functions/core/report/schema.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';

/**
 * Issue #18 end to end: the demo's leads compared with the census and a market estimate added by
 * `repscope references add`; each further reference's block equals a run against that reference
 * alone; the published copy hides in a block what it hides in the attribute.
 */
let root: string;
let cleanup: () => Promise<void>;
const market = () => path.join(root, 'market-2026.csv');

async function put(key: string, body: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, key)), { recursive: true });
  await writeFile(path.join(root, key), body);
}

async function report(dataset: string, where: 'lake' | 'site'): Promise<Report> {
  const runs = path.join(root, 'lake/reports', `dataset=${dataset}`);
  const [run] = await readdir(runs);
  const file =
    where === 'lake'
      ? path.join(runs, run!, 'report.json')
      : path.join(root, 'site/datasets', dataset, 'runs', run!.replace(/^run=/, ''), 'report.json');
  return reportSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

const withId = (manifest: string, id: string) =>
  manifest.replace('dataset: marketing-leads', `dataset: ${id}`);

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  const data = [...demoLeadsCsv(1500)].join('');
  await put('datasets/two-refs/repscope.yaml', withId(DEMO_TWO_REFERENCES_MANIFEST, 'two-refs'));
  await put(
    'datasets/market-only/repscope.yaml',
    withId(DEMO_TWO_REFERENCES_MANIFEST, 'market-only')
      .replace('[de-2023/sex, market-2026/sex]', 'market-2026/sex')
      .replace('[de-2023/age_band, market-2026/age_band]', 'market-2026/age_band'),
  );
  await put(
    'datasets/judged/repscope.yaml',
    withId(DEMO_TWO_REFERENCES_MANIFEST, 'judged').replace(
      'thresholds: { minRatio: 0.8,',
      'thresholds: { references: { market-2026: { minRatio: 0.5, maxTvd: 0.3 } }, minRatio: 0.8,',
    ),
  );
  // A third population with a joint table, to compare the intersection with it directly.
  const customers = (manifest: string) =>
    manifest
      .replaceAll('market-2026/', 'customers-2025/')
      .replace(
        'thresholds: { minRatio: 0.8,',
        'thresholds: { references: { customers-2025: {} }, minRatio: 0.8,',
      );
  await put('datasets/joint/repscope.yaml', customers(withId(DEMO_TWO_REFERENCES_MANIFEST, 'joint')));
  await put(
    'datasets/customers-only/repscope.yaml',
    withId(DEMO_TWO_REFERENCES_MANIFEST, 'customers-only')
      .replace('[de-2023/sex, market-2026/sex]', 'customers-2025/sex')
      .replace('[de-2023/age_band, market-2026/age_band]', 'customers-2025/age_band'),
  );
  for (const id of ['two-refs', 'market-only', 'judged', 'joint', 'customers-only'])
    await put(`datasets/${id}/v1/leads.csv`, data);
  const sexes: [string, number][] = [
    ['female', 0.45],
    ['male', 0.55],
  ];
  const ages: [string, number][] = [
    ['0-17', 0.05],
    ['18-24', 0.2],
    ['25-34', 0.25],
    ['35-44', 0.2],
    ['45-54', 0.15],
    ['55-64', 0.1],
    ['65-74', 0.04],
    ['75+', 0.01],
  ];
  const counts = [
    ...sexes.map(([g, p]) => `sex,${g},${p * 10_000}`),
    ...ages.map(([g, p]) => `age_band,${g},${p * 10_000}`),
    ...sexes.flatMap(([s, p]) =>
      ages.map(([a, q]) => `sex_x_age_band,${s}|${a},${Math.round(p * q * 10_000)}`),
    ),
  ];
  await writeFile(path.join(root, 'customers.csv'), `attribute,group,count\n${counts.join('\n')}\n`);
  const customersAdded = await runCli([
    'references',
    'add',
    path.join(root, 'customers.csv'),
    '--root',
    root,
    '--name',
    'customers-2025',
    '--source',
    'CRM export',
    '--year',
    '2025',
    '--kind',
    'customers',
  ]);
  expect(customersAdded.stderr).toBe('');
  await writeFile(market(), DEMO_MARKET_REFERENCE_CSV);
  const added = await runCli([
    'references',
    'add',
    market(),
    '--root',
    root,
    '--name',
    'market-2026',
    '--source',
    'https://example.com/market-study',
    '--year',
    '2026',
    '--kind',
    'market',
    '--title',
    'Online buyers 2026 (estimate)',
  ]);
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  const run = await runCli(['run', '--root', root]);
  expect(run.stderr).toBe('');
}, 120_000);

afterAll(async () => {
  await cleanup();
});

describe('several references per attribute (#18)', () => {
  it('stores the added reference in the long format with its provenance beside it', async () => {
    const csv = await readFile(path.join(root, 'references/market-2026.csv'), 'utf8');
    expect(csv.split('\n').slice(0, 2)).toEqual([
      'population,attribute,group,count,share,source_year',
      'market-2026,sex,female,,0.47,2026',
    ]);
    expect(JSON.parse(await readFile(path.join(root, 'references/market-2026.json'), 'utf8'))).toEqual({
      id: 'market-2026',
      title: 'Online buyers 2026 (estimate)',
      source: 'https://example.com/market-study',
      year: 2026,
      kind: 'market',
    });
    const listed = await runCli([
      'references',
      'list',
      '--reference',
      path.join(root, 'references/market-2026.csv'),
    ]);
    expect(listed.stdout).toContain('market-2026  (2026)  Online buyers 2026 (estimate)  [market]');
  });

  it('gives each reference a block; a further one equals a run against it alone', async () => {
    const both = await report('two-refs', 'lake');
    const alone = await report('market-only', 'lake');
    for (const name of ['sex', 'age_band']) {
      const a = both.attributes.find((x) => x.name === name)!;
      const b = alone.attributes.find((x) => x.name === name)!;
      expect(a.comparisons!.map((c) => [c.reference, c.primary, c.kind, c.checked])).toEqual([
        [`de-2023/${name}`, true, 'official', true],
        [`market-2026/${name}`, false, 'market', false],
      ]);
      const [primary, further] = a.comparisons!;
      // The primary's block repeats the attribute's own fields.
      expect(primary!.groups.map((g) => [g.group, g.ratio, g.pAdjusted, g.status])).toEqual(
        a.groups.map((g) => [g.group, g.ratio, g.pAdjusted, g.status]),
      );
      expect(primary!.distances).toEqual(a.distances);
      // The further one is the same statistics against the market's shares.
      expect(further!.groups).toEqual(
        b.groups.map(
          ({ group, referenceShare, ratio, difference, pValue, pAdjusted, status, rowsNeeded, note }) => ({
            group,
            referenceShare,
            ratio,
            difference,
            pValue,
            pAdjusted,
            status,
            ...(rowsNeeded === undefined ? {} : { rowsNeeded }),
            ...(note === undefined ? {} : { note }),
          }),
        ),
      );
      expect(further!.tests).toEqual(b.tests);
      expect(further!.distances).toEqual(b.distances);
      expect(further!.status).toBe(b.status);
      expect(further!.positiveComposition).toEqual(b.labels!.positiveComposition);
    }
    expect(both.provenance.references.map((r) => r.id)).toEqual(['de-2023', 'market-2026']);
    expect(both.provenance.references[1]).toMatchObject({
      year: 2026,
      source: 'https://example.com/market-study',
      url: 'https://example.com/market-study',
    });
  });

  it('keeps checks and verdict on the primary unless a reference has thresholds of its own', async () => {
    const both = await report('two-refs', 'lake');
    expect(both.checks.map((c) => c.id).filter((id) => id.includes('@'))).toEqual([]);
    const judged = await report('judged', 'lake');
    const own = judged.checks.filter((c) => c.id.includes('@'));
    expect(own.map((c) => c.id)).toEqual([
      'representation:sex@market-2026/sex',
      'representation:age_band@market-2026/age_band',
      'intersection:sex_x_age_band@market-2026/sex × market-2026/age_band',
    ]);
    const block = judged.attributes.find((a) => a.name === 'age_band')!.comparisons![1]!;
    expect(block).toMatchObject({ checked: true, thresholds: { minRatio: 0.5, maxTvd: 0.3 } });
    expect(own[1]!.status).toBe(block.status);
    expect(own[1]!.message).toMatch(/^age_band vs market-2026\/age_band: /);
  });

  it('hides in a published block what the attribute hides', async () => {
    const published = await report('two-refs', 'site');
    const age = published.attributes.find((a) => a.name === 'age_band')!;
    const hidden = age.groups.filter((g) => g.status === 'suppressed').map((g) => g.group);
    expect(hidden.length).toBeGreaterThan(0);
    for (const block of age.comparisons!) {
      for (const g of block.groups) {
        if (!hidden.includes(g.group)) continue;
        expect(g).toMatchObject({ status: 'suppressed', ratio: null, difference: null, pValue: null });
        expect(g.rowsNeeded).toBeUndefined();
      }
      expect(block.distances.tvd).toBeNull();
      expect(block.tests.chiSquare?.statistic ?? null).toBeNull();
      expect(block.groups.every((g) => g.pAdjusted === null)).toBe(true);
    }
  });

  it('shows both references in the text, Markdown and JSON output', async () => {
    const published = await report('two-refs', 'site');
    const text = formatReport(published, 'text');
    expect(text).toContain('age_band  (column age, vs de-2023/age_band, market-2026/age_band)');
    expect(text).toMatch(/Against de-2023\/age_band \(official statistic, primary\), age_band is /);
    expect(text).toMatch(/Against market-2026\/age_band \(market estimate, for information\), age_band is /);
    const markdown = formatReport(published, 'markdown');
    expect(markdown).toMatch(
      /\| group \| share \| de-2023\/age_band \| ratio \| market-2026\/age_band \| ratio \|/,
    );
    const data = path.join(root, 'datasets/two-refs/v1/leads.csv');
    const json = await runCli([
      'check',
      data,
      '--manifest',
      path.join(root, 'datasets/two-refs/repscope.yaml'),
      '--reference',
      path.join(root, 'references/market-2026.csv'),
      '--format',
      'json',
    ]);
    const checked = JSON.parse(json.stdout) as Report;
    expect(checked.attributes.find((a) => a.name === 'sex')!.comparisons!.map((b) => b.reference)).toEqual([
      'de-2023/sex',
      'market-2026/sex',
    ]);
  });
});

describe('intersections against further populations (#18)', () => {
  const blockFields = (g: Report['intersections'][number]['groups'][number]) => ({
    group: g.group,
    referenceShare: g.referenceShare,
    ratio: g.ratio,
    difference: g.difference,
    pValue: g.pValue,
    pAdjusted: g.pAdjusted,
    status: g.status,
    ...(g.rowsNeeded === undefined ? {} : { rowsNeeded: g.rowsNeeded }),
    ...(g.note === undefined ? {} : { note: g.note }),
  });

  it('compares with the product of a further population marginals when it has no joint table', async () => {
    const both = (await report('two-refs', 'lake')).intersections[0]!;
    const alone = (await report('market-only', 'lake')).intersections[0]!;
    expect(alone.basis).toBe('product-of-marginals');
    expect(both.comparisons!.map((b) => [b.reference, b.primary, b.kind, b.checked])).toEqual([
      ['de-2023/sex_x_age_band', true, 'official', true],
      ['market-2026/sex × market-2026/age_band', false, 'market', false],
    ]);
    expect(both.comparisons![1]!.groups).toEqual(alone.groups.map(blockFields));
  });

  it("compares with a further population's joint table when it has one, and checks it with its own thresholds", async () => {
    const joint = await report('joint', 'lake');
    const alone = (await report('customers-only', 'lake')).intersections[0]!;
    expect(alone.basis).toBe('joint-reference');
    const block = joint.intersections[0]!.comparisons![1]!;
    expect(block).toMatchObject({
      reference: 'customers-2025/sex_x_age_band',
      kind: 'customers',
      checked: true,
    });
    expect(block.groups).toEqual(alone.groups.map(blockFields));
    expect(joint.checks.map((c) => c.id)).toContain(
      'intersection:sex_x_age_band@customers-2025/sex_x_age_band',
    );
  });

  it('shows the blocks in the text output and on the page', async () => {
    const published = await report('two-refs', 'site');
    expect(formatReport(published, 'text')).toMatch(
      /Against market-2026\/sex × market-2026\/age_band \(market estimate, for information\), sex × age_band is /,
    );
    const page = await readFile(
      path.join(root, 'site/datasets/two-refs/runs', published.run.id, 'index.html'),
      'utf8',
    );
    expect(page).toContain('sex × age_band against 2 references');
  });
});

describe('the run page with several references (#18)', () => {
  it('names each reference with its source, year and kind, draws them side by side and says a sentence for each', async () => {
    const published = await report('two-refs', 'site');
    const page = await readFile(
      path.join(root, 'site/datasets/two-refs/runs', published.run.id, 'index.html'),
      'utf8',
    );
    const section = page.slice(page.indexOf('age_band against 2 references'));
    expect(section).toContain(
      '<code>de-2023/age_band</code> (official statistic, primary): Germany, population on 31 December 2023',
    );
    expect(section).toContain(
      '<code>market-2026/age_band</code> (market estimate, for information): Online buyers 2026 (estimate); source https://example.com/market-study, year 2026',
    );
    expect(section).toMatch(/<p>Against de-2023\/age_band \(official statistic, primary\), age_band is /);
    expect(section).toMatch(
      /<p>Against market-2026\/age_band \(market estimate, for information\), age_band is /,
    );
    expect(section).toMatch(
      /aria-label="Bar chart of the share per group of age_band in the dataset and in each of 2 references\./,
    );
    expect(section).toContain('<svg');
    expect(section).toContain('Ratio to de-2023/age_band</th>');
    expect(section).toContain('Ratio to market-2026/age_band</th>');
    // The provenance table says each population's kind.
    expect(page).toMatch(/<th scope="col">Kind<\/th>/);
    expect(page).toContain('<td>market estimate</td>');
  });
});

describe('repscope references add refuses', () => {
  const add = (file: string, ...extra: string[]) =>
    runCli(['references', 'add', file, '--root', root, '--source', 'survey', '--year', '2026', ...extra]);
  const cases: [string, string, string[], RegExp][] = [
    [
      'shares that do not sum to 1',
      'attribute,group,share\nsex,female,0.4\nsex,male,0.4\n',
      [],
      /shares of sex add up to 0\.80000000; expected 1/,
    ],
    [
      'a duplicated group',
      'attribute,group,share\nsex,female,0.5\nsex,female,0.5\n',
      [],
      /line 3: group 'female' of sex appears again \(first on line 2\)/,
    ],
    [
      'a negative count',
      'attribute,group,count\nsex,female,-1\nsex,male,5\n',
      [],
      /line 2, count: -1 is negative/,
    ],
    [
      'a group no attribute has',
      'attribute,group,share\nage_band,16-17,1\n',
      [],
      /line 2: group '16-17' matches no group of age_band; expected one of: /,
    ],
    [
      'an attribute no one has',
      'attribute,group,share\nincome,high,1\n',
      [],
      /line 2: attribute 'income' matches no attribute/,
    ],
    [
      'a built-in population id',
      'attribute,group,share\nsex,female,0.5\nsex,male,0.5\n',
      ['--name', 'de-2023'],
      /--name de-2023: a built-in population has this id/,
    ],
    [
      'an id already added',
      'attribute,group,share\nsex,female,0.5\nsex,male,0.5\n',
      ['--name', 'market-2026'],
      /--name market-2026: references\/market-2026\.csv already defines this population; expected a new id, or --replace/,
    ],
    [
      'a bad id',
      'attribute,group,share\nsex,female,0.5\nsex,male,0.5\n',
      ['--name', 'Market 2026'],
      /--name: expected an id such as market-2026/,
    ],
  ];
  for (const [what, csv, extra, message] of cases) {
    it(what, async () => {
      const file = path.join(root, 'bad.csv');
      await writeFile(file, csv);
      const r = await add(file, ...(extra.length > 0 ? extra : ['--name', 'other-2026']));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      await expect(readFile(path.join(root, 'references/other-2026.csv'))).rejects.toThrow();
    });
  }

  it('a bad year or kind, with the option named', async () => {
    const file = path.join(root, 'ok.csv');
    await writeFile(file, 'attribute,group,share\nsex,female,0.5\nsex,male,0.5\n');
    const year = await runCli([
      'references',
      'add',
      file,
      '--root',
      root,
      '--name',
      'x-1',
      '--source',
      's',
      '--year',
      'soon',
    ]);
    expect(year.code).toBe(2);
    expect(year.stderr).toMatch(/--year: /);
    const kind = await add(file, '--name', 'x-1', '--kind', 'guess');
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/--kind/);
  });
});

describe('a revised further reference (#18)', () => {
  it('is replaced with --replace and makes a new run of the datasets that compare with it', async () => {
    const before = await readdir(path.join(root, 'lake/reports/dataset=two-refs'));
    const same = await runCli(['run', '--root', root]);
    expect(await readdir(path.join(root, 'lake/reports/dataset=two-refs'))).toEqual(before);
    expect(same.code).not.toBe(2);
    await writeFile(
      market(),
      DEMO_MARKET_REFERENCE_CSV.replace('sex,female,0.47', 'sex,female,0.46').replace(
        'sex,male,0.53',
        'sex,male,0.54',
      ),
    );
    const args = [
      'references',
      'add',
      market(),
      '--root',
      root,
      '--name',
      'market-2026',
      '--source',
      's',
      '--year',
      '2026',
    ];
    expect((await runCli(args)).code).toBe(2);
    const replaced = await runCli([...args, '--replace']);
    expect(replaced.stderr).toBe('');
    expect(replaced.code).toBe(0);
    await runCli(['run', '--root', root]);
    expect((await readdir(path.join(root, 'lake/reports/dataset=two-refs'))).length).toBe(before.length + 1);
  }, 120_000);
});
