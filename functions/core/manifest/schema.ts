import * as z from 'zod';
import { LAKE_TABLES } from '../lake/tables.ts';
import { DEFAULT_MISSING, normaliseValue } from '../profile/normalise.ts';
import {
  DATASET_ID_PATTERN,
  POPULATION_ID_PATTERN,
  REFERENCE_ID_PATTERN,
  TABLE_NAME_PATTERN,
} from './patterns.ts';

/**
 * The manifest contract (`repscope.yaml`). Public: tests pin it, CHANGELOG.md flags breaking
 * changes. Defaults are applied here so the rest of the code reads plain values.
 */
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

export { DATASET_ID_PATTERN, REFERENCE_ID_PATTERN, TABLE_NAME_PATTERN };

const scalarValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const valueList = z.array(scalarValue);
const column = z.string().min(1, 'expected a non-empty column name').max(256);

/** How many references one attribute may name: each adds a comparison block to the report. */
export const MAX_REFERENCES = 8;

const referenceId = z
  .string()
  .regex(REFERENCE_ID_PATTERN, 'expected <population>/<attribute>, e.g. de-2023/sex');
const referenceEntry = z.union([
  referenceId,
  z.strictObject({
    id: referenceId,
    /** This one decides the checks, the verdict and raking. @default - the first entry is primary */
    primary: z.boolean().optional(),
  }),
]);

const valueFilter = z.strictObject({
  column,
  /** Values that count as granted / positive; compared case- and whitespace-insensitively. */
  granted: valueList.min(1).optional(),
  positive: valueList.min(1).optional(),
});

/**
 * A value belongs to one group, and to a group or to missing, never both: values are compared as
 * the profiler compares them (normalised), so `F` and `f ` collide. Said at the manifest, with its
 * file name and field path, rather than when the run builds its plan.
 */
function mappingIssues(
  groups: Readonly<Record<string, readonly string[]>>,
  missingValues: readonly string[],
  ctx: z.RefinementCtx,
): void {
  const missing = new Set(['', ...missingValues].map(normaliseValue));
  const groupOf = new Map<string, string>();
  for (const [group, values] of Object.entries(groups)) {
    for (const value of [group, ...values]) {
      const key = normaliseValue(value);
      const previous = groupOf.get(key);
      if (missing.has(key)) {
        ctx.addIssue({
          code: 'custom',
          message: `value '${value}' is also listed as missing; expected it in one place`,
          path: ['groups', group],
        });
      } else if (previous !== undefined && previous !== group) {
        ctx.addIssue({
          code: 'custom',
          message: `value '${value}' is already mapped to group '${previous}'`,
          path: ['groups', group],
        });
      } else groupOf.set(key, group);
    }
  }
}

export const attributeSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        NAME_PATTERN,
        'expected a name that starts with a letter, then letters, digits and _ (e.g. age_band)',
      ),
    column,
    /**
     * `<population>/<attribute>`, e.g. de-2023/sex, or a list of them to compare with several
     * reference populations side by side (issue #18): the first is primary unless one entry says
     * `primary: true`. The primary one decides the checks, the verdict and raking.
     * @default - no reference: profiled, not compared
     */
    reference: z
      .union([
        referenceId,
        z
          .array(referenceEntry)
          .min(1, 'expected at least one reference')
          .max(MAX_REFERENCES, `expected at most ${MAX_REFERENCES} references`),
      ])
      .optional(),
    /** group id → values that belong to it. @default - each distinct value is its own group */
    groups: z.record(z.string().min(1).max(200), valueList.min(1)).optional(),
    /** Ascending numeric lower bounds: [0, 18, 25] → "0-17", "18-24", "25+". */
    bins: z.array(z.number().finite()).min(1).optional(),
    /** Values that mean "not given". @default - ["", "NA", "N/A", "null", "none", "unknown"] */
    missing: valueList.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.groups && a.bins) {
      ctx.addIssue({ code: 'custom', message: 'expected either groups or bins, not both', path: ['bins'] });
    }
    if (a.groups) mappingIssues(a.groups, a.missing ?? DEFAULT_MISSING, ctx);
    if (Array.isArray(a.reference)) checkReferenceList(a.reference, ctx);
    if (a.bins) {
      for (let i = 1; i < a.bins.length; i++) {
        if (a.bins[i]! <= a.bins[i - 1]!) {
          ctx.addIssue({
            code: 'custom',
            message: `expected strictly ascending bin edges, found ${a.bins[i - 1]} then ${a.bins[i]}`,
            path: ['bins', i],
          });
        }
      }
    }
  })
  .transform(({ reference, ...rest }) => {
    const { primary, references } = referencesOf(reference);
    return { ...rest, ...(primary === undefined ? {} : { reference: primary }), references };
  });

type ReferenceEntry = z.output<typeof referenceEntry>;

function entryId(entry: ReferenceEntry): string {
  return typeof entry === 'string' ? entry : entry.id;
}

/** The primary reference (the one marked, else the first) and all of them in the manifest's order. */
function referencesOf(reference: string | readonly ReferenceEntry[] | undefined): {
  primary: string | undefined;
  references: string[];
} {
  if (reference === undefined) return { primary: undefined, references: [] };
  if (typeof reference === 'string') return { primary: reference, references: [reference] };
  const marked = reference.find((e) => typeof e !== 'string' && e.primary === true);
  return { primary: entryId(marked ?? reference[0]!), references: reference.map(entryId) };
}

function checkReferenceList(list: readonly ReferenceEntry[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    const id = entryId(entry);
    if (seen.has(id)) {
      ctx.addIssue({ code: 'custom', message: `reference '${id}' is listed twice`, path: ['reference', i] });
    }
    seen.add(id);
  });
  const marked = list.filter((e) => typeof e !== 'string' && e.primary === true).length;
  if (marked > 1) {
    ctx.addIssue({
      code: 'custom',
      message: `${marked} references say primary: true; expected at most one`,
      path: ['reference'],
    });
  }
}

const thresholdValues = z.strictObject({
  /** Lowest acceptable dataset share / reference share. @default 0.8 */
  minRatio: z.number().positive().default(0.8),
  /** Highest acceptable ratio. @default 1.25 */
  maxRatio: z.number().positive().default(1.25),
  /** Highest acceptable total variation distance per attribute. @default 0.05 */
  maxTvd: z.number().min(0).max(1).default(0.05),
  /** Groups with fewer rows are "too small to conclude". @default 30 */
  minGroupCount: z.number().int().min(0).default(30),
  /** Significance level for the adjusted per-group tests. @default 0.05 */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /**
   * Alert when an attribute's TVD between a run and the previous run (or the pinned baseline)
   * is above this. @default - no drift alert (status changes still alert)
   */
  maxDriftTvd: z.number().min(0).max(1).optional(),
});

/** One reference population's own thresholds: what it leaves out, it takes from the top level. */
export const referenceThresholdsSchema = z.strictObject({
  minRatio: z.number().positive().optional(),
  maxRatio: z.number().positive().optional(),
  maxTvd: z.number().min(0).max(1).optional(),
  minGroupCount: z.number().int().min(0).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
});

export const thresholdsSchema = thresholdValues.extend({
  /**
   * Thresholds per reference population (`market-2026: { minRatio: 0.7 }`). A population listed
   * here is judged with its own thresholds wherever an attribute compares with it, and its
   * comparisons then count towards the checks and the verdict as the primary reference's do.
   * @default - only the primary references are judged, with the thresholds above
   */
  references: z.record(z.string().regex(POPULATION_ID_PATTERN), referenceThresholdsSchema).optional(),
});

export const manifestSchema = z
  .strictObject({
    dataset: z.string().regex(DATASET_ID_PATTERN, 'expected an id matching [a-z0-9][a-z0-9-]{0,62}'),
    owner: z.string().max(200).optional(),
    format: z.enum(['csv', 'jsonl', 'parquet']).optional(),
    csv: z
      .strictObject({
        delimiter: z.string().length(1, 'expected a single character').optional(),
        header: z.boolean().optional(),
        encoding: z.string().optional(),
      })
      .optional(),
    weight: column.nullable().optional(),
    consent: valueFilter
      .extend({ granted: valueList.min(1) })
      .omit({ positive: true })
      .optional(),
    label: valueFilter
      .extend({
        positive: valueList.min(1),
        /**
         * Values that count as negative. When given, a value that is neither positive nor negative
         * is left out of the label metrics and reported per attribute. @default - every value that
         * is not positive and not missing is negative
         */
        negative: valueList.min(1).optional(),
        /**
         * Values that mean "no label": rows with them (or with no value at all) are left out of
         * every label metric and reported per attribute as label missing. A value also listed as
         * positive or negative counts as that. @default - ["", "NA", "N/A", "null", "none", "unknown"]
         */
        missing: valueList.optional(),
        /** An attribute to condition on for conditional demographic disparity (CDD). @default - none */
        strata: z.string().optional(),
      })
      .omit({ granted: true })
      .optional(),
    /** Where each row came from (web form, app, partner list …): per-source composition. */
    source: z.strictObject({ column }).optional(),
    /**
     * The dataset is a table of the query engine instead of uploaded files, for data that outgrows
     * one Lambda: its counting plan runs as one GROUPING SETS query where the data is. In AWS a
     * table of the pipeline's Glue database (Athena); locally (`run --root`) the data files under
     * `tables/<name>/` of the root, which DuckDB reads as one view of that name.
     * @default - no table: the files of `datasets/<id>/<version>/` are profiled
     */
    table: z
      .strictObject({
        name: z
          .string()
          .regex(TABLE_NAME_PATTERN, 'expected a table name matching [a-z][a-z0-9_]{0,127}')
          .refine((name) => !LAKE_TABLES.some((t) => t.name === name), {
            message: `expected a table of your own, not one of repscope's (${LAKE_TABLES.map((t) => t.name).join(', ')})`,
          }),
      })
      .optional(),
    /** Raking weights to the reference marginals of every attribute with a reference. */
    correction: z
      .strictObject({
        /** @default true */
        rake: z.boolean().default(true),
        /** Largest weight as a multiple of the mean weight; weights above are trimmed and re-raked. @default - no cap */
        cap: z.number().gt(1).optional(),
        /** @default 100 */
        maxIterations: z.number().int().min(1).max(10_000).default(100),
      })
      .default({ rake: true, maxIterations: 100 }),
    attributes: z.array(attributeSchema).min(1, 'expected at least one attribute'),
    intersections: z.array(z.array(z.string()).min(2).max(3)).default([]),
    thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
    privacy: z
      .strictObject({
        /** Published counts below this are shown as `<k`. @default 10 */
        minCellSize: z.number().int().min(1).max(1000).default(10),
        /** Let the profiler look at a small sample of values to spot identifiers. @default false */
        sampleValuesForIdentifiers: z.boolean().default(false),
      })
      .default({ minCellSize: 10, sampleValuesForIdentifiers: false }),
    /** EventBridge schedule for re-profiling (used by the AWS deployment). */
    schedule: z.string().max(100).optional(),
    /** Columns present in the file; used only for data-minimisation findings by name. */
    columns: z.array(z.string()).optional(),
  })
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    m.attributes.forEach((a, i) => {
      if (names.has(a.name)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate attribute name '${a.name}'`,
          path: ['attributes', i, 'name'],
        });
      }
      names.add(a.name);
    });
    m.intersections.forEach((combo, i) => {
      combo.forEach((name, j) => {
        if (!names.has(name)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown attribute '${name}'; expected one of: ${[...names].join(', ')}`,
            path: ['intersections', i, j],
          });
        }
      });
      if (new Set(combo).size !== combo.length) {
        ctx.addIssue({ code: 'custom', message: 'an attribute appears twice', path: ['intersections', i] });
      }
    });
    if (m.label?.strata !== undefined && !names.has(m.label.strata)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown attribute '${m.label.strata}'; expected one of: ${[...names].join(', ')}`,
        path: ['label', 'strata'],
      });
    }
    const positive = new Set((m.label?.positive ?? []).map(normaliseValue));
    for (const [j, value] of (m.label?.negative ?? []).entries()) {
      if (positive.has(normaliseValue(value))) {
        ctx.addIssue({
          code: 'custom',
          message: `value '${value}' is listed as positive and as negative; expected it in one list`,
          path: ['label', 'negative', j],
        });
      }
    }
    if (m.thresholds.minRatio >= m.thresholds.maxRatio) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected minRatio < maxRatio',
        path: ['thresholds', 'minRatio'],
      });
    }
    checkReferenceThresholds(m, ctx);
  });

/** Each population of `thresholds.references` is compared with, and its ratios stay ordered. */
function checkReferenceThresholds(
  m: { attributes: readonly { references?: readonly string[] }[]; thresholds: Thresholds },
  ctx: z.RefinementCtx,
): void {
  // An attribute with an issue of its own is not transformed: it has no `references` then.
  const populations = new Set(m.attributes.flatMap((a) => (a.references ?? []).map((r) => r.split('/')[0]!)));
  for (const population of Object.keys(m.thresholds.references ?? {})) {
    const path = ['thresholds', 'references', population];
    if (!populations.has(population)) {
      ctx.addIssue({
        code: 'custom',
        message: `population '${population}' is named by no attribute's reference; expected one of: ${[...populations].join(', ') || '(none)'}`,
        path,
      });
    }
    const t = thresholdsFor(m.thresholds, population);
    if (t.minRatio >= t.maxRatio) {
      ctx.addIssue({ code: 'custom', message: 'expected minRatio < maxRatio', path: [...path, 'minRatio'] });
    }
  }
}

/**
 * The thresholds a comparison with `population` is judged by: its own entry in
 * `thresholds.references` over the top-level values.
 */
export function thresholdsFor(thresholds: Thresholds, population: string): Thresholds {
  const own = thresholds.references?.[population];
  return own === undefined ? thresholds : { ...thresholds, ...own };
}

/** True when the manifest gives `population` thresholds of its own (then its comparisons are checked). */
export function hasOwnThresholds(thresholds: Thresholds, population: string): boolean {
  return thresholds.references?.[population] !== undefined;
}

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;
export type AttributeSpec = z.output<typeof attributeSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;

/** JSON Schema of the manifest (for editor completion: schemas/repscope.schema.json). */
export function manifestJsonSchema(): unknown {
  return z.toJSONSchema(manifestSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
}
