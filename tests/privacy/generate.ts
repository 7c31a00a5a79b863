import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { seededRandom } from '../../functions/cli/demo-data.ts';
import { runCli } from '../fixtures/cli.ts';
import { field, type Json, str } from './attacker/json.ts';

/**
 * Generated datasets for the attacker: CSV + manifest with controllable small groups (one or
 * several, in one or several attributes), 2- and 3-way intersections, a label, weights, raking on
 * and off, missing and unmapped values, consent, a source column and totals under k. fast-check
 * draws them from a fixed seed, so every run sees the same datasets.
 */

export const STATES = ['Bayern', 'Berlin', 'Hessen', 'Sachsen', 'Bremen', 'Saarland'] as const;
const AGES = [15, 20, 30, 40, 50, 60, 70, 80] as const;
const SEGMENTS = ['alpha', 'beta', 'gamma'] as const;

export type AttributeName = 'sex' | 'state' | 'age_band' | 'segment';

export interface DatasetSpec {
  readonly id: string;
  readonly rows: number;
  readonly attributes: readonly AttributeName[];
  readonly intersections: readonly (readonly AttributeName[])[];
  /** Per attribute, rows forced into one rare group each (counts below k, or any). */
  readonly smallGroups: readonly { readonly attribute: AttributeName; readonly rows: number }[];
  readonly missingRate: number;
  readonly unmappedRows: number;
  readonly label: boolean;
  /**
   * Rows whose label is empty (issue #18: not a negative), every seventh row from the fourth on.
   * Derived from the seed, so the drawn specs of other fields stay as they were.
   */
  readonly labelMissingRows: number;
  readonly weight: boolean;
  readonly rake: boolean;
  readonly source: boolean;
  readonly consent: boolean;
  readonly minCellSize: number;
  readonly seed: number;
}

const RARE: Record<AttributeName, string> = {
  sex: 'diverse',
  state: 'Saarland',
  age_band: '80',
  segment: 'delta',
};

function attributeYaml(name: AttributeName): string {
  switch (name) {
    case 'sex':
      return `  - name: sex
    column: sex
    reference: de-2023/sex
    groups: { female: [female, f], male: [male, m], diverse: [diverse] }
    missing: ["", NA]`;
    case 'state':
      return `  - name: state
    column: state
    reference: de-2023/state
    missing: ["", NA]`;
    case 'age_band':
      return `  - name: age_band
    column: age
    bins: [0, 18, 25, 35, 45, 55, 65, 75]
    reference: de-2023/age_band
    missing: ["", NA]`;
    case 'segment':
      return `  - name: segment
    column: segment
    groups: { alpha: [alpha], beta: [beta], gamma: [gamma], delta: [delta] }
    missing: ["", NA]`;
  }
}

export function manifestYaml(spec: DatasetSpec): string {
  const lines = [`dataset: ${spec.id}`];
  if (spec.consent) lines.push('consent: { column: consent, granted: ["yes"] }');
  if (spec.label) lines.push('label: { column: converted, positive: ["1"] }');
  if (spec.weight) lines.push('weight: w');
  if (spec.source) lines.push('source: { column: channel }');
  lines.push('attributes:', ...spec.attributes.map(attributeYaml));
  if (spec.intersections.length > 0)
    lines.push(`intersections: [${spec.intersections.map((x) => `[${x.join(', ')}]`).join(', ')}]`);
  lines.push(`correction: { rake: ${spec.rake} }`);
  lines.push(`privacy: { minCellSize: ${spec.minCellSize} }`);
  return `${lines.join('\n')}\n`;
}

function commonValue(name: AttributeName, r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  switch (name) {
    case 'sex':
      return pick(['female', 'male', 'f', 'm']);
    case 'state':
      return pick(STATES.slice(0, 4));
    case 'age_band':
      return String(pick(AGES.slice(1, 7)) + Math.floor(r() * 5));
    case 'segment':
      return pick(SEGMENTS);
  }
}

function unmappedValue(name: AttributeName): string {
  return name === 'age_band' ? 'unknown-age' : name === 'state' ? 'NA' : 'zzz';
}

export function datasetCsv(spec: DatasetSpec): string {
  const r = seededRandom(spec.seed);
  const header = [
    ...spec.attributes.map((a) => (a === 'age_band' ? 'age' : a)),
    'converted',
    'w',
    'channel',
    'consent',
  ];
  const rows: string[][] = [];
  const rare = new Map(spec.smallGroups.map((s) => [s.attribute, s.rows]));
  for (let i = 0; i < spec.rows; i++) {
    const values = spec.attributes.map((a) => {
      const rareRows = rare.get(a) ?? 0;
      if (i < rareRows) return RARE[a];
      if (i >= spec.rows - spec.unmappedRows) return unmappedValue(a);
      if (r() < spec.missingRate) return '';
      return commonValue(a, r);
    });
    const drawn = r() < 0.3 ? '1' : '0';
    const converted = i % 7 === 3 && Math.floor(i / 7) < spec.labelMissingRows ? '' : drawn;
    const weight = (0.5 + Math.floor(r() * 4) * 0.5).toFixed(1);
    const channel = r() < 0.25 ? 'app' : 'web';
    const consent = spec.consent && r() < 0.1 ? 'no' : 'yes';
    rows.push([...values, converted, weight, channel, consent]);
  }
  return `${[header, ...rows].map((row) => row.join(',')).join('\n')}\n`;
}

const ATTRIBUTES: readonly AttributeName[] = ['sex', 'state', 'age_band', 'segment'];

/** Arbitrary dataset specs; `small` keeps them tiny for the enumeration part. */
export function datasetSpecArbitrary(
  options: { small?: boolean } = {},
): fc.Arbitrary<Omit<DatasetSpec, 'id'>> {
  const small = options.small ?? false;
  const pool: readonly AttributeName[] = small ? ['sex', 'segment'] : ATTRIBUTES;
  return fc
    .record({
      attributes: fc.subarray([...pool], { minLength: small ? 1 : 1, maxLength: small ? 2 : 4 }),
      rows: small
        ? fc.integer({ min: 3, max: 40 })
        : fc.oneof(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 20, max: 400 })),
      smallRows: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 4, maxLength: 4 }),
      smallMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      missingRate: fc.constantFrom(0, 0, 0.05, 0.2),
      unmappedRows: fc.constantFrom(0, 0, 1, 3),
      label: fc.boolean(),
      weight: small ? fc.constant(false) : fc.boolean(),
      rake: fc.boolean(),
      source: fc.boolean(),
      consent: fc.boolean(),
      minCellSize: small ? fc.constantFrom(3, 5) : fc.constantFrom(3, 5, 10),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      three: fc.boolean(),
    })
    .map((d) => {
      const attributes = ATTRIBUTES.filter((a) => d.attributes.includes(a));
      const intersections: AttributeName[][] = [];
      if (attributes.length >= 2) intersections.push(attributes.slice(0, 2));
      if (attributes.length >= 3 && d.three) intersections.push(attributes.slice(0, 3));
      return {
        rows: d.rows,
        attributes,
        intersections,
        smallGroups: attributes
          .map((attribute, i) => ({ attribute, rows: d.smallMask[i] ? d.smallRows[i]! : 0 }))
          .filter((s) => s.rows > 0),
        missingRate: d.missingRate,
        unmappedRows: Math.min(d.unmappedRows, Math.floor(d.rows / 4)),
        label: d.label,
        labelMissingRows: d.label && d.seed % 3 === 0 ? 1 + (d.seed % 5) : 0,
        weight: d.weight,
        rake: d.rake,
        source: d.source,
        consent: d.consent,
        minCellSize: d.minCellSize,
        seed: d.seed,
      };
    });
}

/** `count` specs drawn from a fixed seed. */
export function sampleSpecs(count: number, seed: number, options: { small?: boolean } = {}): DatasetSpec[] {
  return fc
    .sample(datasetSpecArbitrary(options), { seed, numRuns: count })
    .map((spec, i) => ({ ...spec, id: `gen-${seed % 1000}-${i}` }));
}

export interface RunOutput {
  readonly id: string;
  readonly privateReport: Json;
  readonly published: Json;
  readonly pages: { file: string; html: string }[];
}

/** Writes the datasets into a bucket folder laid out as DESIGN.md says. */
export async function writeDatasets(root: string, specs: readonly DatasetSpec[]): Promise<void> {
  for (const spec of specs) {
    const dir = path.join(root, 'datasets', spec.id);
    await mkdir(path.join(dir, 'v1'), { recursive: true });
    await writeFile(path.join(dir, 'repscope.yaml'), manifestYaml(spec));
    await writeFile(path.join(dir, 'v1', 'data.csv'), datasetCsv(spec));
  }
}

/** `repscope run --root` over the bucket; throws with the CLI's error output when it fails. */
export async function runRoot(root: string): Promise<string> {
  const result = await runCli(['run', '--root', root]);
  if (result.code >= 2) throw new Error(`repscope run --root exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

/** The private report, the published copy and the pages of every dataset's latest run in a bucket. */
export async function readOutputs(root: string): Promise<RunOutput[]> {
  const reports = (await filesUnder(path.join(root, 'lake', 'reports'))).filter((f) =>
    f.endsWith('report.json'),
  );
  const out: RunOutput[] = [];
  for (const file of reports.sort()) {
    const match = /dataset=([^/]+)[/\\]run=([^/]+)[/\\]report\.json$/.exec(file);
    if (!match) continue;
    const [, id, folder] = match as unknown as [string, string, string];
    const privateReport = JSON.parse(await readFile(file, 'utf8')) as Json;
    // The site names a run by the report's own id (hand-built reports may differ from the folder).
    const run = str(field(privateReport, 'run'), 'id') ?? folder;
    const site = path.join(root, 'site');
    const copy = path.join(site, 'datasets', id, 'runs', run, 'report.json');
    // The dataset's own pages; the site's front page lists other datasets' numbers too.
    const pageFiles = [
      path.join(site, 'datasets', id, 'index.html'),
      path.join(site, 'datasets', id, 'runs', run, 'index.html'),
    ];
    const pages: { file: string; html: string }[] = [];
    for (const f of pageFiles) {
      const html = await readFile(f, 'utf8').catch(() => undefined);
      if (html !== undefined) pages.push({ file: path.relative(root, f), html });
    }
    out.push({
      id,
      privateReport,
      published: JSON.parse(await readFile(copy, 'utf8')) as Json,
      pages,
    });
  }
  return out;
}

/**
 * How a dataset's next run differs from its last (issue #17, "Two runs"): one row appended in a
 * small group (a copy of the first row, which is in the rare group when the spec has one) or in a
 * big group (a copy of a middle row), the first row removed, or the first row's values changed to
 * a middle row's.
 */
export type RunChange = 'append-small' | 'append-big' | 'remove' | 'change';

export const RUN_CHANGES: readonly RunChange[] = ['append-small', 'append-big', 'remove', 'change'];

/** The CSV of the next run: `csv` (header and rows) with one `change` applied. */
export function changedCsv(csv: string, change: RunChange): string {
  const [header, ...rows] = csv.trimEnd().split('\n');
  if (rows.length === 0) return csv;
  const first = rows[0]!;
  const middle = rows[Math.floor(rows.length / 2)]!;
  const next =
    change === 'append-small'
      ? [...rows, first]
      : change === 'append-big'
        ? [...rows, middle]
        : change === 'remove'
          ? rows.slice(1)
          : [middle, ...rows.slice(1)];
  return `${[header, ...next].join('\n')}\n`;
}

/** Writes version `version` of a dataset's data (the manifest stays). */
export async function writeVersion(root: string, id: string, version: string, csv: string): Promise<void> {
  const dir = path.join(root, 'datasets', id, version);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'data.csv'), csv);
}

/** `readOutputs` grouped by dataset, each dataset's runs oldest first (run ids are start times). */
export async function readRuns(root: string): Promise<Map<string, RunOutput[]>> {
  const out = new Map<string, RunOutput[]>();
  for (const o of await readOutputs(root)) out.set(o.id, [...(out.get(o.id) ?? []), o]);
  for (const runs of out.values())
    runs.sort((a, b) => {
      const [x, y] = [runId(a), runId(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  return out;
}

function runId(o: RunOutput): string {
  return str(field(o.privateReport, 'run'), 'id') ?? '';
}
