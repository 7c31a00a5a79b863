import { z } from 'zod';

/**
 * The report contract, `repscope/report@1`. Public: tests pin it and CHANGELOG.md flags any
 * breaking change. Numbers that cannot be computed are `null` with a reason in `warnings`;
 * zod's `number()` rejects NaN and ±Infinity, so a schema-valid report never carries them.
 */
export const REPORT_SCHEMA_ID = 'repscope/report@1';

const num = z.number();
const share = z.number().min(0).max(1);
const nullableNum = num.nullable();
const nullableShare = share.nullable();

export const groupStatusSchema = z.enum(['under', 'over', 'ok', 'no-reference', 'suppressed']);
export const verdictSchema = z.enum(['pass', 'warn', 'fail', 'error']);
export const checkStatusSchema = z.enum(['pass', 'warn', 'fail']);

export const groupResultSchema = z.object({
  group: z.string(),
  /** Rows (or weight sum with `weight`) in the group; null when suppressed in a published copy. */
  count: nullableNum,
  share: nullableShare,
  /** 95 % Wilson score interval of the share. */
  ci: z.tuple([share, share]).nullable(),
  referenceShare: nullableShare,
  ratio: nullableNum,
  difference: nullableNum,
  pValue: nullableShare,
  pAdjusted: nullableShare,
  status: groupStatusSchema,
  /** Rows to add to this group to reach minRatio × reference share. */
  rowsNeeded: z.number().int().min(0).optional(),
  /** Plain-language note, e.g. "too small to conclude". */
  note: z.string().optional(),
  /** Rows in the group with a positive label (label metrics). */
  positives: nullableNum.optional(),
});

export const chiSquareSchema = z.object({
  /** Pearson X²; null when a group has reference share 0 but rows (then pValue is 0). */
  statistic: nullableNum,
  df: z.number().int().min(0).nullable(),
  /** Asymptotic χ²(df) upper-tail p-value. */
  pValue: nullableShare,
  method: z.string(),
  /** Seeded Monte-Carlo p-value, present when an expected count is below 5. */
  monteCarlo: z.object({ pValue: share, draws: z.number().int().min(1), seed: z.number().int() }).optional(),
});

export const attributeResultSchema = z.object({
  name: z.string(),
  column: z.string(),
  reference: z.string().nullable(),
  /** Rows whose value is declared missing (empty, NA, …). */
  missing: num,
  /** Rows whose value matched no declared group or bin. */
  unmapped: num,
  /** N: rows with a valid group for this attribute. */
  total: num,
  groups: z.array(groupResultSchema),
  tests: z.object({ chiSquare: chiSquareSchema.nullable() }).catchall(z.unknown()),
  distances: z.object({ tvd: nullableShare, jsDivergence: nullableShare }).catchall(z.union([num, z.null()])),
  diversity: z.record(z.string(), nullableNum),
  status: checkStatusSchema,
  /** Label metrics (with `label` in the manifest). */
  labels: z.lazy(() => labelsSchema).optional(),
  /** With a `weight` column: counts are weight sums; Kish's effective N is used for intervals and tests. */
  weights: z.object({ weightSum: num, effectiveN: nullableNum, designEffect: nullableNum }).optional(),
});

const metric = nullableNum;

export const labelGroupSchema = z.object({
  group: z.string(),
  /** Rows in the group with a positive label (weight sum with `weight`). */
  positives: nullableNum,
  positiveRate: nullableShare,
  /** 95 % Wilson interval of the positive rate. */
  ci: z.tuple([share, share]).nullable(),
  /** Clarify pre-training metrics, this group (facet d) against all other rows (facet a). */
  classImbalance: metric,
  dpl: metric,
  disparateImpact: metric,
  /** Four-fifths rule on disparate impact: fail when DI < 0.8 (or > 1.25). */
  fourFifths: z.enum(['pass', 'fail']).nullable(),
  kl: metric,
  js: metric,
  lp: metric,
  tvd: metric,
  ks: metric,
});

export const labelsSchema = z.object({
  /** The label column and what counts as positive. */
  column: z.string(),
  positiveRate: nullableShare,
  groups: z.array(labelGroupSchema),
  /** Conditional demographic disparity per group, given the strata attribute. */
  cdd: z
    .object({ strata: z.string(), groups: z.array(z.object({ group: z.string(), value: metric })) })
    .nullable(),
  /** Composition of the positive class vs the reference. */
  positiveComposition: z
    .object({
      tvd: nullableShare,
      jsDivergence: nullableShare,
      groups: z.array(z.object({ group: z.string(), share: nullableShare, referenceShare: nullableShare })),
    })
    .nullable(),
});

export const sourceCountSchema = z.object({ source: z.string(), count: nullableNum, share: nullableShare });

export const sourcesSchema = z.object({
  column: z.string(),
  /** Rows per source (over rows counted). */
  groups: z.array(sourceCountSchema),
  largestShare: nullableShare,
  /** Hill number of order 2 (inverse Simpson) of the source shares. */
  effectiveNumber: nullableNum,
  attributes: z.array(
    z.object({
      name: z.string(),
      /** Set when one source provides most rows of the attribute's under-represented groups. */
      dominantSource: z.object({ source: z.string(), share: share }).nullable(),
      /** Per group, its rows by source; `share` is the source's share of the group's rows. */
      groups: z.array(z.object({ group: z.string(), sources: z.array(sourceCountSchema) })),
    }),
  ),
});

export const correctionSchema = z.object({
  method: z.literal('raking'),
  /** The attributes whose reference marginals the weights match. */
  attributes: z.array(z.string()),
  converged: z.boolean(),
  iterations: z.number().int().min(0),
  maxMarginError: nullableNum,
  designEffect: nullableNum,
  effectiveSampleSize: nullableNum,
  minWeight: nullableNum,
  maxWeight: nullableNum,
  cap: nullableNum,
  capped: z.boolean(),
  /** Rows used: those with a valid group for every raked attribute. */
  rows: num,
  reason: z.string().optional(),
  /**
   * Per cell of the raked cross-table (`female|18-24|Bayern`), its rows and the weight of each of
   * its rows. Kept in the lake's report.json for whoever trains on the data; never published
   * (cell counts would reveal small cells).
   */
  cells: z.array(z.object({ cell: z.string(), rows: num, weight: nullableNum })).optional(),
});

export const intersectionResultSchema = z.object({
  attributes: z.array(z.string()).min(2),
  reference: z.string().nullable(),
  basis: z.enum(['joint-reference', 'product-of-marginals', 'none']),
  total: num,
  groups: z.array(groupResultSchema),
  emptyCells: z.array(z.string()),
  /** The cells with the strongest evidence of misrepresentation, worst first. */
  worstCells: z.array(z.string()).optional(),
});

export const checkSchema = z.object({ id: z.string(), status: checkStatusSchema, message: z.string() });
export const warningSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** Where it applies: an attribute, a group, a column. */
  path: z.string().optional(),
});

export const reportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  dataset: z.object({
    id: z.string(),
    version: z.string(),
    owner: z.string().optional(),
    source: z.object({
      uri: z.string(),
      bytes: z.number().int().min(0),
      etag: z.string().optional(),
      sha256: z.string().optional(),
      format: z.enum(['csv', 'jsonl', 'parquet']),
      compression: z.enum(['none', 'gzip']),
    }),
  }),
  run: z.object({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    reason: z.enum(['upload', 'schedule', 'manual']),
  }),
  status: verdictSchema,
  rows: z.object({
    read: z.number().int().min(0),
    used: z.number().int().min(0),
    excludedNoConsent: z.number().int().min(0),
    malformed: z.number().int().min(0),
  }),
  thresholds: z.object({
    minRatio: num,
    maxRatio: num,
    maxTvd: num,
    minGroupCount: num,
    alpha: num,
  }),
  privacy: z.object({
    minCellSize: z.number().int().min(0),
    /** True in published copies, where small cells are hidden. */
    suppressed: z.boolean(),
  }),
  attributes: z.array(attributeResultSchema),
  intersections: z.array(intersectionResultSchema),
  /** Per-source composition (with `source` in the manifest). */
  sources: sourcesSchema.optional(),
  /** Raking weights to the reference marginals (two or more attributes with references). */
  correction: correctionSchema.optional(),
  checks: z.array(checkSchema),
  warnings: z.array(warningSchema),
  provenance: z.object({
    manifestSha256: z.string(),
    references: z.array(
      z.object({
        id: z.string(),
        year: z.number().int().nullable(),
        source: z.string(),
        title: z.string().optional(),
        url: z.string().optional(),
        license: z.string().optional(),
        notes: z.string().optional(),
      }),
    ),
    codeVersion: z.string(),
    /** Columns the profiler read: nothing else was parsed. */
    columnsRead: z.array(z.string()),
  }),
});

export type Report = z.infer<typeof reportSchema>;
export type Labels = z.infer<typeof labelsSchema>;
export type LabelGroup = z.infer<typeof labelGroupSchema>;
export type Sources = z.infer<typeof sourcesSchema>;
export type Correction = z.infer<typeof correctionSchema>;
export type AttributeResult = z.infer<typeof attributeResultSchema>;
export type IntersectionResult = z.infer<typeof intersectionResultSchema>;
export type GroupResult = z.infer<typeof groupResultSchema>;
export type GroupStatus = z.infer<typeof groupStatusSchema>;
export type Verdict = z.infer<typeof verdictSchema>;
export type Check = z.infer<typeof checkSchema>;
export type ReportWarning = z.infer<typeof warningSchema>;

/** The JSON Schema of report@1, for consumers outside TypeScript. */
export function reportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema, { target: 'draft-2020-12' });
}
