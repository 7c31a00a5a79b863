/**
 * The demo dataset: deterministic synthetic "marketing leads" with a skewed make-up (more men,
 * younger, West-heavy), a consent column, a label, a free-text column and an e-mail column. Every
 * value is generated; no real person is in it.
 */

/** mulberry32: a small seeded PRNG, enough for synthetic data (not for statistics). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = random() * total;
  for (const [value, w] of weighted) {
    x -= w;
    if (x < 0) return value;
  }
  return weighted.at(-1)![0];
}

const SEX: readonly (readonly [string, number])[] = [
  ['male', 40],
  ['M', 12],
  ['Male ', 4],
  ['female', 30],
  ['f', 6],
  ['W', 2],
  ['diverse', 0.6],
  ['', 2],
  ['prefer not to say', 1.4],
  ['unknown', 0.5],
];

const STATES: readonly (readonly [string, number])[] = [
  ['Nordrhein-Westfalen', 24],
  ['Bayern', 19],
  ['Baden-Württemberg', 16],
  ['Berlin', 8],
  ['Hessen', 8],
  ['Niedersachsen', 7],
  ['Hamburg', 4],
  ['Sachsen', 2.5],
  ['Rheinland-Pfalz', 3.5],
  ['Schleswig-Holstein', 2.2],
  ['Brandenburg', 1.2],
  ['Thüringen', 1.1],
  ['Sachsen-Anhalt', 0.9],
  ['Mecklenburg-Vorpommern', 0.6],
  ['Saarland', 0.8],
  ['Bremen', 0.8],
  ['bayern', 0.3],
  ['Bavaria', 0.15],
  ['', 0.5],
];

const CHANNELS: readonly (readonly [string, number])[] = [
  ['web-form', 50],
  ['app', 30],
  ['partner-list', 20],
];

const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hannes',
  'Ida',
  'Jonas',
  'Lea',
  'Max',
];
const LAST = [
  'Schmidt',
  'Müller',
  'Weber',
  'Wagner',
  'Becker',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
];
const NOTES = [
  'asked for a call back',
  'interested in the premium plan, said "maybe next month"',
  'met at the fair; wants a brochure',
  'no answer, try again',
  'price, sensitive; compare with competitor',
  '',
];

function age(random: () => number): string {
  const r = random();
  if (r < 0.01) return '';
  if (r < 0.015) return 'unknown';
  // Skewed young: a triangular-ish draw between 18 and 80 pulled towards 30.
  const u = random();
  const v = random();
  return String(Math.floor(18 + 62 * Math.min(u, v) ** 1.2));
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export const DEMO_COLUMNS = [
  'lead_id',
  'email',
  'full_name',
  'sex',
  'age',
  'state',
  'consent',
  'converted',
  'channel',
  'notes',
];

/** CSV text chunks of `rows` demo leads; the same seed gives the same bytes. */
export function* demoLeadsCsv(rows: number, seed = 2023): Generator<string> {
  const random = seededRandom(seed);
  yield `${DEMO_COLUMNS.join(',')}\n`;
  let batch: string[] = [];
  for (let i = 1; i <= rows; i++) {
    const first = FIRST[Math.floor(random() * FIRST.length)]!;
    const last = LAST[Math.floor(random() * LAST.length)]!;
    const sex = pick(random, SEX);
    const ageText = age(random);
    const young = Number(ageText) < 35;
    const channel = pick(random, CHANNELS);
    const consent = random() < 0.93 ? 'yes' : random() < 0.5 ? 'no' : '';
    const converted = random() < (young ? 0.16 : 0.1) ? '1' : '0';
    const fields = [
      `L${String(i).padStart(7, '0')}`,
      `${first}.${last}${i}@example.com`.toLowerCase(),
      `${first} ${last}`,
      sex,
      ageText,
      pick(random, STATES),
      consent,
      converted,
      channel,
      NOTES[Math.floor(random() * NOTES.length)]!,
    ];
    batch.push(fields.map(csvField).join(','));
    if (batch.length === 5000) {
      yield `${batch.join('\n')}\n`;
      batch = [];
    }
  }
  if (batch.length > 0) yield `${batch.join('\n')}\n`;
}

export const DEMO_MANIFEST = `# Demo manifest: synthetic marketing leads compared with Germany's population (Destatis 2023).
dataset: marketing-leads
owner: growth-ml@example.com
format: csv
consent: { column: consent, granted: ["yes", "true", "1"] }
label: { column: converted, positive: ["1"], strata: age_band }
source: { column: channel }
attributes:
  - name: sex
    column: sex
    reference: de-2023/sex
    groups: { female: [female, f, w], male: [male, m], diverse: [diverse, d, x] }
    missing: ["", NA, unknown, prefer not to say]
  - name: age_band
    column: age
    bins: [0, 18, 25, 35, 45, 55, 65, 75]
    reference: de-2023/age_band
  - name: state
    column: state
    reference: de-2023/state
intersections: [[sex, age_band]]
thresholds: { minRatio: 0.8, maxRatio: 1.25, maxTvd: 0.05, minGroupCount: 30, alpha: 0.05 }
privacy: { minCellSize: 10 }
`;

/**
 * A market estimate for the demo's second reference (issue #18): the online buyers of the demo's
 * market, adults only, by sex and age band. Invented numbers, stored through `references add`.
 */
export const DEMO_MARKET_REFERENCE_CSV = `attribute,group,share
sex,female,0.47
sex,male,0.53
age_band,18-24,0.14
age_band,25-34,0.22
age_band,35-44,0.19
age_band,45-54,0.17
age_band,55-64,0.15
age_band,65-74,0.09
age_band,75+,0.04
`;

/** The demo manifest with sex and age band compared with the census and the market estimate too. */
export const DEMO_TWO_REFERENCES_MANIFEST = DEMO_MANIFEST.replace(
  "# Demo manifest: synthetic marketing leads compared with Germany's population (Destatis 2023).",
  "# Demo manifest: synthetic marketing leads compared with Germany's population (Destatis 2023)\n# and with a market estimate added by `repscope references add` (market-2026).",
)
  .replace('reference: de-2023/sex', 'reference: [de-2023/sex, market-2026/sex]')
  .replace('reference: de-2023/age_band', 'reference: [de-2023/age_band, market-2026/age_band]');
