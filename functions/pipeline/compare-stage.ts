import { compare, furtherIntersectionReferences } from '../core/compare/compare.ts';
import {
  compareStatement,
  type ReferenceMapping,
  referenceAlias,
  toCompareRows,
} from '../core/compare/compare-sql.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { toJsonLines } from '../core/lake/tables.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { ObjectStore, QueryEngine } from '../core/ports.ts';
import { intersectionName } from '../core/profile/plan.ts';
import type { Profile } from '../core/profile/profile.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { buildReport } from '../core/report/build.ts';
import { type Report, reportSchema } from '../core/report/schema.ts';
import type { ProfileStageOutput } from './profile-stage.ts';

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
  const report = reportSchema.parse(
    buildReport({
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
    }),
  );
  await store.write(lakeKeys.groupMetrics(dataset.id, run.id), toJsonLines(groupMetricRows(report)));
  await store.write(lakeKeys.report(dataset.id, run.id), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** Dataset attribute → reference attribute, and joint references for intersections when they exist. */
export function referenceMappings(manifest: Manifest, catalogue: ReferenceCatalogue): ReferenceMapping[] {
  const mappings: ReferenceMapping[] = [];
  const refOf = new Map<string, string>();
  for (const a of manifest.attributes) {
    if (!a.reference) continue;
    const [population, referenceAttribute] = a.reference.split('/') as [string, string];
    refOf.set(a.name, a.reference);
    mappings.push({ attribute: a.name, population, referenceAttribute });
    if (a.references.length < 2) continue;
    // The further references of the attribute (issue #18); the primary's rows are the attribute's.
    for (const reference of a.references.filter((r) => r !== a.reference)) {
      const [further, furtherAttribute] = reference.split('/') as [string, string];
      mappings.push({
        attribute: referenceAlias(a.name, reference),
        population: further,
        referenceAttribute: furtherAttribute,
        counts: a.name,
      });
    }
  }
  for (const names of manifest.intersections) {
    const refs = names.map((n) => refOf.get(n));
    if (refs.some((r) => r === undefined)) continue;
    const populations = new Set(refs.map((r) => r!.split('/')[0]));
    if (populations.size !== 1) continue;
    const population = [...populations][0]!;
    const referenceAttribute = refs.map((r) => r!.split('/')[1]).join('_x_');
    if (catalogue.rows.some((r) => r.population === population && r.attribute === referenceAttribute)) {
      mappings.push({ attribute: intersectionName(names), population, referenceAttribute });
    }
  }
  // The joint references of the further populations every member compares with (#18).
  for (const names of manifest.intersections) {
    for (const { joint } of furtherIntersectionReferences(manifest, names)) {
      const [population, referenceAttribute] = joint.split('/') as [string, string];
      if (!catalogue.rows.some((r) => r.population === population && r.attribute === referenceAttribute))
        continue;
      const attribute = intersectionName(names);
      mappings.push({
        attribute: referenceAlias(attribute, joint),
        population,
        referenceAttribute,
        counts: attribute,
      });
    }
  }
  return mappings;
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
