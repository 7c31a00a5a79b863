import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { LAKE_ACCESS } from './lake-access.ts';
import { LAMBDA_HANDLERS, type LambdaName } from './lambda-bundles.ts';
import { LAKE_DATABASE } from './stateful-stack.ts';

/**
 * A cdk-nag finding this design accepts, with the reason: matched by construct path and rule id
 * (findings of IAM5 carry the resource in their id, so a pattern names exactly which resources).
 */
export interface NagAcknowledgement {
  readonly path: RegExp;
  readonly rule: RegExp;
  readonly reason: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (items: readonly string[]): string => `(?:${items.map(escapeRegExp).join('|')})`;

/**
 * IAM5 on the lake's object key patterns of one handler, and on the Glue tables it may query when
 * they are named by a pattern (tables users register), and nothing else of that role.
 */
function lakePatterns(name: LambdaName): NagAcknowledgement {
  const access = LAKE_ACCESS[name];
  const objects = `[^/\\]]+/${anyOf([...access.read, ...access.write])}`;
  const tablePatterns = access.athena.filter((table) => table.includes('*'));
  const tables = `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${escapeRegExp(LAKE_DATABASE)}/${anyOf(tablePatterns)}`;
  return {
    path: new RegExp(`^RepscopePipeline/Role-${escapeRegExp(name)}/DefaultPolicy/Resource$`),
    rule: new RegExp(
      `^AwsSolutions-IAM5\\[Resource::(?:${objects}${tablePatterns.length > 0 ? `|${tables}` : ''})\\]$`,
    ),
    reason:
      `the ${name} handler reaches only its own key patterns of the lake (infra/lake-access.ts); the * ` +
      'stands for dataset ids, run ids, file names and registered table names, not known at deploy time',
  };
}

export const NAG_ACKNOWLEDGEMENTS: readonly NagAcknowledgement[] = [
  ...(Object.keys(LAMBDA_HANDLERS) as LambdaName[]).map(lakePatterns),
  {
    path: /^RepscopePipeline\/Function-[a-z-]+\/Resource$/,
    rule: /^AwsSolutions-L1$/,
    reason:
      'Node.js 22 is the runtime the handlers are built, bundled (target node22) and tested for; moving to a ' +
      'newer runtime is a change of its own with its bundle and cold-start checks',
  },
  {
    path: /^RepscopePipeline\/DeadLetters\/Resource$/,
    rule: /^AwsSolutions-SQS3$/,
    reason: 'this queue is the dead-letter queue (of the upload rule and the schedule); it has an alarm',
  },
  {
    path: /^RepscopePipeline\/Run\/Role\/DefaultPolicy\/Resource$/,
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    reason:
      'CloudWatch Logs delivery (logs:*LogDelivery*, logs:PutResourcePolicy, logs:Describe*) and X-Ray ' +
      '(xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSampling*) accept only "*" as resource',
  },
  {
    path: /^RepscopePipeline\/Run\/Role\/DefaultPolicy\/Resource$/,
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:RepscopePipeline-run\/\*\]$/,
    reason:
      "the Distributed Map describes and stops its child executions, whose ids it makes at run time: this state machine's executions only",
  },
  {
    path: /^RepscopePipeline\/SchedulerRoleForTarget-[0-9a-f]+\/DefaultPolicy\/Resource$/,
    rule: /^AwsSolutions-IAM5\[Resource::<Function[a-z]+[0-9A-F]{8}\.Arn>:\*\]$/,
    reason:
      "EventBridge Scheduler's LambdaInvoke target grants the function's versions and aliases with the function; " +
      'the schedule invokes the one function it names and nothing else',
  },
  {
    path: /^RepscopeStateful\/BucketNotificationsHandler[0-9a-f]+\/Role\/Resource$/,
    rule: /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$/,
    reason:
      "CDK's own custom resource that turns on the bucket's EventBridge notifications at deploy time; it writes only its logs",
  },
  {
    path: /^RepscopeStateful\/Custom::CDKBucketDeployment[0-9A-F]+\/ServiceRole\/Resource$/,
    rule: /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$/,
    reason:
      "CDK's BucketDeployment custom resource (copies the built-in references at deploy time); it writes only its logs",
  },
  {
    path: /^RepscopeStateful\/Custom::CDKBucketDeployment[0-9A-F]+\/ServiceRole\/DefaultPolicy\/Resource$/,
    rule: /^AwsSolutions-IAM5\[(Action::(s3:GetBucket\*|s3:GetObject\*|s3:List\*|s3:Abort\*|s3:DeleteObject\*|kms:GenerateDataKey\*|kms:ReEncrypt\*)|Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\/\*|Resource::<Lake[0-9A-F]+\.Arn>\/references\/builtin\/\*)\]$/,
    reason:
      "CDK's BucketDeployment grants (its own action groups) on the CDK asset bucket and on references/builtin/ of the lake only (infra/stateful-stack.ts narrows them); it syncs the built-in references at deploy time",
  },
  {
    path: /^RepscopeStateful\/Custom::CDKBucketDeployment[0-9A-F]+\/Resource$/,
    rule: /^AwsSolutions-L1$/,
    reason: "CDK's BucketDeployment custom resource: its runtime is chosen by aws-cdk-lib, not by this app",
  },
  {
    path: /^RepscopeSite\/ViewerLogs\/Resource$/,
    rule: /^AwsSolutions-S1$/,
    reason: "this bucket receives CloudFront's access logs; logging it to itself would loop",
  },
  {
    path: /^RepscopeSite\/Distribution\/Resource$/,
    rule: /^AwsSolutions-CFR1$/,
    reason: 'viewers are restricted by an IP allow-list (CloudFront Function), finer than countries',
  },
  {
    path: /^RepscopeSite\/Distribution\/Resource$/,
    rule: /^AwsSolutions-CFR2$/,
    reason:
      'a CLOUDFRONT-scope web ACL can only be made in us-east-1 and these stacks deploy to any region: the ' +
      'allow-list runs in a CloudFront Function, and the webAclArn setting attaches a WAF ACL made there',
  },
  {
    path: /^RepscopeSite\/Distribution\/Resource$/,
    rule: /^AwsSolutions-CFR4$/,
    reason:
      "the default *.cloudfront.net certificate's security policy cannot be raised; viewers are allow-listed " +
      'and HTTPS only. A custom domain with an ACM certificate is the way to a stricter policy',
  },
];

/** The constructs of an app by path. */
function byPath(app: App): Map<string, IConstruct> {
  return new Map(app.node.findAll().map((c) => [c.node.path, c]));
}

/**
 * Acknowledges (with `Validations.of(construct).acknowledge`) each cdk-nag finding that one of the
 * acknowledgements names; every other finding stays and fails the synth. Runs the pack once to see
 * the findings, as their ids (IAM5's resources) are only known after the stacks are built.
 * @returns the acknowledged findings, `rule @ path`
 */
export function acknowledgeNagFindings(
  app: App,
  acknowledgements: readonly NagAcknowledgement[] = NAG_ACKNOWLEDGEMENTS,
): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  const constructs = byPath(app);
  const acknowledged: string[] = [];
  for (const violation of report.violations) {
    for (const resource of violation.violatingResources) {
      const path = resource.constructPath;
      const match = acknowledgements.find(
        (a) => a.rule.test(violation.ruleName) && path && a.path.test(path),
      );
      const construct = path ? constructs.get(path) : undefined;
      if (!match || !construct) continue;
      Validations.of(construct).acknowledge({ id: violation.ruleName, reason: match.reason });
      acknowledged.push(`${violation.ruleName} @ ${path}`);
    }
  }
  return acknowledged;
}
