import type { Alert } from '../../functions/core/history/alerts.ts';
import { isWithheld } from '../../functions/core/privacy/withheld.ts';
import { REFERENCE_KIND_LABEL } from '../../functions/core/report/reference-summary.ts';
import type { Report } from '../../functions/core/report/schema.ts';
import { AlertBanner } from '../components/alert-banner.tsx';
import { AttributeSection } from '../components/attribute-section.tsx';
import type { RenderedChart } from '../components/chart-figure.tsx';
import { CorrectionSection } from '../components/correction-section.tsx';
import { IntersectionSection } from '../components/intersection-section.tsx';
import { Layout } from '../components/layout.tsx';
import { SourcesSection } from '../components/sources-section.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatBytes, formatHiddenCount, formatTime, safeExternalUrl } from '../format.ts';
import { rootPrefix, sitePath } from '../paths.ts';

export type { RenderedChart };

export interface RunPageProps {
  readonly report: Report;
  /** One chart per attribute, in the report's order. */
  readonly charts: readonly RenderedChart[];
  /** Per attribute, in the report's order, its label-rate chart (undefined without labels). */
  readonly labelCharts?: readonly (RenderedChart | undefined)[];
  readonly generatedAt: string;
  /** This run's alerts (a worse verdict, drift), computed by the pipeline. @default - none */
  readonly alerts?: readonly Alert[];
  /** Per attribute, its side-by-side chart of several references (undefined with one or none). */
  readonly referenceCharts?: readonly (RenderedChart | undefined)[];
}

/** `datasets/<id>/runs/<run>/index.html`: everything a reviewer needs about one run. */
export function RunPage({
  report,
  charts,
  labelCharts = [],
  generatedAt,
  alerts = [],
  referenceCharts = [],
}: RunPageProps) {
  const { dataset, run } = report;
  const root = rootPrefix(sitePath.run(dataset.id, run.id));
  const k = report.privacy.minCellSize;
  return (
    <Layout
      title={`${dataset.id}, run ${run.id}`}
      root={root}
      generatedAt={generatedAt}
      breadcrumb={[
        { label: 'All datasets', href: `${root}${sitePath.index}` },
        { label: dataset.id, href: `${root}${sitePath.dataset(dataset.id)}` },
        { label: `Run ${run.id}` },
      ]}
    >
      <h1>
        {dataset.id}: run {run.id}
      </h1>
      <AlertBanner alerts={alerts} heading="Alerts of this run" />
      <p class="muted">
        Dataset version <code>{dataset.version}</code>
        {dataset.owner === undefined ? '' : `, owned by ${dataset.owner}`}. Run started{' '}
        <time dateTime={run.startedAt}>{formatTime(run.startedAt)}</time>, finished{' '}
        <time dateTime={run.finishedAt}>{formatTime(run.finishedAt)}</time> ({run.reason}).
      </p>

      <section aria-labelledby="verdict">
        <h2 id="verdict">Verdict</h2>
        <p class="verdict">
          <StatusBadge status={report.status} large />
          <span>{VERDICT_TEXT[report.status]}</span>
        </p>
        {report.checks.length === 0 ? (
          <p>No checks were run.</p>
        ) : (
          <ul class="checks">
            {report.checks.map((c) => (
              <li key={c.id}>
                <StatusBadge status={c.status} /> <code>{c.id}</code> {c.message}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="rows">
        <h2 id="rows">Rows</h2>
        <dl class="facts">
          <dt>Read</dt>
          <dd>{formatHiddenCount(report.rows.read)}</dd>
          <dt>Used</dt>
          <dd>{formatHiddenCount(report.rows.used)}</dd>
          <dt>Excluded (no consent)</dt>
          <dd>{formatHiddenCount(report.rows.excludedNoConsent)}</dd>
          <dt>Malformed</dt>
          <dd>{formatHiddenCount(report.rows.malformed)}</dd>
        </dl>
      </section>

      <section aria-labelledby="attributes">
        <h2 id="attributes">Attributes</h2>
        {report.attributes.length === 0 ? <p>No attributes were analysed.</p> : null}
        {report.attributes.map((a, i) => (
          <AttributeSection
            key={a.name}
            attribute={a}
            index={i}
            chartSvg={charts[i]?.svg ?? ''}
            chartSummary={charts[i]?.summary ?? ''}
            minCellSize={k}
            maxTvd={report.thresholds.maxTvd}
            statisticsWithheld={isWithheld(report, 'attributes', a.name, 'hidden-cells')}
            labelChart={labelCharts[i]}
            cddWithheld={isWithheld(report, 'labels', a.name, 'unverifiable-counts')}
            minGroupCount={report.thresholds.minGroupCount}
            references={report.provenance.references}
            referencesChart={referenceCharts[i]}
          />
        ))}
      </section>

      {report.intersections.length > 0 ? (
        <section aria-labelledby="intersections">
          <h2 id="intersections">Intersections</h2>
          {report.intersections.map((x, i) => (
            <IntersectionSection
              key={x.attributes.join('|')}
              intersection={x}
              index={i}
              references={report.provenance.references}
            />
          ))}
        </section>
      ) : null}

      {report.sources === undefined ? null : (
        <SourcesSection
          sources={report.sources}
          attributes={report.attributes}
          withheld={isWithheld(report, 'sources', 'sources', 'hidden-cells')}
        />
      )}

      {report.correction === undefined ? null : (
        <CorrectionSection
          correction={report.correction}
          withheld={isWithheld(report, 'correction', 'correction', 'hidden-cells')}
        />
      )}

      <section aria-labelledby="warnings">
        <h2 id="warnings">Warnings</h2>
        {report.warnings.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul>
            {report.warnings.map((w, i) => (
              <li key={`${w.code}-${i}`}>
                <code>{w.code}</code>
                {w.path === undefined ? ' ' : <> ({w.path}) </>}
                {w.message}
              </li>
            ))}
          </ul>
        )}
      </section>

      <Provenance report={report} />

      <p>
        <a href="report.json" type="application/json">
          Download this report as JSON
        </a>{' '}
        (the published copy: small cells hidden as on this page).
      </p>
    </Layout>
  );
}

const VERDICT_TEXT: Readonly<Record<Report['status'], string>> = {
  pass: 'The dataset represents the reference population within the thresholds.',
  warn: 'The dataset is close to the reference, with findings to review.',
  fail: 'The dataset does not represent the reference population: see the checks below.',
  error: 'The analysis could not be completed: see the warnings below.',
};

function Provenance({ report }: { readonly report: Report }) {
  const { dataset, provenance, privacy } = report;
  const kinds = referenceKinds(report);
  const source = dataset.source;
  return (
    <section aria-labelledby="provenance">
      <h2 id="provenance">Provenance</h2>
      <dl class="facts">
        <dt>Source</dt>
        <dd>
          <code>{source.uri}</code>
        </dd>
        <dt>Size and format</dt>
        <dd>
          {source.bytes === null
            ? 'size withheld (it would add to what hidden counts can be worked out from)'
            : formatBytes(source.bytes)}
          , {source.format}
          {source.compression === 'none' ? '' : ` (${source.compression})`}
        </dd>
        {source.sha256 === undefined ? null : (
          <>
            <dt>SHA-256</dt>
            <dd>
              <code>{source.sha256}</code>
            </dd>
          </>
        )}
        {source.etag === undefined ? null : (
          <>
            <dt>ETag</dt>
            <dd>
              <code>{source.etag}</code>
            </dd>
          </>
        )}
        <dt>Manifest SHA-256</dt>
        <dd>
          <code>{provenance.manifestSha256}</code>
        </dd>
        <dt>repscope version</dt>
        <dd>{provenance.codeVersion}</dd>
        <dt>Privacy</dt>
        <dd>Counts below {privacy.minCellSize} are hidden.</dd>
      </dl>

      <h3>Reference populations</h3>
      {provenance.references.length === 0 ? (
        <p>None.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption>Reference populations this report compares with</caption>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Year</th>
                {kinds === undefined ? null : <th scope="col">Kind</th>}
                <th scope="col">Source</th>
                <th scope="col">Licence</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              {provenance.references.map((r) => {
                const url = safeExternalUrl(r.url);
                return (
                  <tr key={r.id}>
                    <th scope="row">
                      <code>{r.id}</code>
                      {r.title === undefined ? null : <div>{r.title}</div>}
                    </th>
                    <td>{r.year ?? '—'}</td>
                    {kinds === undefined ? null : <td>{kinds.get(r.id) ?? 'not stated'}</td>}
                    <td>
                      {r.source}
                      {r.url === undefined ? null : (
                        <div>
                          {url === undefined ? (
                            <code>{r.url}</code>
                          ) : (
                            <a href={url} rel="noopener noreferrer external">
                              {url}
                            </a>
                          )}
                        </div>
                      )}
                    </td>
                    <td>{r.license ?? '—'}</td>
                    <td>{r.notes ?? ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h3>Columns read</h3>
      <p>The profiler parsed only these columns; no row values are stored in this report.</p>
      <ul>
        {provenance.columnsRead.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * Each population's kind, as the comparison blocks state it, when the report compares an
 * attribute with several references (#18); undefined otherwise, and the table has no such column.
 */
function referenceKinds(report: Report): Map<string, string> | undefined {
  const blocks = report.attributes.flatMap((a) => a.comparisons ?? []);
  if (blocks.length === 0) return undefined;
  return new Map(
    blocks.flatMap((b) =>
      b.kind === null ? [] : [[b.reference.split('/')[0]!, REFERENCE_KIND_LABEL[b.kind]]],
    ),
  );
}
