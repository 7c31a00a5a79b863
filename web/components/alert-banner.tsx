import type { Alert } from '../../functions/core/history/alerts.ts';

/**
 * The alerts of a run (a worse verdict, drift above the manifest's threshold), above everything
 * else on the page. Renders nothing without alerts. The messages hold ids, verdicts, attribute
 * names and published figures only.
 */
export function AlertBanner({
  alerts,
  heading,
}: {
  readonly alerts: readonly Alert[];
  readonly heading: string;
}) {
  if (alerts.length === 0) return null;
  return (
    <section class="finding alert-banner" aria-labelledby="alerts">
      <h2 id="alerts">{heading}</h2>
      <ul class="sentences">
        {alerts.map((a) => (
          <li key={`${a.kind}-${a.against}-${a.attribute ?? ''}`}>{a.message}</li>
        ))}
      </ul>
    </section>
  );
}
