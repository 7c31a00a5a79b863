import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';

/**
 * DESIGN.md's "Bad input" items that apply to the local CLI: each gives exit 2 and one line on
 * stderr naming what and where, with no stack trace and no row data.
 */
let dir: string;
let cleanup: () => Promise<void>;
const at = (name: string) => path.join(dir, name);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(at('repscope.yaml'), LEADS_MANIFEST);
  await writeFile(at('leads.csv'), leadsCsv(skewedLeads(500)));
});
afterAll(async () => cleanup());

function expectOneLine(stderr: string, pattern: RegExp): void {
  expect(stderr).toMatch(/^repscope: /);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at |Error:|\.ts:\d+/);
}

async function manifestCase(name: string, text: string) {
  await writeFile(at(name), text);
  return runCli(['check', at('leads.csv'), '--manifest', at(name)]);
}

describe('bad manifests', () => {
  it('a missing manifest says where it looked', async () => {
    const r = await runCli(['check', at('leads.csv'), '--manifest', at('nope.yaml')]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /nope\.yaml: no such file/);
  });

  it('a manifest with a wrong field names the field path', async () => {
    const r = await manifestCase('m1.yaml', LEADS_MANIFEST.replace('bins: [0, 18,', 'bins: [0, 90, 18,'));
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /m1\.yaml: attributes\[1\]\.bins\[2\]: expected strictly ascending bin edges/);
  });

  it('an unknown reference lists what the population has', async () => {
    const r = await manifestCase('m2.yaml', LEADS_MANIFEST.replace('de-2023/state', 'de-2023/county'));
    expect(r.code).toBe(2);
    expectOneLine(
      r.stderr,
      /attributes\[2\]\.reference: unknown reference 'de-2023\/county' \(population de-2023 has: sex, age_band, state, sex_x_age_band\)/,
    );
  });

  it('an unknown population lists the known ones', async () => {
    const r = await manifestCase('m3.yaml', LEADS_MANIFEST.replace('de-2023/sex', 'fr-2020/sex'));
    expect(r.code).toBe(2);
    expectOneLine(
      r.stderr,
      /unknown reference 'fr-2020\/sex' \(known populations: de-2023, us-2020, eu27-2024\)/,
    );
  });

  it('an unknown column names the column, the file and the header', async () => {
    const r = await manifestCase('m4.yaml', LEADS_MANIFEST.replace('column: sex', 'column: gender'));
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /leads\.csv.*'gender'.*(header|found)/);
  });

  it('usage errors exit 2', async () => {
    const r = await runCli(['check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'data-file'/);
    const f = await runCli(['check', at('leads.csv'), '--format', 'xml']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/Allowed choices are text, json, markdown/);
  });
});

describe('bad files', () => {
  it('a missing data file', async () => {
    const r = await runCli(['check', at('missing.csv'), '--manifest', at('repscope.yaml')]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /missing\.csv: no such file/);
  });

  it('an unknown extension names the accepted ones', async () => {
    await writeFile(at('leads.xlsx'), 'x');
    const r = await runCli(['check', at('leads.xlsx'), '--manifest', at('repscope.yaml')]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /leads\.xlsx.*\.csv/);
  });

  it('a truncated gzip', async () => {
    const gz = gzipSync(leadsCsv(skewedLeads(500)));
    await writeFile(at('cut.csv.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await runCli(['check', at('cut.csv.gz'), '--manifest', at('repscope.yaml')]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /cut\.csv\.gz: .*(truncated|corrupt)/);
  });

  it('a gzip bomb is stopped', async () => {
    const line = 'female,30,Bayern,yes,1\n';
    const body = `sex,age,address.state,consent,converted\n${line.repeat(Math.ceil((100 << 20) / line.length))}`;
    await writeFile(at('bomb.csv.gz'), gzipSync(body, { level: 9 }));
    const r = await runCli(['check', at('bomb.csv.gz'), '--manifest', at('repscope.yaml')]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /bomb\.csv\.gz: gzip stream expands more than 250×/);
  });

  it('a corrupt Parquet footer', async () => {
    await writeFile(at('broken.parquet'), Buffer.from('PAR1 this is not really parquet PAR1'));
    const r = await runCli(['check', at('broken.parquet'), '--manifest', at('repscope.yaml')]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /broken\.parquet/);
  });

  it('a million distinct values in a "sex" column', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `free text ${i},30,Bayern,yes,1`);
    await writeFile(at('distinct.csv'), `sex,age,address.state,consent,converted\n${rows.join('\n')}\n`);
    const manifest = LEADS_MANIFEST.replace(/ {4}groups: .*\n {4}missing: .*\n/, '');
    const r = await manifestCase('m5.yaml', manifest);
    expect([0, 1]).toContain(r.code);
    const s = await runCli(['check', at('distinct.csv'), '--manifest', at('m5.yaml')]);
    expect(s.code).toBe(2);
    expectOneLine(s.stderr, /column 'sex' \(attribute sex\) has more than 1000 distinct values/);
    expect(s.stderr).not.toMatch(/free text/);
  });

  it('malformed rows and invalid UTF-8 are counted with line numbers, not fatal, and no values leak', async () => {
    const good = leadsCsv(skewedLeads(200));
    const bad = Buffer.concat([
      Buffer.from(good),
      Buffer.from('999,x@example.com,female,40\r\n'),
      Buffer.from('1000,y@example.com,'),
      Buffer.from([0x66, 0xff, 0xfe]),
      Buffer.from(',40,Bayern,yes,1,note\r\n'),
    ]);
    await writeFile(at('bad-rows.csv'), bad);
    const r = await runCli([
      'check',
      at('bad-rows.csv'),
      '--manifest',
      at('repscope.yaml'),
      '--format',
      'json',
    ]);
    expect([0, 1]).toContain(r.code);
    const report = JSON.parse(r.stdout);
    expect(report.rows.malformed).toBe(2);
    const warning = report.warnings.find((w: { code: string }) => w.code === 'malformed-rows');
    expect(warning.message).toMatch(/line \d+: expected 8 fields, found 4/);
    expect(warning.message).toMatch(/invalid UTF-8 in column 'sex'/);
    expect(r.stdout).not.toMatch(/example\.com/);
    expect(report.checks.find((c: { id: string }) => c.id === 'rows').status).toBe('warn');
  });

  it('HTML and formula injection in group names stays data', async () => {
    const rows = ['<script>alert(1)</script>', '=HYPERLINK("http://x")', 'female'].flatMap((s) =>
      Array.from(
        { length: 20 },
        () => `${s.includes('"') ? `"${s.replaceAll('"', '""')}"` : s},30,Bayern,yes,1`,
      ),
    );
    await writeFile(at('inject.csv'), `sex,age,address.state,consent,converted\n${rows.join('\n')}\n`);
    const manifest = LEADS_MANIFEST.replace(/ {4}groups: .*\n {4}missing: .*\n/, '');
    await writeFile(at('m6.yaml'), manifest);
    const r = await runCli(['check', at('inject.csv'), '--manifest', at('m6.yaml'), '--format', 'json']);
    expect(r.code).toBe(1);
    const groups = JSON.parse(r.stdout).attributes[0].groups.map((g: { group: string }) => g.group);
    expect(groups).toContain('<script>alert(1)</script>');
  });
});

describe('files with nothing to judge (issue #13)', () => {
  const HEADER = 'id,email,sex,age,address.state,consent,converted,notes\n';
  /** `n` plain rows (no quotes, one line each), so line numbers are easy to tell. */
  const plainRows = (n: number, age = '30') =>
    Array.from(
      { length: n },
      (_, i) => `${i + 1},p${i}@example.com,${i % 2 ? 'f' : 'm'},${age},Bayern,yes,1,`,
    );
  async function checkFile(name: string, body: string | Buffer, format = 'text') {
    await writeFile(at(name), body);
    return runCli(['check', at(name), '--manifest', at('repscope.yaml'), '--format', format]);
  }

  it('an empty file is refused in one line, not reported as a table of zeros', async () => {
    const r = await checkFile('empty.csv', '');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /empty\.csv: empty file: no header$/m);
    expect(r.stdout).toBe('');
  });

  it('a header without rows, and an empty JSON Lines file', async () => {
    const header = await checkFile('header.csv', HEADER);
    expect(header.code).toBe(2);
    expectOneLine(header.stderr, /header\.csv: header only: no data rows after it; expected at least one$/m);
    const jsonl = await checkFile('empty.jsonl', '\n\n');
    expect(jsonl.code).toBe(2);
    expectOneLine(
      jsonl.stderr,
      /empty\.jsonl: no rows \(only blank lines\); expected one JSON object per line$/m,
    );
  });

  it('a quote still open at the end of the file names the line it opened on', async () => {
    const rows = plainRows(40);
    rows.splice(10, 0, '99,"secret@example.com,f,40,Bayern,yes,1,');
    // The header is line 1, so the inserted row is line 12; its own line break and the 30 rows' follow
    const r = await checkFile('open-quote.csv', `${HEADER}${rows.join('\n')}\n`);
    expect(r.code).toBe(2);
    expectOneLine(
      r.stderr,
      /open-quote\.csv: line 12: a quote opened here is never closed; the file ends inside the quoted field 31 lines later/,
    );
    expect(r.stderr).not.toMatch(/example\.com/);
  });

  it('a file none of whose rows can be read is refused with the first reason; NUL bytes make a row malformed', async () => {
    const utf16 = Buffer.from(`\uFEFF${HEADER}${plainRows(3).join('\n')}\n`, 'utf16le');
    const r = await checkFile('utf16.csv', utf16);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /utf16\.csv: /);
    const nulRow = Buffer.concat([
      Buffer.from('101,q@example.com,f'),
      Buffer.from([0]),
      Buffer.from(',30,Bayern,yes,1,\n'),
    ]);
    const nul = await checkFile(
      'nul.csv',
      Buffer.concat([Buffer.from(`${HEADER}${plainRows(100).join('\n')}\n`), nulRow]),
      'json',
    );
    expect([0, 1]).toContain(nul.code);
    const report = JSON.parse(nul.stdout);
    expect(report.rows.malformed).toBe(1);
    expect(report.warnings.map((w: { message: string }) => w.message).join('\n')).toMatch(
      /line 102: a NUL character in column 'sex'/,
    );
    const allNul = await checkFile('all-nul.csv', Buffer.concat([Buffer.from(HEADER), nulRow]));
    expect(allNul.code).toBe(2);
    expectOneLine(
      allNul.stderr,
      /all-nul\.csv: its one record could not be read \(first: line 2: a NUL character in column 'sex'/,
    );
  });

  it('a table with no rows shows no status, and a numeric column of text says so', async () => {
    const body = `${HEADER}${plainRows(40, 'forty').join('\n')}\n`;
    const r = await checkFile('text-ages.csv', body, 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const age = report.attributes.find((a: { name: string }) => a.name === 'age_band');
    expect(age.unmapped).toBe(40);
    expect(new Set(age.groups.map((g: { status: string }) => g.status))).toEqual(new Set(['not-judged']));
    expect(report.warnings.map((w: { message: string }) => w.message)).toContain(
      "40 rows of column 'age' are not numbers or lie below the first bin (0) of age_band; list such values under missing or correct the column",
    );
    const text = await checkFile('text-ages.csv', body);
    const ageTable = text.stdout.slice(text.stdout.indexOf('age_band  (column age'));
    expect(ageTable.split('\n')[2]).toMatch(/^ {2}0-17 +0 +– +– +[\d.]+% +– +– +–$/);
  });
});

describe('run over a bucket folder', () => {
  it('rejects a dataset whose manifest names another id, as an error report, and goes on', async () => {
    const root = at('bucket');
    await mkdir(path.join(root, 'datasets', 'good', 'v1'), { recursive: true });
    await mkdir(path.join(root, 'datasets', 'mislabelled', 'v1'), { recursive: true });
    await writeFile(
      path.join(root, 'datasets', 'good', 'repscope.yaml'),
      LEADS_MANIFEST.replace('leads-fixture', 'good'),
    );
    await cp(at('leads.csv'), path.join(root, 'datasets', 'good', 'v1', 'leads.csv'));
    await writeFile(path.join(root, 'datasets', 'mislabelled', 'repscope.yaml'), LEADS_MANIFEST);
    await cp(at('leads.csv'), path.join(root, 'datasets', 'mislabelled', 'v1', 'leads.csv'));
    const r = await runCli(['run', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /ERROR mislabelled\s+datasets\/mislabelled\/repscope\.yaml: dataset 'leads-fixture' does not match its folder 'mislabelled'/,
    );
    expect(r.stdout).toMatch(/(PASS|WARN|FAIL) +good/);
  });
});
