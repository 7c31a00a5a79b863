import { alertsOfRun, type DatasetHistory } from '../../functions/core/history/series.ts';
import type { Report } from '../../functions/core/report/schema.ts';
import { AlertBanner } from '../components/alert-banner.tsx';
import { type HistoryCharts, HistorySection } from '../components/history-section.tsx';
import { Layout } from '../components/layout.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatHiddenCount, formatTime } from '../format.ts';
import { rootPrefix, sitePath } from '../paths.ts';

/**
 * `datasets/<id>/index.html`: the runs of one dataset, newest first (`runs` arrives sorted), the
 * latest run's alerts, and with two runs or more its history (trend charts and drift).
 */
export function DatasetPage({
  datasetId,
  runs,
  generatedAt,
  history,
  historyCharts,
}: {
  readonly datasetId: string;
  readonly runs: readonly Report[];
  readonly generatedAt: string;
  /** Computed by the pipeline from the published copies. @default - none */
  readonly history?: DatasetHistory;
  readonly historyCharts?: HistoryCharts;
}) {
  const page = sitePath.dataset(datasetId);
  const root = rootPrefix(page);
  const owner = runs.find((r) => r.dataset.owner !== undefined)?.dataset.owner;
  return (
    <Layout
      title={datasetId}
      root={root}
      generatedAt={generatedAt}
      breadcrumb={[{ label: 'All datasets', href: `${root}${sitePath.index}` }, { label: datasetId }]}
    >
      <h1>{datasetId}</h1>
      {owner === undefined ? null : <p class="muted">Owner: {owner}</p>}
      {history && runs[0] ? (
        <AlertBanner alerts={alertsOfRun(history, runs[0].run.id)} heading="Alerts of the latest run" />
      ) : null}
      <div class="table-scroll">
        <table>
          <caption>Runs of {datasetId}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Finished</th>
              <th scope="col">Reason</th>
              <th scope="col">Dataset version</th>
              <th scope="col" class="num">
                Rows used
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.run.id}>
                <th scope="row">
                  <a href={`runs/${r.run.id}/index.html`}>{r.run.id}</a>
                  {history?.baseline === r.run.id ? <span class="muted"> (baseline)</span> : null}
                </th>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  <time dateTime={r.run.startedAt}>{formatTime(r.run.startedAt)}</time>
                </td>
                <td>
                  <time dateTime={r.run.finishedAt}>{formatTime(r.run.finishedAt)}</time>
                </td>
                <td>{r.run.reason}</td>
                <td>
                  <code>{r.dataset.version}</code>
                </td>
                <td class="num">{formatHiddenCount(r.rows.used)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {history && historyCharts && history.points.length >= 2 ? (
        <HistorySection history={history} charts={historyCharts} />
      ) : null}
    </Layout>
  );
}
