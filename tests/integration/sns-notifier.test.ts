import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsNotifier, subjectOf } from '../../functions/adapters/aws/sns-notifier.ts';
import { NotifyError } from '../../functions/core/errors.ts';
import type { AlertNotice } from '../../functions/core/ports.ts';
import { motoUnavailable, requirePeers, type S3Peer, startMoto } from '../helpers/s3-servers.ts';

/**
 * The SNS adapter against moto_server's SNS: one message per alert, JSON body without row data,
 * attributes for filters. moto keeps what a topic was sent (`/moto-api/data.json`).
 */
const unavailable = motoUnavailable();
if (unavailable && requirePeers) throw new Error(`REPSCOPE_REQUIRE_PEERS=1 but ${unavailable}`);
if (unavailable) console.warn(`SNS notifier tests skipped: ${unavailable}`);

let moto: S3Peer;
let client: SNSClient;
let topicArn: string;

const drift: AlertNotice = {
  dataset: 'leads',
  run: '20261203T000000Z',
  kind: 'drift',
  against: 'previous',
  from: '20261202T000000Z',
  statusBefore: 'pass',
  statusAfter: 'warn',
  attribute: 'age_band',
  tvd: 0.12,
  threshold: 0.1,
  message: 'leads: age_band drifted by TVD 0.120 (above 0.1) since the previous run 20261202T000000Z',
};

beforeAll(async () => {
  if (unavailable) return;
  moto = await startMoto();
  client = new SNSClient({
    endpoint: moto.endpoint,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  topicArn = (await client.send(new CreateTopicCommand({ Name: 'repscope-alerts' }))).TopicArn!;
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

async function sent(): Promise<{ message: string; subject: string; attributes: Record<string, unknown> }[]> {
  const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
    sns: {
      Topic: { arn: string; sent_notifications: [string, string, string, Record<string, unknown>][] }[];
    };
  };
  const topic = data.sns.Topic.find((t) => t.arn === topicArn)!;
  return topic.sent_notifications.map(([, message, subject, attributes]) => ({
    message,
    subject,
    attributes,
  }));
}

describe.skipIf(unavailable !== undefined)('SnsNotifier on moto_server', () => {
  it('publishes one JSON message per alert, with a subject and filter attributes', async () => {
    const notifier = new SnsNotifier({ topicArn, client });
    const status: AlertNotice = {
      ...drift,
      kind: 'status',
      statusAfter: 'fail',
      message: 'leads: run is FAIL',
    };
    const { attribute: _a, tvd: _t, threshold: _h, ...statusOnly } = status;
    await notifier.notify([drift, statusOnly]);
    const messages = await sent();
    expect(messages).toHaveLength(2);
    expect(JSON.parse(messages[0]!.message)).toEqual({ source: 'repscope', ...drift });
    expect(messages[0]!.subject).toBe('repscope alert: leads drift in age_band');
    expect(messages[1]!.subject).toBe('repscope alert: leads run FAIL');
    expect(JSON.stringify(messages[0]!.attributes)).toContain('leads');
  });

  it('names the alert and the topic when SNS refuses', async () => {
    const notifier = new SnsNotifier({ topicArn: `${topicArn}-missing`, client });
    const error = await notifier.notify([drift]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifyError);
    expect((error as NotifyError).code).toBe('NOTIFY_FAILED');
    expect((error as Error).message).toMatch(
      /^cannot publish the drift alert of leads run 20261203T000000Z to arn:aws:sns:.*-missing: /,
    );
  });
});

describe('subjectOf', () => {
  it('keeps SNS subjects printable ASCII and at most 100 characters', () => {
    const subject = subjectOf({ ...drift, attribute: `älter\n${'x'.repeat(200)}` });
    expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    expect(subject.startsWith('repscope alert: leads drift in ?lter?')).toBe(true);
  });
});
