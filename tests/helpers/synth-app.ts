import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { LakeBucket } from '../../functions/core/lake/layout.ts';
import { addRepscopeStacks, type RepscopeStacks } from '../../infra/repscope-app.ts';
import { DEFAULT_SETTINGS, type RepscopeSettings } from '../../infra/settings.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');

/** Bucket names the tests give, so the templates hold them as strings rather than pseudo-parameters. */
export const TEST_BUCKET_NAMES: Readonly<Record<LakeBucket, string>> = {
  datasets: 'repscope-test-datasets',
  lake: 'repscope-test-lake',
  site: 'repscope-test-site',
};

/** The context `npx cdk synth` runs with (feature flags and settings), from cdk.json. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface SynthesizedApp {
  readonly app: App;
  readonly stacks: RepscopeStacks;
  readonly templates: { readonly site: Template; readonly stateful: Template; readonly pipeline: Template };
}

/**
 * A template value as text, for assertions on ARNs: strings as they are, `Fn::Join` joined,
 * `Ref` as `<Name>`, `Fn::GetAtt` as `<Name.Attribute>`, `Fn::ImportValue` as `<import:Name>`, `Fn::Sub`'s `${Name}` as `<Name>`.
 */
export function renderIntrinsics(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [[fn, args] = []] = Object.entries(value);
    if (fn === 'Fn::Join' && Array.isArray(args)) {
      return (args[1] as unknown[]).map(renderIntrinsics).join(String(args[0]));
    }
    if (fn === 'Ref') return `<${String(args)}>`;
    if (fn === 'Fn::GetAtt' && Array.isArray(args)) return `<${args.join('.')}>`;
    if (fn === 'Fn::ImportValue') return `<import:${renderIntrinsics(args)}>`;
    if (fn === 'Fn::Sub' && typeof args === 'string') return args.replace(/\$\{([^}]+)\}/g, '<$1>');
  }
  throw new Error(
    `cannot render ${JSON.stringify(value)} as text; expected a string or Fn::Join, Ref, Fn::GetAtt, Fn::ImportValue`,
  );
}

/**
 * The app as `infra/app.ts` builds it, with cdk.json's feature flags, the given settings and the
 * Lambda bundling skipped (`aws:cdk:bundling-stacks: []`): the templates are the same, the assets
 * are placeholders. One real bundling synth runs in tests/infra/cdk-synth.test.ts.
 */
export function synthesizeApp(
  settings: Partial<RepscopeSettings> = {},
  extend?: (stacks: RepscopeStacks) => void,
): SynthesizedApp {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stacks = addRepscopeStacks(app, { ...DEFAULT_SETTINGS, bucketNames: TEST_BUCKET_NAMES, ...settings });
  extend?.(stacks);
  return {
    app,
    stacks,
    templates: {
      site: Template.fromStack(stacks.site),
      stateful: Template.fromStack(stacks.stateful),
      pipeline: Template.fromStack(stacks.pipeline),
    },
  };
}
