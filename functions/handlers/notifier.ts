import { SnsNotifier } from '../adapters/aws/sns-notifier.ts';
import type { Logger, Notifier } from '../core/ports.ts';
import type { HandlerConfig } from './config.ts';

/**
 * Where alerts go: the SNS topic of REPSCOPE_ALERT_TOPIC_ARN, or, without one, the log only (one
 * line per alert, the same fields). Built once per cold start by the publish handler, the one
 * handler that sends alerts (after the site shows them).
 */
export function alertNotifier(config: HandlerConfig, logger: Logger): Notifier {
  if (config.alertTopicArn) {
    return new SnsNotifier({
      topicArn: config.alertTopicArn,
      clientConfig: config.snsEndpoint ? { endpoint: config.snsEndpoint } : {},
    });
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
