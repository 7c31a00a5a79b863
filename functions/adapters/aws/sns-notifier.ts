import { PublishCommand, SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { NotifyError } from '../../core/errors.ts';
import type { AlertNotice, Notifier } from '../../core/ports.ts';

export interface SnsNotifierProps {
  /** The topic that receives one message per alert. */
  readonly topicArn: string;
  /**
   * A client to use; built once per cold start by the caller.
   * @default - a new SNSClient from `clientConfig` (credentials and region from the SDK's chain)
   */
  readonly client?: SNSClient;
  /** Client settings when no `client` is given. @default - {} */
  readonly clientConfig?: SNSClientConfig;
}

/** SNS subjects are at most 100 characters of printable ASCII. */
const SUBJECT_MAX = 100;

/**
 * Alerts as SNS messages: one per alert, the alert as JSON in the body (what it is, the dataset,
 * the runs, verdicts, attribute and the published figures: never row data), a short subject for
 * e-mail subscribers, and `dataset` and `kind` as message attributes for subscription filters.
 */
export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(props: SnsNotifierProps) {
    this.topicArn = props.topicArn;
    this.client = props.client ?? new SNSClient(props.clientConfig ?? {});
  }

  async notify(alerts: readonly AlertNotice[]): Promise<void> {
    for (const alert of alerts) {
      try {
        await this.client.send(
          new PublishCommand({
            TopicArn: this.topicArn,
            Subject: subjectOf(alert),
            Message: JSON.stringify({ source: 'repscope', ...alert }),
            MessageAttributes: {
              dataset: { DataType: 'String', StringValue: alert.dataset },
              kind: { DataType: 'String', StringValue: alert.kind },
            },
          }),
        );
      } catch (cause) {
        const reason = cause instanceof Error ? cause.name : 'unknown error';
        throw new NotifyError(
          `cannot publish the ${alert.kind} alert of ${alert.dataset} run ${alert.run} to ${this.topicArn}: ${reason}`,
          { cause },
        );
      }
    }
  }
}

/** `repscope alert: <dataset> <kind>`, printable ASCII only, at most 100 characters. */
export function subjectOf(alert: AlertNotice): string {
  const what =
    alert.kind === 'status' ? `run ${alert.statusAfter.toUpperCase()}` : `drift in ${alert.attribute}`;
  return `repscope alert: ${alert.dataset} ${what}`.replace(/[^\x20-\x7e]/g, '?').slice(0, SUBJECT_MAX);
}
