import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../functions/core/report/schema.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, leadsJsonl, skewedLeads } from '../fixtures/leads.ts';

/**
 * `repscope run --root` over a bucket folder: two datasets (CSV and JSON Lines), a user reference
 * dropped into references/, the lake tables and the site written per DESIGN.md's layout.
 */
let root: string;
let cleanup: () => Promise<void>;

const USER_REFERENCE = `population,attribute,group,count,share,source_year
my-pop,sex,female,600,0.6,2024
my-pop,sex,male,400,0.4,2024
`;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  const leads = skewedLeads(1500);
  const a = path.join(root, 'datasets', 'leads-csv');
  const b = path.join(root, 'datasets', 'leads-json');
  await mkdir(path.join(a, '2026-01-01'), { recursive: true });
  await mkdir(path.join(a, '2026-02-01'), { recursive: true });
  await mkdir(path.join(b, 'v2'), { recursive: true });
  await mkdir(path.join(b, 'v10'), { recursive: true });
  await mkdir(path.join(root, 'references'), { recursive: true });
  await writeFile(path.join(a, 'repscope.yaml'), LEADS_MANIFEST.replace('leads-fixture', 'leads-csv'));
  await writeFile(path.join(a, '2026-01-01', 'old.csv'), 'this old version is not read\n');
  // Two parts of the newest version: merged into one profile.
  await writeFile(path.join(a, '2026-02-01', 'part-1.csv'), leadsCsv(leads.slice(0, 700)));
  await writeFile(path.join(a, '2026-02-01', 'part-2.csv'), leadsCsv(leads.slice(700)));
  await writeFile(
    path.join(b, 'repscope.yaml'),
    LEADS_MANIFEST.replace('leads-fixture', 'leads-json').replace('de-2023/sex', 'my-pop/sex'),
  );
  await writeFile(path.join(b, 'v2', 'leads.jsonl'), 'not read: v10 is newer than v2\n');
  await writeFile(path.join(b, 'v10', 'leads.jsonl'), leadsJsonl(leads));
  await writeFile(path.join(root, 'references', 'my-pop.csv'), USER_REFERENCE);
});
afterAll(async () => cleanup());

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(root, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

describe('repscope run --root', () => {
  let stdout = '';
  it('analyses every dataset and publishes the site', async () => {
    const r = await runCli(['run', '--root', root]);
    stdout = r.stdout;
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +leads-csv/m);
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +leads-json/m);
    expect(r.stdout).toMatch(/site: .*index\.html/);
  });

  it('writes the lake layout of DESIGN.md', async () => {
    expect(stdout).not.toBe('');
    const lake = await files(path.join(root, 'lake'));
    for (const id of ['leads-csv', 'leads-json']) {
      for (const table of ['group_counts', 'group_metrics']) {
        expect(
          lake.some((f) =>
            new RegExp(`^lake/${table}/dataset=${id}/run=\\d{8}T\\d{6}Z/part-00000\\.jsonl$`).test(f),
          ),
        ).toBe(true);
      }
      expect(
        lake.some((f) => new RegExp(`^lake/reports/dataset=${id}/run=[^/]+/report\\.json$`).test(f)),
      ).toBe(true);
    }
    const refs = await files(path.join(root, 'references'));
    expect(refs).toEqual(
      expect.arrayContaining([
        'references/my-pop.csv',
        'references/population=de-2023/reference.jsonl',
        'references/population=my-pop/reference.jsonl',
      ]),
    );
  });

  it('merges all files of the newest version and cites the user reference', async () => {
    const lake = await files(path.join(root, 'lake'));
    const reportOf = async (id: string) =>
      reportSchema.parse(
        JSON.parse(
          await readFile(path.join(root, lake.find((f) => f.includes(`reports/dataset=${id}/`))!), 'utf8'),
        ),
      );
    const csv = await reportOf('leads-csv');
    const json = await reportOf('leads-json');
    expect(csv.dataset.version).toBe('2026-02-01');
    expect(json.dataset.version).toBe('v10');
    expect(csv.rows).toEqual(json.rows);
    expect(csv.rows.read).toBe(1500);
    expect(csv.attributes[1]).toEqual(json.attributes[1]);
    expect(json.attributes[0]!.reference).toBe('my-pop/sex');
    expect(json.attributes[0]!.groups.find((g) => g.group === 'female')!.referenceShare).toBe(0.6);
    expect(json.provenance.references.map((r) => r.id).sort()).toEqual(['de-2023', 'my-pop']);
    expect(csv.provenance.columnsRead).toEqual(['sex', 'age', 'address.state', 'consent', 'converted']);
  });

  it('publishes pages with suppressed small cells and no row values', async () => {
    const site = await files(path.join(root, 'site'));
    expect(site).toContain('site/index.html');
    expect(site.some((f) => /^site\/datasets\/leads-csv\/runs\/[^/]+\/index\.html$/.test(f))).toBe(true);
    const published = site.find((f) => /^site\/datasets\/leads-csv\/runs\/[^/]+\/report\.json$/.test(f))!;
    const report = reportSchema.parse(JSON.parse(await readFile(path.join(root, published), 'utf8')));
    expect(report.privacy.suppressed).toBe(true);
    const counts = [...report.attributes, ...report.intersections].flatMap((a) =>
      a.groups.map((g) => g.count),
    );
    expect(counts.every((c) => c === null || c === 0 || c >= report.privacy.minCellSize)).toBe(true);
    for (const f of site) {
      const text = await readFile(path.join(root, f), 'utf8');
      expect(text, f).not.toMatch(/@example\.com|has, comma|line\nbreak/);
    }
  });

  // Issue #11 changed this case: a second run of unchanged inputs used to add a second run.
  it('a second run of the same inputs adds no run and says so', async () => {
    const before = await files(path.join(root, 'lake', 'reports'));
    const r = await runCli(['run', '--root', root]);
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(
      /^SAME +leads-csv +inputs unchanged since run \d{8}T\d{6}Z \((pass|warn|fail)\); no new run$/m,
    );
    expect(r.stdout).toMatch(/^SAME +leads-json /m);
    expect(await files(path.join(root, 'lake', 'reports'))).toEqual(before);
  });

  it('a changed manifest adds history instead of overwriting', async () => {
    const manifest = path.join(root, 'datasets', 'leads-csv', 'repscope.yaml');
    await writeFile(manifest, `${await readFile(manifest, 'utf8')}# edited\n`);
    const r = await runCli(['run', '--root', root]);
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +leads-csv/m);
    expect(r.stdout).toMatch(/^SAME +leads-json /m);
    const reports = (await files(path.join(root, 'lake', 'reports'))).filter((f) =>
      f.includes('dataset=leads-csv'),
    );
    expect(reports).toHaveLength(2);
  });

  it('an empty root is bad input with a hint', async () => {
    const { dir, cleanup: done } = await tempDir();
    const r = await runCli(['run', '--root', dir]);
    await done();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no datasets under .*datasets; expected datasets\/<id>\/repscope\.yaml/);
  });
});

describe('repscope references', () => {
  it('lists the built-in populations with source and year', async () => {
    const r = await runCli(['references', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^de-2023 +\(2023\) +Germany/m);
    expect(r.stdout).toMatch(/^us-2020 +\(2020\)/m);
    expect(r.stdout).toMatch(/^eu27-2024 +\(2024\)/m);
    expect(r.stdout).toMatch(/source: Statistisches Bundesamt \(Destatis\), GENESIS-Online 12411-0013/);
  });

  it('shows one population with every group and share, and includes --reference files', async () => {
    const r = await runCli(['references', 'show', 'de-2023']);
    expect(r.stdout).toMatch(/licence: Datenlizenz Deutschland/);
    expect(r.stdout).toMatch(/^ {2}Bayern +15\.79%/m);
    const file = path.join(root, 'references', 'my-pop.csv');
    const u = await runCli(['references', 'show', 'my-pop', '--reference', file]);
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/female +60\.00% +600/);
    const missing = await runCli(['references', 'show', 'xx-1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/unknown population 'xx-1'; expected one of: de-2023, us-2020, eu27-2024/);
  });

  it('rejects a malformed reference file naming the line and field', async () => {
    const file = path.join(root, 'bad-ref.csv');
    await writeFile(file, 'population,attribute,group,count,share,source_year\nmy-x,sex,female,1,1.5,2020\n');
    const r = await runCli(['references', 'list', '--reference', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-ref\.csv line 2, share: expected a number in \[0, 1\]/);
    await writeFile(file, 'population,attribute,group,count,share,source_year\nmy-x,sex,female,1,0.5,2020\n');
    const s = await runCli(['references', 'list', '--reference', file]);
    expect(s.stderr).toMatch(/shares of my-x\/sex add up to 0\.50000000; expected 1/);
    const t = await runCli([
      'references',
      'list',
      '--reference',
      path.join(root, 'references', 'my-pop.csv'),
      '--reference',
      path.join(root, 'references', 'my-pop.csv'),
    ]);
    expect(t.stderr).toMatch(/population 'my-pop' is defined in both/);
  });
});
