import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { type ProfiledInput, refuseUnreadableInput } from '../../../../functions/core/profile/no-rows.ts';
import { buildPlan } from '../../../../functions/core/profile/plan.ts';
import { emptyProfile, type Profile, ProfileBuilder } from '../../../../functions/core/profile/profile.ts';

const plan = buildPlan(
  parseManifest(
    'dataset: d\nconsent: { column: consent, granted: [yes] }\nattributes: [{ name: sex, column: sex }]\n',
    'm.yaml',
  ),
  () => undefined,
);

function profileOf(rows: (readonly [string | null, string | null] | 'malformed')[]): Profile {
  const b = new ProfileBuilder(plan);
  rows.forEach((r, i) => {
    if (r === 'malformed') b.malformed(i + 2, 'expected 2 fields, found 1');
    else b.row(r, i + 2);
  });
  return b.toProfile();
}

const file = (over: Partial<ProfiledInput> = {}): ProfiledInput => ({
  name: 'data.csv',
  kind: 'file',
  format: 'csv',
  bytes: 120,
  header: ['sex', 'consent'],
  ...over,
});

function refusal(profile: Profile, input: ProfiledInput): string {
  try {
    refuseUnreadableInput(profile, input);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('INPUT_FORMAT');
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('refuseUnreadableInput', () => {
  it('names why there are no rows, by format and kind', () => {
    const none = emptyProfile(plan);
    expect(refusal(none, file({ bytes: 0, header: [] }))).toBe('data.csv: empty file: no header');
    expect(refusal(none, file())).toBe('data.csv: header only: no data rows after it; expected at least one');
    expect(refusal(none, file({ header: [], bytes: 3 }))).toBe(
      'data.csv: no header and no rows (only blank lines)',
    );
    expect(
      refusal(
        none,
        file({ name: '3 files under s3://b/datasets/d/v1/', kind: 'files', bytes: 0, header: [] }),
      ),
    ).toBe('3 files under s3://b/datasets/d/v1/: empty files: no header');
    expect(refusal(none, file({ name: 'd.jsonl', format: 'jsonl', bytes: 0, header: [] }))).toBe(
      'd.jsonl: empty file: no rows',
    );
    expect(refusal(none, file({ name: 'd.parquet', format: 'parquet' }))).toBe(
      'd.parquet: no rows; expected at least one',
    );
    expect(refusal(none, file({ name: 'table leads', kind: 'table', format: 'parquet' }))).toBe(
      'table leads: the table has no rows; expected at least one',
    );
  });

  it('refuses a file none of whose records could be read, quoting the first reason', () => {
    expect(refusal(profileOf(['malformed', 'malformed']), file())).toBe(
      'data.csv: none of its 2 records could be read (first: line 2: expected 2 fields, found 1); ' +
        'check the delimiter, quoting and encoding (manifest csv:)',
    );
    expect(refusal(profileOf(['malformed']), file({ format: 'jsonl' }))).toBe(
      'data.csv: its one record could not be read (first: line 2: expected 2 fields, found 1)',
    );
  });

  it('lets a profile with one readable record through, and one where no row consented', () => {
    expect(() => refuseUnreadableInput(profileOf(['malformed', ['female', 'yes']]), file())).not.toThrow();
    const noConsent = profileOf([
      ['female', 'no'],
      ['male', 'no'],
    ]);
    expect(noConsent.rows.used).toBe(0);
    expect(() => refuseUnreadableInput(noConsent, file())).not.toThrow();
  });
});
