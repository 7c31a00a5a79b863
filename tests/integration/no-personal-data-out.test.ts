import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/cli.ts';

/**
 * Issue #13, security: no personal data in logs. A bucket whose datasets hold e-mail addresses,
 * names and phone numbers (in columns the manifest reads, in columns it does not, in malformed
 * rows, in a dataset whose run fails) is run by the real `repscope` process with every stage
 * logged; nothing it prints and nothing it publishes contains one of those values.
 */
const bin = path.join(import.meta.dirname, '..', '..', 'bin', 'repscope.mjs');
const exec = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: { ...process.env, CI: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const PEOPLE = Array.from({ length: 120 }, (_, i) => ({
  email: `quentin.zarathustra${i}@example.org`,
  name: `Quentin Zarathustra-${i}`,
  phone: `+49 151 ${String(4400000 + i)}`,
  sex: i % 3 === 0 ? 'female' : 'male',
  age: String(18 + (i % 60)),
}));
const SECRETS = PEOPLE.flatMap((p) => [p.email, p.name, p.phone]);

const MANIFEST = (id: string, extra = '') => `dataset: ${id}
attributes:
  - { name: sex, column: sex, reference: de-2023/sex }
  - { name: age_band, column: age, bins: [0, 18, 25, 35, 45, 55, 65, 75], reference: de-2023/age_band }
  - { name: contact, column: email }
${extra}`;

let dir: string;
let cleanup: () => Promise<void>;
const bucket = () => path.join(dir, 'bucket');

async function put(key: string, body: string): Promise<void> {
  const file = path.join(bucket(), key);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const header = 'id,email,full_name,phone,sex,age,notes';
  const rows = PEOPLE.map(
    (p, i) => `${i},${p.email},"${p.name}",${p.phone},${p.sex},${p.age},"call ${p.name} at ${p.phone}"`,
  );
  // Malformed rows holding personal data: too few fields, and a field with invalid UTF-8 is below.
  rows.push(`999,${PEOPLE[0]!.email},"${PEOPLE[0]!.name}"`);
  await put('datasets/people/v1/people.csv', `${header}\n${rows.join('\n')}\n`);
  await put('datasets/people/repscope.yaml', MANIFEST('people'));
  const lines = PEOPLE.map((p) =>
    JSON.stringify({ email: p.email, name: p.name, sex: p.sex, age: Number(p.age) }),
  );
  lines.push(`{"email": "${PEOPLE[1]!.email}", "name": "${PEOPLE[1]!.name}"`); // not valid JSON
  await put('datasets/people-json/v1/people.jsonl', `${lines.join('\n')}\n`);
  await put('datasets/people-json/repscope.yaml', MANIFEST('people-json'));
  // A run that fails: the manifest reads a column the file does not have.
  await put('datasets/broken/v1/people.csv', `${header}\n${rows.slice(0, 20).join('\n')}\n`);
  await put('datasets/broken/repscope.yaml', MANIFEST('broken').replace('column: email', 'column: e_mail'));
});
afterAll(async () => cleanup());

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) {
    if (text.includes(secret))
      throw new Error(`${where} contains personal data (${secret.length} characters)`);
  }
  expect(text).not.toMatch(/zarathustra/i);
}

describe('no personal data leaves the process or reaches the site', () => {
  it('run --verbose, check in every format, history: output, logs and published files', async () => {
    const run = await exec(['run', '--root', bucket(), '--verbose']);
    expect(run.stderr).toMatch(/repscope info: /);
    expect(run.stderr).toMatch(/broken/);
    expect(run.code).toBe(2);
    expectNoSecret(run.stdout + run.stderr, 'run output');

    for (const format of ['text', 'json', 'markdown']) {
      const check = await exec([
        'check',
        path.join(bucket(), 'datasets/people/v1/people.csv'),
        '--manifest',
        path.join(bucket(), 'datasets/people/repscope.yaml'),
        '--format',
        format,
      ]);
      expect(check.stdout.length).toBeGreaterThan(100);
      expectNoSecret(check.stdout + check.stderr, `check --format ${format}`);
    }
    const failing = await exec([
      'check',
      path.join(bucket(), 'datasets/broken/v1/people.csv'),
      '--manifest',
      path.join(bucket(), 'datasets/broken/repscope.yaml'),
    ]);
    expect(failing.code).toBe(2);
    expectNoSecret(failing.stdout + failing.stderr, 'a failing check');

    const history = await exec(['history', 'people', '--root', bucket()]);
    expect(history.code).toBe(0);
    expectNoSecret(history.stdout + history.stderr, 'history');

    const site = await filesUnder(path.join(bucket(), 'site'));
    expect(site.length).toBeGreaterThan(5);
    for (const file of site) expectNoSecret(await readFile(file, 'utf8'), path.relative(bucket(), file));
    // The private lake keeps counts, never rows: its reports and tables hold none either.
    for (const file of await filesUnder(path.join(bucket(), 'lake'))) {
      expectNoSecret(await readFile(file, 'utf8'), path.relative(bucket(), file));
    }
  });
});
