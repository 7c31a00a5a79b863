import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDatasetEvent, parseObjectCreated } from '../../../functions/handlers/s3-event.ts';
import { objectCreated, s3EventKey } from '../../fixtures/events.ts';

const keyOf = (event: unknown) => {
  const trigger = parseObjectCreated(event);
  return trigger.kind === 'upload' ? trigger.upload.key : trigger.reason;
};

describe('parseObjectCreated', () => {
  it('reads a data file upload, decoding + and %xx in the key', () => {
    const trigger = parseObjectCreated(objectCreated('datasets/leads/2026-11+v%C3%BC/my+leads%2C+final.csv'));
    expect(trigger).toEqual({
      kind: 'upload',
      upload: {
        bucket: 'repscope-datasets',
        key: 'datasets/leads/2026-11 vü/my leads, final.csv',
        dataset: 'leads',
        version: '2026-11 vü',
        file: 'my leads, final.csv',
        bytes: 5,
        identity: 'b1946ac92492d2347c6235b4d2611184',
        etag: 'b1946ac92492d2347c6235b4d2611184',
        createdAt: '2026-12-06T01:02:03Z',
        trigger: 'upload',
      },
    });
  });

  it.each([
    ['spaces', 'datasets/leads/v 1/my leads.csv', 'datasets/leads/v+1/my+leads.csv'],
    ['a +', 'datasets/leads/v1/c++ export+1.csv', 'datasets/leads/v1/c%2B%2B+export%2B1.csv'],
    ['a %', 'datasets/leads/v1/100% done %20.csv', 'datasets/leads/v1/100%25+done+%2520.csv'],
    [
      'non-ASCII',
      'datasets/leads/ß-2026/Übersicht 東京 😀.csv',
      'datasets/leads/%C3%9F-2026/%C3%9Cbersicht+%E6%9D%B1%E4%BA%AC+%F0%9F%98%80.csv',
    ],
    [
      'brackets and commas',
      'datasets/leads/v1/leads (1), final=yes.csv',
      'datasets/leads/v1/leads+%281%29%2C+final%3Dyes.csv',
    ],
  ])('reads a key with %s as S3 encodes it', (_, key, encoded) => {
    expect(s3EventKey(key)).toBe(encoded);
    expect(keyOf(objectCreated(encoded))).toBe(key);
  });

  it('reads back any data file key S3 encodes into an event', () => {
    const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter(
      (s) =>
        !s.includes('/') &&
        !s.startsWith('.') &&
        // biome-ignore lint/suspicious/noControlCharactersInRegex: keys with controls are refused, tested above
        !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\\]/.test(s) &&
        s !== 'repscope.yaml',
    );
    fc.assert(
      fc.property(segment, segment, (version, file) => {
        const key = `datasets/leads/${version}/${file}`;
        expect(keyOf(objectCreated(s3EventKey(key)))).toBe(key);
      }),
      { seed: 9, numRuns: 500 },
    );
  });

  it('reads + as a space, as S3 writes one (a + in the key arrives as %2B)', () => {
    expect(keyOf(objectCreated('datasets/leads/v1/red+flower.csv'))).toBe('datasets/leads/v1/red flower.csv');
  });

  it('ignores a key with a % that is not URL encoding (an unencoded key is not guessed at)', () => {
    expect(keyOf(objectCreated('datasets/leads/v1/100% done.csv'))).toBe(
      'the object key is not valid URL encoding',
    );
  });

  it('prefers the version id over the ETag as the object identity', () => {
    const trigger = parseObjectCreated(
      objectCreated('datasets/leads/v1/a.csv', { 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e' }),
    );
    expect(trigger.kind === 'upload' && trigger.upload.identity).toBe('IYV3p45BT0ac8hjHg1houSdS1a.Mro8e');
  });

  it.each([
    ['datasets/leads/repscope.yaml', 'a manifest, not a data file'],
    ['lake/reports/dataset=leads/run=1/report.json', 'the object is outside datasets/'],
    ['datasets/leads/v1/sub/a.csv', 'the key is not datasets/<dataset>/<version>/<file>'],
    ['datasets/leads/a.csv', 'the key is not datasets/<dataset>/<version>/<file>'],
    ['datasets/Leads/v1/a.csv', 'the key does not name a dataset id matching [a-z0-9][a-z0-9-]{0,62}'],
    ['datasets/leads/../other/v1/a.csv', 'the object key has . or .. segments'],
    ['datasets/leads/%2E%2E/a.csv', 'the object key has . or .. segments'],
    ['datasets/leads/v1/%2E%2E%2Fescape.csv', 'the object key has . or .. segments'],
    [
      'datasets/leads/v1/a%00.csv',
      'the object key holds control or bidirectional-override characters or a backslash',
    ],
    [
      'datasets/leads/v1/a%C2%85.csv',
      'the object key holds control or bidirectional-override characters or a backslash',
    ],
    [
      'datasets/leads/v1/invoice%E2%80%AEvsc.csv',
      'the object key holds control or bidirectional-override characters or a backslash',
    ],
    ['datasets/leads/v1/%E0%A4%A.csv', 'the object key is not valid URL encoding'],
    ['datasets/leads/v1/.hidden', 'a hidden file'],
  ])('ignores %s: %s', (key, reason) => {
    expect(parseObjectCreated(objectCreated(key))).toEqual({ kind: 'ignored', reason });
  });

  it('ignores events that are not S3 Object Created events', () => {
    expect(
      parseObjectCreated({ ...objectCreated('datasets/a/v1/x.csv'), 'detail-type': 'Object Deleted' }).kind,
    ).toBe('ignored');
    expect(parseObjectCreated(null)).toEqual({ kind: 'ignored', reason: 'the event is not an object' });
    expect(parseObjectCreated({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} })).toEqual({
      kind: 'ignored',
      reason: 'the event has no detail.bucket.name or detail.object.key',
    });
  });
});

describe('parseDatasetEvent', () => {
  it('reads a manifest upload as the manifest of its dataset, claimed by its version', () => {
    expect(parseDatasetEvent(objectCreated('datasets/leads/repscope.yaml', { 'version-id': 'v-1' }))).toEqual(
      {
        kind: 'manifest',
        manifest: {
          bucket: 'repscope-datasets',
          key: 'datasets/leads/repscope.yaml',
          dataset: 'leads',
          identity: 'v-1',
          createdAt: '2026-12-06T01:02:03Z',
          trigger: 'upload',
        },
      },
    );
  });

  it('reads data files as parseObjectCreated does, and ignores a manifest it cannot claim', () => {
    const event = objectCreated('datasets/leads/v1/leads.csv');
    expect(parseDatasetEvent(event)).toEqual(parseObjectCreated(event));
    expect(parseDatasetEvent(objectCreated('datasets/leads/repscope.yaml', { etag: undefined }))).toEqual({
      kind: 'ignored',
      reason: 'the event has neither detail.object.version-id nor detail.object.etag',
    });
    expect(parseDatasetEvent(objectCreated('datasets/Bad_Id/repscope.yaml')).kind).toBe('ignored');
  });
});
