import type { Report, ReportWarning, Withheld } from '../report/schema.ts';

/** The `privacy.withheld` subject of a withheld data file size (`dataset.source.bytes`). */
export const DATA_SIZE_SUBJECT = 'dataset.source.bytes';

/**
 * Every sentence suppression publishes, in one catalogue: the notes on hidden groups, the
 * warnings of a published copy (one per `privacy.withheld` entry) and the explanations the site
 * shows where something is withheld. Each is a function of what it names, never of row data.
 */

/**
 * The note on every hidden group. Small groups and the groups hidden to protect them carry the
 * same note and the same marker, so a reader cannot tell which hidden group is the small one.
 */
export const HIDDEN_NOTE = 'hidden to protect small groups';

/** Sentences of checks and warnings rewritten from a published copy (`rules/public-text.ts`). */
export const PUBLIC_TEXT = {
  hiddenGroups: 'some groups are hidden to protect small groups (the status was decided on the exact counts)',
  hiddenCells: 'some cells are hidden to protect small groups (the status was decided on the exact counts)',
  hiddenRates:
    'the positive rates of some groups are hidden to protect small groups (the status was decided on the exact counts)',
  rowsCheck: (used: number | null, read: number | null): string =>
    used !== null && read !== null
      ? `${used} of ${read} rows counted; some row totals are hidden to protect small groups`
      : 'rows counted; some row totals are hidden to protect small groups',
  sourcesCheck: (attributes: readonly string[]): string =>
    attributes.length > 0
      ? `one source provides most rows of under-represented groups in: ${attributes.join(', ')}`
      : 'one source provides most rows of under-represented groups of some attribute; the finding is withheld in this published copy because it involves hidden cells',
  dominantSourceWithheld: (attribute: string): string =>
    `${attribute}: a dominant-source finding is withheld in this published copy because it involves hidden cells`,
} as const;

/** Warning codes this module adds to a published copy. */
export const PRIVACY_WARNING = {
  statisticsWithheld: 'privacy-statistics-withheld',
  cellRecoverable: 'privacy-cell-recoverable',
  labelsWithheld: 'privacy-labels-withheld',
  cddWithheld: 'privacy-cdd-withheld',
  sourcesWithheld: 'privacy-sources-withheld',
  correctionWithheld: 'privacy-correction-withheld',
  totalsWithheld: 'privacy-totals-withheld',
} as const;

const PRIVACY_CODES: ReadonlySet<string> = new Set(Object.values(PRIVACY_WARNING));

/** True for the warnings suppression writes (they are rewritten, not kept, on a second pass). */
export function isPrivacyWarning(warning: ReportWarning): boolean {
  return PRIVACY_CODES.has(warning.code);
}

/** The warning that says, in words, what one `privacy.withheld` entry withholds. */
export function withheldWarning(entry: Withheld, report: Report, k: number): ReportWarning {
  const { code, message } = warningText(entry, report, k);
  return { code, path: entry.subject, message };
}

function warningText(entry: Withheld, report: Report, k: number): { code: string; message: string } {
  const name = entry.subject;
  if (entry.reason === 'recoverable-cell') {
    return {
      code: PRIVACY_WARNING.cellRecoverable,
      message:
        `A hidden count in ${name} can still be worked out from a published total ` +
        '(no other non-zero cell is left to hide with it).',
    };
  }
  switch (entry.section) {
    case 'rows':
      if (entry.subject === DATA_SIZE_SUBJECT) {
        return {
          code: PRIVACY_WARNING.totalsWithheld,
          message:
            'The data file’s size is withheld in this published copy: it sums the rows’ lengths, ' +
            'which differ by group, so with hidden cells it would be one more clue to their counts.',
        };
      }
      return {
        code: PRIVACY_WARNING.totalsWithheld,
        message:
          `Some totals of ${name} are hidden in this published copy: they are fewer than ${k}, or ` +
          'with the other published totals they would give a hidden count back.',
      };
    case 'attributes':
      return {
        code: PRIVACY_WARNING.statisticsWithheld,
        message:
          `Statistics of ${name} computed from all its group counts (chi-square statistic, distances ` +
          'and diversity) are withheld in this published copy because some of its groups are hidden; ' +
          'the checks used the exact counts.',
      };
    case 'labels':
      return entry.reason === 'unverifiable-counts' ? cddText(name, report, k) : labelsText(name, k);
    case 'intersections':
      return {
        code: PRIVACY_WARNING.labelsWithheld,
        message:
          `Positive counts of some cells are hidden in this published copy: the cell is hidden, its ` +
          `positives or negatives are fewer than ${k}, or they are hidden so that such a count cannot ` +
          'be worked out from the totals.',
      };
    case 'sources':
      return {
        code: PRIVACY_WARNING.sourcesWithheld,
        message:
          `Some source counts are hidden in this published copy (fewer than ${k}, or hidden so that ` +
          'such a count cannot be worked out from the totals), with their shares. Statistics over all ' +
          'sources (the effective number of sources, and the largest share when it is a hidden ' +
          'source’s) and a dominant-source finding that involves a hidden cell are withheld.',
      };
    case 'correction':
      return {
        code: PRIVACY_WARNING.correctionWithheld,
        message:
          'The smallest and largest raking weights are withheld in this published copy because some ' +
          'cells are hidden: an extreme weight belongs to an extreme cell and can give its count back. ' +
          'The design effect and effective sample size are withheld too when a raked attribute, or an ' +
          'intersection of raked attributes, has hidden cells.',
      };
  }
}

function labelsText(name: string, k: number): { code: string; message: string } {
  return {
    code: PRIVACY_WARNING.labelsWithheld,
    message:
      `Positive counts of some groups of ${name} are hidden in this published copy: the group is ` +
      `hidden, its positives, negatives or rows without a label are fewer than ${k} (or all rows ` +
      `without a label are), or they are hidden so that such a ` +
      'count cannot be worked out from the total. Their positive rates and label metrics, and ' +
      'statistics over all groups’ positives, are withheld with them.',
  };
}

function cddText(name: string, report: Report, k: number): { code: string; message: string } {
  const strata = report.attributes.find((a) => a.name === name)?.labels?.cdd?.strata ?? 'the strata';
  return {
    code: PRIVACY_WARNING.cddWithheld,
    message:
      `Conditional demographic disparity of ${name} given ${strata} is withheld in this ` +
      `published copy: it is computed from group × ${strata} × label counts that the ` +
      `report does not carry, so they cannot be shown to be at least ${k}.`,
  };
}

/** What the site says where a published copy withholds something. */
export const WITHHELD_TEXT = {
  attributeStatistics: (name: string): string =>
    `The chi-square test, distances and diversity of ${name} are withheld in this published copy because ` +
    'some of its groups are hidden; the checks above used the exact counts.',
  cdd: 'withheld in this published copy, because it is computed from counts per group, stratum and label that cannot be shown to be large enough to publish.',
  positiveComposition: 'withheld in this published copy, because some shares are hidden.',
  designEffect: (what: string): string =>
    `${what} has a design effect that is withheld in this published copy, because some cells of the raked attributes are hidden.`,
  sourceStatistics: 'withheld in this published copy because some sources are hidden',
  weightRange:
    'The smallest and largest weights are withheld in this published copy, because an extreme weight belongs to an extreme cell and some cells are hidden.',
} as const;
