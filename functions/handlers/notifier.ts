import type { Logger, Notifier } from '../core/ports.ts';
import type { HandlerConfig } from './config.ts';

/**
 * Where alerts go: the SNS topic of REPSCOPE_ALERT_TOPIC_ARN, or, without one, the log only (one
 * line per alert, the same fields). Built once per cold start by the publish handler, the one
 * handler that sends alerts (after the site shows them). The SNS client is loaded and built at the
 * first alert, not at a cold start: most publishes send none.
 */
export function alertNotifier(config: HandlerConfig, logger: Logger): Notifier {
  const topicArn = config.alertTopicArn;
  if (topicArn) {
    let sns: Promise<Notifier> | undefined;
    return {
      async notify(alerts) {
        sns ??= import('../adapters/aws/sns-notifier.ts').then(
          ({ SnsNotifier }) =>
            new SnsNotifier({
              topicArn,
              clientConfig: config.snsEndpoint ? { endpoint: config.snsEndpoint } : {},
            }),
        );
        await (await sns).notify(alerts);
      },
    };
  }
  return {
    async notify(alerts) {
      for (const a of alerts)
        logger.warn('alert (no topic configured)', {
          dataset: a.dataset,
          run: a.run,
          kind: a.kind,
          message: a.message,
        });
    },
  };
}
