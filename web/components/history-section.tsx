import type { RunDrift } from '../../functions/core/history/drift.ts';
import type { DatasetHistory } from '../../functions/core/history/series.ts';
import { formatNumber, formatP, formatShare } from '../format.ts';
import { ChartFigure, type RenderedChart } from './chart-figure.tsx';

export interface HistoryCharts {
  readonly tvd: RenderedChart;
  readonly worst: RenderedChart;
}

/**
 * A dataset's history: trend charts (TVD against the reference and the worst group's ratio per
 * attribute over the runs) and the drift of the latest run against the previous run and the
 * baseline: per attribute the TVD between the runs and the groups whose share changed more than
 * chance (two-proportion z-test, BH-adjusted). Everything was computed by the pipeline from the
 * published copies; hidden groups have no figure here either.
 */
export function HistorySection({
  history,
  charts,
}: {
  readonly history: DatasetHistory;
  readonly charts: HistoryCharts;
}) {
  const latest = history.points.at(-1)?.run;
  const latestDrifts = history.drifts.filter((d) => d.to === latest);
  return (
    <section aria-labelledby="history">
      <h2 id="history">History</h2>
      <p>
        {history.points.length} runs
        {history.baseline === null
          ? ''
          : `; drift is also measured against the baseline run ${history.baseline}`}
        .
      </p>
      <div class="attribute">
        <ChartFigure
          chart={charts.tvd}
          caption="Total variation distance between the dataset and its reference, per attribute and run. A gap means the figure is hidden or could not be computed in that run."
        />
        <ChartFigure
          chart={charts.worst}
          caption="Ratio of dataset share to reference share of each attribute's group furthest from its reference (1 is as the reference), per run."
        />
      </div>
      <h3 id="drift">Drift of the latest run</h3>
      {latestDrifts.length === 0 ? (
        <p>There is no earlier run to compare the latest run with.</p>
      ) : (
        latestDrifts.map((d) => <DriftTable key={d.against} drift={d} />)
      )}
    </section>
  );
}

function DriftTable({ drift }: { readonly drift: RunDrift }) {
  const against = drift.against === 'baseline' ? 'the baseline run' : 'the previous run';
  const changed = drift.attributes.flatMap((a) =>
    a.groups.filter((g) => g.significant).map((g) => ({ attribute: a.attribute, ...g })),
  );
  return (
    <div class="table-scroll">
      <table>
        <caption>
          Run {drift.to} against {against} {drift.from}: verdict {drift.statusBefore} → {drift.statusAfter}
        </caption>
        <thead>
          <tr>
            <th scope="col">Attribute</th>
            <th scope="col" class="num">
              TVD between the runs
            </th>
            <th scope="col">Groups whose share changed (BH-adjusted p &lt; alpha)</th>
          </tr>
        </thead>
        <tbody>
          {drift.attributes.map((a) => (
            <tr key={a.attribute}>
              <th scope="row">{a.attribute}</th>
              <td class="num">{a.tvd === null ? 'hidden' : formatNumber(a.tvd)}</td>
              <td>
                {changed
                  .filter((g) => g.attribute === a.attribute)
                  .map(
                    (g) =>
                      `${g.group}: ${formatShare(g.shareBefore)} → ${formatShare(g.shareAfter)} (p ${formatP(g.pAdjusted)})`,
                  )
                  .join('; ') || 'none'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
