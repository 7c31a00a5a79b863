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
  labels: z.record(z.string(), z.unknown()).optional(),
  weights: z.record(z.string(), z.unknown()).optional(),
});

export const intersectionResultSchema = z.object({
  attributes: z.array(z.string()).min(2),
  reference: z.string().nullable(),
  basis: z.enum(['joint-reference', 'product-of-marginals', 'none']),
  total: num,
  groups: z.array(groupResultSchema),
  emptyCells: z.array(z.string()),
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
