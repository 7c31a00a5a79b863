import * as z from 'zod';
import {
  margin,
  ofCount,
  ofCountOverTotal,
  ofPositives,
  publicValue,
  spanning,
} from '../privacy/disclosure.ts';
import { type ReferenceKind, referenceKindSchema } from '../references/reference-provenance.ts';

/**
 * The report contract, `repscope/report@1`. Public: tests pin it and CHANGELOG.md flags any
 * breaking change. Numbers that cannot be computed are `null` with a reason in `warnings`;
 * zod's `number()` rejects NaN and ±Infinity, so a schema-valid report never carries them.
 *
 * Every number carries a disclosure tag (`publicValue`, `ofCount`, `ofPositives`, `margin`,
 * `spanning`, see `privacy/disclosure.ts`): suppression withholds fields by their tag, and a test
 * fails on a number without one.
 */
export const REPORT_SCHEMA_ID = 'repscope/report@1';

const num = z.number();
const share = z.number().min(0).max(1);
const nullableNum = num.nullable();
const nullableShare = share.nullable();

/**
 * A group's status against its reference. `not-judged`: the table has no rows (every value missing
 * or unmapped, or no row consented), so there is nothing to judge and no status to show; added after
 * report@1 was first published, as a value readers show as "no status".
 */
export const groupStatusSchema = z.enum(['under', 'over', 'ok', 'no-reference', 'suppressed', 'not-judged']);
export const verdictSchema = z.enum(['pass', 'warn', 'fail', 'error']);
export const checkStatusSchema = z.enum(['pass', 'warn', 'fail']);

export const groupResultSchema = z.object({
  group: z.string(),
  /** Rows (or weight sum with `weight`) in the group; null when suppressed in a published copy. */
  count: ofCount(nullableNum),
  share: ofCountOverTotal(nullableShare),
  /** 95 % Wilson score interval of the share. */
  ci: ofCountOverTotal(z.tuple([share, share]).nullable()),
  referenceShare: publicValue(nullableShare),
  ratio: ofCountOverTotal(nullableNum),
  difference: ofCountOverTotal(nullableNum),
  pValue: ofCountOverTotal(nullableShare),
  /** Benjamini–Hochberg over all groups of the table: it depends on every group's p-value. */
  pAdjusted: spanning(nullableShare),
  status: groupStatusSchema,
  /** Rows to add to this group to reach minRatio × reference share. */
  rowsNeeded: ofCountOverTotal(z.number().int().min(0).optional()),
  /** Plain-language note, e.g. "too small to conclude". */
  note: z.string().optional(),
  /** Rows in the group with a positive label (label metrics). */
  positives: ofPositives(nullableNum.optional()),
  /**
   * With a `weight` column, where `count` is a weight sum: the rows (people) in the group.
   * Suppression applies k to these; the lake keeps them, published copies never carry them.
   */
  rows: ofCount(z.number().int().min(0).optional()),
});

export const chiSquareSchema = z.object({
  /** Pearson X²; null when a group has reference share 0 but rows (then pValue is 0). */
  statistic: spanning(nullableNum),
  /** Groups − 1: the number of groups is published anyway. */
  df: publicValue(z.number().int().min(0).nullable()),
  /** Asymptotic χ²(df) upper-tail p-value. */
  pValue: spanning(nullableShare),
  method: z.string(),
  /** Seeded Monte-Carlo p-value, present when an expected count is below 5. */
  monteCarlo: z
    .object({
      pValue: spanning(nullableShare),
      draws: publicValue(z.number().int().min(1)),
      seed: publicValue(z.number().int()),
    })
    .optional(),
});

/** Tests of one table against one reference: χ² goodness of fit (more may be added under other keys). */
export const testsSchema = z
  .object({ chiSquare: chiSquareSchema.nullable() })
  .catchall(spanning(z.unknown()));

/** TVD, JS (bits, log base 2, in [0, 1]), L∞, Hellinger, KL (nats), Cohen's w. */
export const distancesSchema = spanning(
  z.object({ tvd: nullableShare, jsDivergence: nullableShare }).catchall(z.union([num, z.null()])),
);

/**
 * What kind of population a reference describes, as the page names it: an official statistic
 * (census, register), a market estimate, or the organisation's own customers.
 */
export { referenceKindSchema };

/**
 * A group against one of several references: the fields of `groupResultSchema` that depend on
 * the reference (the count, share and interval do not, they are the attribute's), with the same
 * disclosure tags, so a hidden cell's fields go here as they go there.
 */
export const comparisonGroupSchema = groupResultSchema.pick({
  group: true,
  referenceShare: true,
  ratio: true,
  difference: true,
  pValue: true,
  pAdjusted: true,
  status: true,
  rowsNeeded: true,
  note: true,
});

/**
 * One reference's comparison block of an attribute that names several (issue #18). Added after
 * report@1 was published, and present only on such attributes: a report of single-reference
 * manifests is unchanged.
 */
export const referenceComparisonSchema = z.object({
  /** `<population>/<attribute>`. */
  reference: z.string(),
  /** The reference the attribute's own fields, its check and raking use. */
  primary: z.boolean(),
  /** Null when the reference's provenance does not say. */
  kind: referenceKindSchema.nullable(),
  /** True when the block counts towards the checks and the verdict (the primary, or own thresholds). */
  checked: z.boolean(),
  /** The block judged with its thresholds, whether or not it is checked. */
  status: checkStatusSchema,
  /** The thresholds the block was judged with, when the manifest gives its population its own. */
  thresholds: publicValue(
    z.object({ minRatio: num, maxRatio: num, maxTvd: num, minGroupCount: num, alpha: num }).optional(),
  ),
  groups: z.array(comparisonGroupSchema),
  tests: testsSchema,
  distances: distancesSchema,
  /** With label metrics: the positive class's make-up against this reference. */
  positiveComposition: z.lazy(() => positiveCompositionSchema.nullable()).optional(),
});

export const attributeResultSchema = z.object({
  name: z.string(),
  column: z.string(),
  reference: z.string().nullable(),
  /** Rows whose value is declared missing (empty, NA, …). */
  missing: margin(nullableNum),
  /** Rows whose value matched no declared group or bin. */
  unmapped: margin(nullableNum),
  /**
   * N: rows with a valid group for this attribute. Published copies hide these three like any
   * other cell (null) when they are small or would give a small one back.
   */
  total: margin(nullableNum),
  groups: z.array(groupResultSchema),
  tests: testsSchema,
  distances: distancesSchema,
  diversity: spanning(z.record(z.string(), nullableNum)),
  status: checkStatusSchema,
  /**
   * With several references (issue #18): one block per reference, in the manifest's order. The
   * attribute's own fields are the primary's. Absent with one reference or none.
   */
  comparisons: z.array(referenceComparisonSchema).optional(),
  /** Label metrics (with `label` in the manifest). */
  labels: z.lazy(() => labelsSchema).optional(),
  /** With a `weight` column: counts are weight sums; Kish's effective N is used for intervals and tests. */
  weights: z
    .object({
      weightSum: margin(nullableNum),
      // Kish's N and design effect are over all rows of the attribute, never split by group: with
      // the published total they add no equation on a group count.
      effectiveN: margin(nullableNum),
      designEffect: margin(nullableNum),
    })
    .optional(),
});

const metric = nullableNum;

/**
 * One group's label row. Its positives p, its negatives and its rows without a label are cells of
 * a group × label table, and the rest's are published through the margins, so every metric of
 * this group against the rest gives p back (DI and DPL exactly, the distances up to two
 * candidates): they are all `ofPositives`, and so is `unlabelled`, which is hidden with them.
 * Class imbalance, (n_a − n_d)/N, uses counts only. Rates and metrics count labelled rows only:
 * a row without a label is not a negative.
 */
export const labelGroupSchema = z.object({
  group: z.string(),
  /** Rows in the group with a positive label (weight sum with `weight`). */
  positives: ofPositives(nullableNum),
  /**
   * Rows of the group left out of the label metrics: no label, or (with `label.negative`) a
   * value that is neither positive nor negative (weight sum with `weight`). Added after report@1
   * was published: optional.
   */
  unlabelled: ofPositives(nullableNum.optional()),
  /** Positives over the group's labelled rows (positives, negatives); null without labelled rows. */
  positiveRate: ofPositives(nullableShare),
  /** 95 % Wilson interval of the positive rate (Kish's effective N of the labelled rows with `weight`). */
  ci: ofPositives(z.tuple([share, share]).nullable()),
  /**
   * Clarify pre-training metrics, this group (facet d) against all other rows (facet a). Class
   * imbalance counts every row of the group, labelled or not (it does not read the label).
   */
  classImbalance: ofCountOverTotal(metric),
  dpl: ofPositives(metric),
  /** Clarify's DI: the group's positive rate over the rest's. Not the four-fifths rule's ratio. */
  disparateImpact: ofPositives(metric),
  /**
   * The Uniform Guidelines' impact ratio: the group's positive rate over the highest rate of a
   * judged group (`highestRateGroup`). It spans the rows (it holds that group's rate), so a
   * published copy withholds every one when any row's positives are hidden. Added after report@1
   * was published: optional.
   */
  impactRatio: spanning(metric.optional()),
  /**
   * The four-fifths rule on the impact ratio: fail below 0.8. Null when the group has fewer than
   * `minGroupCount` labelled rows (not judged, listed in `notJudged`) or the ratio does not exist.
   * Reports before the impact ratio was added checked DI here. It bounds the rate.
   */
  fourFifths: ofPositives(z.enum(['pass', 'fail']).nullable()),
  /** Clarify's label KL, in nats. */
  kl: ofPositives(metric),
  /** Clarify's label JS, in nats (natural log, in [0, ln 2]); attribute-level JS is in bits. */
  js: ofPositives(metric),
  lp: ofPositives(metric),
  tvd: ofPositives(metric),
  ks: ofPositives(metric),
});

/** A group's share of all positives: its positives over a published total. */
export const positiveShareSchema = z.object({
  group: z.string(),
  share: ofPositives(nullableShare),
  referenceShare: publicValue(nullableShare),
});

export const positiveCompositionSchema = z.object({
  tvd: spanning(nullableShare),
  /** In bits (log base 2, in [0, 1]), as the attribute's `distances.jsDivergence`. */
  jsDivergence: spanning(nullableShare),
  groups: z.array(positiveShareSchema),
});

export const labelsSchema = z.object({
  /** The label column and what counts as positive. */
  column: z.string(),
  /** All positives over the labelled rows: the label table's margin. */
  positiveRate: margin(nullableShare),
  /**
   * Rows with a valid group for this attribute but no label (no value, or a value of
   * `label.missing`), left out of every label metric (weight sum with `weight`). Added after
   * report@1 was published: optional.
   */
  missing: margin(nullableNum.optional()),
  /**
   * With `label.negative`: rows whose label is neither positive nor negative, left out of every
   * label metric too (weight sum with `weight`). Absent without `label.negative`.
   */
  otherValues: margin(nullableNum.optional()),
  /** The judged group with the highest positive rate, the one impact ratios compare with. */
  highestRateGroup: z.string().nullable().optional(),
  /**
   * Groups with rows but fewer than `minGroupCount` labelled rows (none, possibly): the
   * four-fifths rule does not judge them. A published copy lists visible groups only.
   */
  notJudged: z.array(z.string()).optional(),
  groups: z.array(labelGroupSchema),
  /**
   * Conditional demographic disparity per group, given the strata attribute. For the strata
   * attribute itself `groups` is empty: within a stratum there is one group, so CDD is 0 by
   * construction and is not reported.
   */
  cdd: z
    .object({ strata: z.string(), groups: z.array(z.object({ group: z.string(), value: spanning(metric) })) })
    .nullable(),
  /** Composition of the positive class vs the reference. */
  positiveComposition: positiveCompositionSchema.nullable(),
});

export const sourceCountSchema = z.object({
  source: z.string(),
  count: ofCount(nullableNum),
  /**
   * With a `weight` column, where `count` is a weight sum: the rows (people) in the cell. k
   * applies to them; the lake keeps them and published copies drop them, as groups' `rows`.
   */
  rows: ofCount(z.number().int().min(0).optional()),
  /** Over the row's (or all sources') sum, which is not published: it goes when a cell of that sum is hidden. */
  share: ofCountOverTotal(nullableShare),
});

export const sourcesSchema = z.object({
  column: z.string(),
  /** Rows per source (over rows counted). */
  groups: z.array(sourceCountSchema),
  largestShare: spanning(nullableShare),
  /** Hill number of order 2 (inverse Simpson) of the source shares. */
  effectiveNumber: spanning(nullableNum),
  attributes: z.array(
    z.object({
      name: z.string(),
      /** Set when one source provides most rows of the attribute's under-represented groups. */
      dominantSource: z.object({ source: z.string(), share: spanning(share) }).nullable(),
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
  iterations: spanning(z.number().int().min(0).nullable()),
  maxMarginError: spanning(nullableNum),
  designEffect: spanning(nullableNum),
  effectiveSampleSize: spanning(nullableNum),
  minWeight: spanning(nullableNum),
  maxWeight: spanning(nullableNum),
  /** The manifest's weight cap. */
  cap: publicValue(nullableNum),
  capped: z.boolean(),
  /** Rows used: those with a valid group for every raked attribute (null when a published copy hides it). */
  rows: margin(nullableNum),
  reason: z.string().optional(),
  /**
   * Per cell of the raked cross-table (`female|18-24|Bayern`), its rows and the weight of each of
   * its rows. Kept in the lake's report.json for whoever trains on the data; never published
   * (cell counts would reveal small cells).
   */
  cells: z
    .array(z.object({ cell: z.string(), rows: ofCount(num), weight: spanning(nullableNum) }))
    .optional(),
});

export const intersectionResultSchema = z.object({
  attributes: z.array(z.string()).min(2),
  reference: z.string().nullable(),
  basis: z.enum(['joint-reference', 'product-of-marginals', 'none']),
  total: margin(nullableNum),
  groups: z.array(groupResultSchema),
  emptyCells: z.array(z.string()),
  /** The cells with the strongest evidence of misrepresentation, worst first. */
  worstCells: z.array(z.string()).optional(),
  /**
   * With a population, besides the primary references', that every member compares with (issue
   * #18): one block per reference, the primary's first, each against that population's joint
   * reference or the product of its marginals. Absent otherwise.
   */
  comparisons: z.array(referenceComparisonSchema).optional(),
});

/** The parts of a report that a published copy can withhold something from. */
export const withheldSectionSchema = z.enum([
  'rows',
  'attributes',
  'labels',
  'intersections',
  'sources',
  'correction',
]);

/**
 * Why: `hidden-cells` (statistics over cells, some hidden), `hidden-positives` (positives of some
 * groups hidden, with what is computed from them), `unverifiable-counts` (computed from counts the
 * report does not carry, so they cannot be shown to be at least k), `recoverable-cell` (a hidden
 * count that could not be protected by hiding another cell with it).
 */
export const withheldReasonSchema = z.enum([
  'hidden-cells',
  'hidden-positives',
  'unverifiable-counts',
  'recoverable-cell',
]);

export const withheldSchema = z.object({
  section: withheldSectionSchema,
  /** The attribute, intersection (`a × b`), table line or section the entry is about. */
  subject: z.string(),
  reason: withheldReasonSchema,
});

export const checkSchema = z.object({
  id: z.string(),
  status: checkStatusSchema,
  message: z.string(),
  /**
   * `insufficient`: the check judged nothing (every group below `minGroupCount`), so it cannot
   * pass; its status is then `warn`. Added after report@1 was published: optional, and readers
   * that do not know it still see a warn whose message says why.
   */
  evidence: z.enum(['insufficient']).optional(),
});
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
      /** The file's size: grows with the rows, so it is computed over all of them. */
      /**
       * The object's size. Null in a published copy with hidden cells: the bytes are a sum over
       * rows whose values differ in length by group, so the size is one more equation on them.
       */
      bytes: spanning(z.number().int().min(0).nullable()),
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
  /** Row totals; a published copy hides one (null) that is small or would give a small one back. */
  rows: z.object({
    read: margin(z.number().int().min(0).nullable()),
    used: margin(z.number().int().min(0).nullable()),
    excludedNoConsent: margin(z.number().int().min(0).nullable()),
    malformed: margin(z.number().int().min(0).nullable()),
  }),
  /** The manifest's thresholds. */
  thresholds: publicValue(
    z.object({
      minRatio: num,
      maxRatio: num,
      maxTvd: num,
      minGroupCount: num,
      alpha: num,
      /** The manifest's drift alert threshold, when it sets one (added by #11, optional). */
      maxDriftTvd: num.optional(),
    }),
  ),
  privacy: z.object({
    minCellSize: publicValue(z.number().int().min(0)),
    /** True in published copies, where small cells are hidden. */
    suppressed: z.boolean(),
    /**
     * What a published copy withholds, one entry per section and subject, so readers (the site)
     * ask this instead of parsing warnings. Added after report@1 was published: optional, and
     * absent from unsuppressed reports.
     */
    withheld: z.array(withheldSchema).optional(),
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
        year: publicValue(z.number().int().nullable()),
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
export type ReferenceComparison = z.infer<typeof referenceComparisonSchema>;
export type ComparisonGroup = z.infer<typeof comparisonGroupSchema>;
export type { ReferenceKind };
export type GroupStatus = z.infer<typeof groupStatusSchema>;
export type Verdict = z.infer<typeof verdictSchema>;
export type Check = z.infer<typeof checkSchema>;
export type ReportWarning = z.infer<typeof warningSchema>;
export type Withheld = z.infer<typeof withheldSchema>;
export type WithheldSection = z.infer<typeof withheldSectionSchema>;
export type WithheldReason = z.infer<typeof withheldReasonSchema>;
export type PositiveShare = z.infer<typeof positiveShareSchema>;
export type SourceCount = z.infer<typeof sourceCountSchema>;

/** The JSON Schema of report@1, for consumers outside TypeScript. */
export function reportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema, { target: 'draft-2020-12' });
}
