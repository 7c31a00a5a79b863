import { literal } from './generate.ts';

export type BenchFormat = 'csv' | 'csv.gz' | 'jsonl' | 'parquet';

/** The reader DuckDB uses for each format, every column read as DuckDB infers it. */
export function duckDbSource(format: BenchFormat, file: string): string {
  switch (format) {
    case 'csv':
    case 'csv.gz':
      return `read_csv(${literal(file)}, header = true)`;
    case 'jsonl':
      return `read_json(${literal(file)}, format = 'newline_delimited')`;
    case 'parquet':
      return `read_parquet(${literal(file)})`;
  }
}

const DEFAULT_MISSING = ['', 'na', 'n/a', 'null', 'none', 'unknown'];
const STATES = [
  'Baden-Württemberg',
  'Bayern',
  'Berlin',
  'Brandenburg',
  'Bremen',
  'Hamburg',
  'Hessen',
  'Mecklenburg-Vorpommern',
  'Niedersachsen',
  'Nordrhein-Westfalen',
  'Rheinland-Pfalz',
  'Saarland',
  'Sachsen',
  'Sachsen-Anhalt',
  'Schleswig-Holstein',
  'Thüringen',
];
const AGE_EDGES = [0, 18, 25, 35, 45, 55, 65, 75];

const list = (values: readonly string[]) => values.map(literal).join(', ');

/**
 * The benchmark manifest's counting plan as one hand-written `GROUP BY GROUPING SETS` query: the
 * three marginals, the declared sex × age_band intersection, the sex × age_band × state
 * cross-table the plan adds for raking (`_rake`, every referenced attribute) and the consent
 * split, with row counts and label positives. Missing values count as `~missing`, values outside
 * the declared groups or bins as `~unmapped`; rows without consent get NULL keys.
 *
 * Why it exists beside `renderGroupingSetsSql` (functions/core/profile/grouping-sets-sql.ts, the
 * `sql` engine of bench/run.ts, `repscope profile --engine sql`): it is the lean baseline, the
 * query someone who knows this data would write. It normalises with `lower(trim())` only, which
 * is all this data needs, where the rendered statement reproduces every rule of the streaming
 * profiler for any data (NFC, JavaScript white space trimmed and folded, JavaScript's lower-casing
 * special cases, JavaScript's number syntax for bins, checked with a regular expression) and reads
 * every column as the text the streaming readers hand over, where this query lets DuckDB infer
 * each column's type. Being the cheapest correct query for this data, it is the harder baseline,
 * so repscope/DuckDB against it is the headline figure; the `sql` engine beside it shows what
 * full normalisation costs. run.ts checks that repscope and `sql` count what this query counts.
 */
export function groupingSetsSql(source: string): string {
  const text = (column: string) => `lower(trim(CAST("${column}" AS VARCHAR)))`;
  const ageBand = AGE_EDGES.map((low, i) => {
    const high = AGE_EDGES[i + 1];
    const label = high === undefined ? `${low}+` : `${low}-${high - 1}`;
    return high === undefined ? `ELSE '${label}'` : `WHEN age_x < ${high} THEN '${label}'`;
  }).join(' ');
  const states = STATES.map((s) => `WHEN ${literal(s.toLowerCase())} THEN ${literal(s)}`).join(' ');
  return `
WITH normalised AS (
  SELECT ${text('sex')} AS sex_n, ${text('age')} AS age_n, ${text('state')} AS state_n,
         coalesce(${text('consent')} IN ('yes', 'true', '1'), false) AS granted,
         coalesce(${text('label')} = '1', false) AS positive
  FROM ${source}
), grouped AS (
  SELECT granted, positive,
    CASE WHEN NOT granted THEN NULL
         WHEN sex_n IS NULL OR sex_n IN ('', 'na', 'unknown', 'prefer not to say') THEN '~missing'
         WHEN sex_n IN ('female', 'f', 'w', 'frau') THEN 'female'
         WHEN sex_n IN ('male', 'm', 'mann') THEN 'male'
         WHEN sex_n IN ('diverse', 'd', 'x') THEN 'diverse'
         ELSE '~unmapped' END AS sex,
    CASE WHEN NOT granted THEN NULL
         WHEN age_n IS NULL OR age_n IN (${list(DEFAULT_MISSING)}) THEN '~missing'
         WHEN age_x IS NULL OR age_x < 0 THEN '~unmapped'
         ${ageBand} END AS age_band,
    CASE WHEN NOT granted THEN NULL
         WHEN state_n IS NULL OR state_n IN (${list(DEFAULT_MISSING)}) THEN '~missing'
         ELSE CASE state_n ${states} ELSE state_n END END AS state
  FROM (SELECT *, TRY_CAST(age_n AS DOUBLE) AS age_x FROM normalised)
)
SELECT GROUPING(granted, sex, age_band, state) AS grouping_id, granted, sex, age_band, state,
       count(*) AS rows, sum(CAST(positive AS INTEGER)) AS positives
FROM grouped
GROUP BY GROUPING SETS ((granted), (sex), (age_band), (state), (sex, age_band), (sex, age_band, state))
ORDER BY grouping_id, sex, age_band, state`;
}
