import type { Alert } from '../../functions/core/history/alerts.ts';
import type { Report } from '../../functions/core/report/schema.ts';
import { AlertBanner } from '../components/alert-banner.tsx';
import { Layout } from '../components/layout.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatTime } from '../format.ts';
import { sitePath } from '../paths.ts';

/** `index.html`: every dataset with its latest run (`latest` arrives sorted by dataset id). */
export function IndexPage({
  latest,
  generatedAt,
  alerts = [],
}: {
  readonly latest: readonly Report[];
  readonly generatedAt: string;
  /** The alerts of each dataset's latest run. @default - none */
  readonly alerts?: readonly Alert[];
}) {
  return (
    <Layout title="Datasets" root="" generatedAt={generatedAt} breadcrumb={[{ label: 'All datasets' }]}>
      <h1>Datasets</h1>
      <AlertBanner alerts={alerts} heading="Alerts on the latest runs" />
      <p>
        Whether each dataset represents the population it is meant to represent, by its latest run. Open a
        dataset for its history.
      </p>
      {latest.length === 0 ? (
        <p>No reports have been published yet.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption>Datasets and their latest run</caption>
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Latest run</th>
                <th scope="col">Status</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {latest.map((r) => (
                <tr key={r.dataset.id}>
                  <th scope="row">
                    <a href={sitePath.dataset(r.dataset.id)}>{r.dataset.id}</a>
                  </th>
                  <td>
                    <a href={sitePath.run(r.dataset.id, r.run.id)}>{r.run.id}</a>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>
                    <time dateTime={r.run.finishedAt}>{formatTime(r.run.finishedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
