/**
 * Golden outputs: runs the CLI over fixed inputs (the demo, the leads fixture in CSV and JSON Lines
 * with a user reference, a small-cells dataset with a label, a source, weights-free raking and an
 * intersection, and the hand-built fixture reports) and writes one digest per output file: every
 * lake file, every site file, and the stdout of `check --format json` and `profile`.
 *
 * Refactors that must not change what is published compare digests before and after:
 *
 *   npx tsx scripts/golden-outputs.ts --write tests/golden/outputs.json   # before
 *   npx tsx scripts/golden-outputs.ts --check tests/golden/outputs.json   # after: exit 1 on a change
 *
 * Times (ISO and the pages' "2026-12-06 02:20 UTC"), run ids and the work folder are replaced by placeholders before hashing (runs use the wall clock), and
 * `privacy.withheld` (added by #8, additive to report@1) is removed from JSON before hashing, in
 * files and in JSON embedded in pages. `--keep <dir>` keeps the buckets to diff by hand.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_MANIFEST, demoLeadsCsv } from '../functions/cli/demo-data.ts';
import { main } from '../functions/cli/main.ts';
import { leadsBucket } from '../tests/fixtures/leads.ts';
import { hostileNamesReport, labelledReport, sampleReport } from '../tests/fixtures/reports.ts';
import { smallCellsCsv, smallCellsManifest } from '../tests/fixtures/small-cells.ts';

const SMALL_CELLS_MANIFEST = smallCellsManifest('small-cells');

async function cli(args: readonly string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await main(
    args,
    { stdout: (t) => (out += t), stderr: (t) => (err += t) },
    { debug: false, progress: false, port: '0' },
  );
  if (code >= 2) throw new Error(`repscope ${args.join(' ')} exited ${code}: ${err.trim()}`);
  return out;
}

async function put(file: string, body: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

/** Drops every `withheld` key under a `privacy` object. */
function stripWithheld(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripWithheld);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'privacy' && v !== null && typeof v === 'object') {
      const { withheld: _dropped, ...rest } = v as Record<string, unknown>;
      out[key] = stripWithheld(rest);
    } else out[key] = stripWithheld(v);
  }
  return out;
}

function normalise(text: string, json: boolean): string {
  let t = text;
  if (json) {
    try {
      t = JSON.stringify(stripWithheld(JSON.parse(t)), null, 2);
    } catch {
      // JSON Lines or not JSON: hashed as text
    }
  }
  return (
    t
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
      .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g, '<minute>')
      .replace(/\d{8}T\d{6}Z(-\d+)?/g, '<run>')
      // A run's claim is named by the digest of its inputs, the store's etags (mtime, inode) included.
      .replace(/(lake\/claims\/[^"\s]*\/inputs\/)[0-9a-f]+\.json/g, '$1<inputs>.json')
  );
}

async function digestTree(
  work: string,
  root: string,
  into: Record<string, string>,
  label: string,
): Promise<void> {
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    const rel = normalise(path.relative(root, full), false);
    if (rel.startsWith('datasets/') || rel.startsWith('references/')) continue;
    // Run claims name their inputs by the store's etag (size, mtime, inode): never the same twice.
    if (rel.startsWith('lake/claims/')) continue;
    const text = (await readFile(full, 'utf8')).replaceAll(work, '<work>');
    into[`${label}/${rel}`] = hash(normalise(text, e.name.endsWith('.json')));
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

async function build(work: string): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};

  const demo = path.join(work, 'demo');
  await put(path.join(demo, 'datasets/marketing-leads/repscope.yaml'), DEMO_MANIFEST);
  await put(
    path.join(demo, 'datasets/marketing-leads/2026-11-01/leads.csv'),
    [...demoLeadsCsv(20_000)].join(''),
  );

  const leads = path.join(work, 'leads');
  for (const [key, body] of Object.entries(leadsBucket())) await put(path.join(leads, key), body);

  const small = path.join(work, 'small');
  await put(path.join(small, 'datasets/small-cells/repscope.yaml'), SMALL_CELLS_MANIFEST);
  await put(path.join(small, 'datasets/small-cells/v1/data.csv'), smallCellsCsv());

  // The hand-built fixture reports are published beside the leads (publish renders every report in the lake).
  for (const [i, report] of [sampleReport(), hostileNamesReport(), labelledReport()].entries()) {
    const id = `${report.dataset.id}`;
    await put(
      path.join(leads, `lake/reports/dataset=${id}/run=2026010${i + 1}T000000Z/report.json`),
      `${JSON.stringify(report, null, 2)}\n`,
    );
  }

  for (const [label, root] of Object.entries({ demo, leads, small })) {
    await cli(['run', '--root', root]);
    await digestTree(work, root, digests, label);
  }

  const checks: [string, string, string][] = [
    ['demo', 'datasets/marketing-leads/2026-11-01/leads.csv', 'datasets/marketing-leads/repscope.yaml'],
    ['leads', 'datasets/leads-csv/v1/leads.csv', 'datasets/leads-csv/repscope.yaml'],
    ['small', 'datasets/small-cells/v1/data.csv', 'datasets/small-cells/repscope.yaml'],
  ];
  for (const [label, data, manifest] of checks) {
    const root = path.join(work, label);
    const args = [path.join(root, data), '--manifest', path.join(root, manifest)];
    const checked = await cli(['check', ...args, '--format', 'json']);
    digests[`${label}/stdout/check.json`] = hash(normalise(checked, true).replaceAll(work, '<work>'));
    const text = await cli(['check', ...args]);
    digests[`${label}/stdout/check.txt`] = hash(normalise(text, false).replaceAll(work, '<work>'));
    const profile = await cli(['profile', ...args]);
    digests[`${label}/stdout/profile.json`] = hash(normalise(profile, true).replaceAll(work, '<work>'));
  }
  return Object.fromEntries(Object.entries(digests).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function run(argv: readonly string[]): Promise<number> {
  const mode = argv[0];
  const file = argv[1];
  const keepAt = argv.indexOf('--keep');
  if ((mode !== '--write' && mode !== '--check') || !file) {
    process.stderr.write('usage: golden-outputs.ts --write|--check <digests.json> [--keep <dir>]\n');
    return 2;
  }
  const work =
    keepAt >= 0 ? path.resolve(argv[keepAt + 1]!) : await mkdtemp(path.join(os.tmpdir(), 'golden-'));
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const digests = await build(work);
    if (mode === '--write') {
      await put(file, `${JSON.stringify(digests, null, 2)}\n`);
      process.stdout.write(`golden: wrote ${Object.keys(digests).length} digests to ${file}\n`);
      return 0;
    }
    const expected = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    const keys = new Set([...Object.keys(expected), ...Object.keys(digests)]);
    const changed = [...keys].filter((k) => expected[k] !== digests[k]).sort();
    for (const k of changed) {
      const what = !(k in expected) ? 'new' : !(k in digests) ? 'gone' : 'changed';
      process.stdout.write(`golden: ${what} ${k}\n`);
    }
    process.stdout.write(`golden: ${keys.size - changed.length} of ${keys.size} outputs identical\n`);
    return changed.length === 0 ? 0 : 1;
  } finally {
    if (keepAt < 0) await rm(work, { recursive: true, force: true });
  }
}

process.exitCode = await run(process.argv.slice(2));
