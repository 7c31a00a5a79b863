import { aws_iam as iam } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { acknowledgeNagFindings, NAG_ACKNOWLEDGEMENTS } from '../../infra/nag-acknowledgements.ts';
import { ReprofileSchedule } from '../../infra/reprofile-schedule.ts';
import type { RepscopeStacks } from '../../infra/repscope-app.ts';
import { renderIntrinsics, synthesizeApp } from '../helpers/synth-app.ts';

/**
 * What holds across all three stacks: no IAM statement allows every action of a service or every
 * resource (except the few APIs AWS offers only on "*"), and cdk-nag's AwsSolutions pack finds
 * nothing that is not acknowledged with a reason.
 */
/** With the re-profiling schedule (its target, `rescan`, is another change's; `profile` stands in). */
const withSchedule = (stacks: RepscopeStacks) =>
  new ReprofileSchedule(stacks.pipeline, 'TestReprofile', {
    target: stacks.pipeline.functions.profile,
    deadLetterQueue: stacks.pipeline.deadLetterQueue,
  });
const synthesized = synthesizeApp({}, withSchedule);
const templates = Object.entries(synthesized.templates);

/** Actions AWS authorizes only on `Resource: "*"` (Step Functions' log delivery and X-Ray). */
const STAR_ONLY_ACTIONS = new Set([
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
]);

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
}
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every identity-policy statement of a template: policies, managed policies, roles' inline policies. */
function identityStatements(template: Record<string, unknown>): [string, Statement][] {
  const resources = (template['Resources'] ?? {}) as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  return Object.entries(resources).flatMap(([id, r]) => {
    const documents =
      r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy'
        ? [r.Properties['PolicyDocument']]
        : r.Type === 'AWS::IAM::Role'
          ? list(r.Properties['Policies'] as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument)
          : [];
    return documents.flatMap((d) =>
      (d as { Statement: Statement[] }).Statement.map((s): [string, Statement] => [id, s]),
    );
  });
}

describe('IAM statements', () => {
  it.each(templates)('%s: no action is "*" or a whole service', (_name, template) => {
    for (const [id, s] of identityStatements(template.toJSON())) {
      for (const action of list(s.Action)) expect(action, id).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
    }
  });

  it.each(templates)('%s: "*" as resource only for the APIs that accept nothing else', (_name, template) => {
    for (const [id, s] of identityStatements(template.toJSON())) {
      const resources = list(s.Resource).map(renderIntrinsics);
      if (!resources.includes('*')) continue;
      for (const action of list(s.Action))
        expect(STAR_ONLY_ACTIONS.has(action), `${id}: ${action} on *`).toBe(true);
    }
  });

  it('the checks above see the policies of the stateful and pipeline stacks', () => {
    expect(identityStatements(synthesized.templates.stateful.toJSON()).length).toBeGreaterThan(3);
    expect(identityStatements(synthesized.templates.pipeline.toJSON()).length).toBeGreaterThan(20);
  });

  it('the stacks deploy no AWS managed policy to the handlers or the state machine', () => {
    const roles = Object.entries(synthesized.templates.pipeline.findResources('AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThanOrEqual(5);
    for (const [id, role] of roles) expect(role['Properties']['ManagedPolicyArns'], id).toBeUndefined();
  });
});

describe("cdk-nag's AwsSolutions pack", () => {
  const { app } = synthesizeApp({}, withSchedule);
  const acknowledged = acknowledgeNagFindings(app);
  const report = new AwsSolutionsChecks(app).validateScope(app);

  it('finds nothing that is not acknowledged', () => {
    const open = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}: ${v.description.slice(0, 120)}`),
    );
    expect(open).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges each finding with a reason, and every acknowledgement is in use', () => {
    for (const a of NAG_ACKNOWLEDGEMENTS) {
      expect(a.reason.length, String(a.rule)).toBeGreaterThan(40);
      expect(
        acknowledged.some((finding) => {
          const [rule, path] = finding.split(' @ ') as [string, string];
          return a.rule.test(rule) && a.path.test(path);
        }),
        `${a.rule} @ ${a.path} matches no finding`,
      ).toBe(true);
    }
  });

  it('is not blanket: a new wildcard on a handler role stays a finding', () => {
    const { app: probe } = synthesizeApp({}, (s) => {
      withSchedule(s);
      s.pipeline.functions.profile.role!.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:Get*'],
          resources: [s.pipeline.buckets.datasets.arnForObjects('datasets/*')],
        }),
      );
    });
    acknowledgeNagFindings(probe);
    const findings = new AwsSolutionsChecks(probe)
      .validateScope(probe)
      .violations.map((v) => v.ruleName)
      .filter((rule) => rule.startsWith('AwsSolutions-IAM5'));
    expect(findings).toEqual(['AwsSolutions-IAM5[Action::s3:Get*]']);
  });
});
