import { compare } from '../core/compare/compare.ts';
import { compareStatement, toCompareRows } from '../core/compare/compare-sql.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { toJsonLines } from '../core/lake/tables.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { ObjectStore, QueryEngine } from '../core/ports.ts';
import { intersectionName } from '../core/profile/plan.ts';
import type { Profile } from '../core/profile/profile.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { buildReport } from '../core/report/build.ts';
import { type Report, type ReportWarning, reportSchema } from '../core/report/schema.ts';
import type { ProfileStageOutput } from './profile-stage.ts';
import { referenceMappings } from './reference-mappings.ts';

export interface CompareStageInput {
  readonly store: ObjectStore;
  readonly engine: QueryEngine;
  readonly manifest: Manifest;
  readonly manifestSha256: string;
  readonly catalogue: ReferenceCatalogue;
  /** What profiling found; the profile itself is already in the lake (profile.json, group_counts). */
  readonly profiled: Pick<ProfileStageOutput, 'profile' | 'source' | 'fileColumns'>;
  readonly dataset: { id: string; version: string };
  readonly run: Report['run'];
  readonly codeVersion: string;
  /** Warnings about the run itself, added to the report's own (e.g. a re-compared run's origin). */
  readonly notes?: readonly ReportWarning[];
}

/**
 * Compare: joins the run's group_counts (written by the profile half, see analyse.ts) with
 * reference_populations in the query engine, computes the statistics and writes group_metrics and report.json (last, so a
 * report's presence means the run is complete). The report in the lake keeps exact counts.
 */
export async function compareStage(input: CompareStageInput): Promise<Report> {
  const { store, engine, manifest, profiled, dataset, run } = input;
  const profile: Profile = profiled.profile;

  const statement = compareStatement(dataset.id, run.id, referenceMappings(manifest, input.catalogue));
  const rows = toCompareRows(await engine.rows(statement.sql, statement.params));
  const comparison = compare(manifest, profile, rows, {
    kindOf: (population) => input.catalogue.populations.find((p) => p.id === population)?.kind ?? null,
  });
  const built = buildReport({
    manifest,
    manifestSha256: input.manifestSha256,
    profile,
    comparison,
    dataset: { id: dataset.id, version: dataset.version, source: profiled.source },
    run,
    fileColumns: profiled.fileColumns,
    populations: input.catalogue.populations,
    referenceRows: input.catalogue.rows,
    codeVersion: input.codeVersion,
  });
  const report = reportSchema.parse({ ...built, warnings: [...built.warnings, ...(input.notes ?? [])] });
  await store.write(lakeKeys.groupMetrics(dataset.id, run.id), toJsonLines(groupMetricRows(report)));
  await store.write(lakeKeys.report(dataset.id, run.id), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

function groupMetricRows(report: Report): Record<string, string | number | null>[] {
  const rows: Record<string, string | number | null>[] = [];
  const add = (attribute: string, groups: Report['attributes'][number]['groups']) => {
    for (const g of groups) {
      rows.push({
        attribute,
        group: g.group,
        count: g.count,
        share: g.share,
        reference_share: g.referenceShare,
        ratio: g.ratio,
        ci_low: g.ci?.[0] ?? null,
        ci_high: g.ci?.[1] ?? null,
        p_value: g.pValue,
        p_adjusted: g.pAdjusted,
        status: g.status,
      });
    }
  };
  for (const a of report.attributes) add(a.name, a.groups);
  for (const x of report.intersections) add(intersectionName(x.attributes), x.groups);
  return rows;
}
