import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { LakeBucket } from '../../functions/core/lake/layout.ts';
import { readConfig } from '../../functions/handlers/config.ts';
import { deployedBuildOptions } from '../../infra/handler-bundling.ts';
import { bucketAccess, bucketOfPattern, LAKE_ACCESS, reaches } from '../../infra/lake-access.ts';
import {
  handlerEntry,
  LAMBDA_HANDLERS,
  type LambdaName,
  lambdaBuildOptions,
} from '../../infra/lambda-bundles.ts';
import { LAMBDA_SIZING } from '../../infra/lambda-sizing.ts';
import { ReprofileSchedule } from '../../infra/reprofile-schedule.ts';
import { functionsByHandler, stateMachineDefinition } from '../../infra/state-machine-definition.ts';
import { renderIntrinsics, synthesizeApp, TEST_BUCKET_NAMES } from '../helpers/synth-app.ts';
import {
  handlerNames,
  resolveDefinitionString,
  TEST_ACCOUNT,
  TEST_REGION,
} from '../helpers/synthesized-definition.ts';

/**
 * The pipeline stack's template: each handler as the issue sizes and wires it, roles that reach
 * only their own prefixes, the state machine from the runtime's builder with its Distributed Map
 * permissions, the upload rule, the DLQ and its alarm, alerts without data, and the schedule.
 */
const FAN_OUT_BYTES = 123 * 1024 * 1024;
const { stacks, templates } = synthesizeApp(
  { fanOutThresholdBytes: FAN_OUT_BYTES, logRetentionDays: 30, alertEmail: 'governance@example.org' },
  // The rescan handler is another change's; the schedule construct is tested with profile as its target.
  (s) =>
    new ReprofileSchedule(s.pipeline, 'TestReprofile', {
      target: s.pipeline.functions.profile,
      expression: 'cron(0 5 ? * SUN *)',
      deadLetterQueue: s.pipeline.deadLetterQueue,
    }),
);
const pipeline = templates.pipeline;
const resources = pipeline.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const names = Object.keys(LAMBDA_HANDLERS) as LambdaName[];

const logicalId = (element: unknown): string => stacks.pipeline.getLogicalId(element as CfnElement);
const functionId = (name: LambdaName) => logicalId(stacks.pipeline.functions[name].node.defaultChild);
const props = (id: string) => resources[id]!.Properties;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The statements of the policies attached to a role, by the role's logical id. */
function roleStatements(roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) =>
      list(r.Properties['Roles'] as unknown[]).some((ref) => renderIntrinsics(ref) === `<${roleId}>`),
    )
    .flatMap((r) => (r.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement);
}

function handlerRole(name: LambdaName): string {
  return /^<(.+)\.Arn>$/.exec(renderIntrinsics(props(functionId(name))['Role']))![1]!;
}

const bucketArn = (bucket: LakeBucket) => `arn:<AWS::Partition>:s3:::${TEST_BUCKET_NAMES[bucket]}`;

/** S3 object key patterns a role may use with an action, each checked to be granted on its own bucket. */
function objectPatterns(statements: Statement[], action: string): string[] {
  return statements
    .filter((s) => list(s.Action).includes(action))
    .flatMap((s) => list(s.Resource).map(renderIntrinsics))
    .map((arn) => {
      const match = /^arn:<AWS::Partition>:s3:::([^/]+)\/(.+)$/.exec(arn);
      expect(match, `${arn} is an object ARN`).not.toBeNull();
      const [, bucket, pattern] = match as unknown as [string, string, string];
      expect(bucket, `${pattern} is granted on the bucket of its prefix`).toBe(
        TEST_BUCKET_NAMES[bucketOfPattern(pattern)],
      );
      return pattern;
    });
}

describe('each handler', () => {
  it.each(names)(
    '%s runs Node.js 22 on ARM64, sized by LAMBDA_SIZING, logging to a log group with retention',
    (name) => {
      const fn = props(functionId(name));
      expect(fn['Runtime']).toBe('nodejs22.x');
      expect(fn['Architectures']).toEqual(['arm64']);
      expect(fn['MemorySize']).toBe(LAMBDA_SIZING[name].memoryMb);
      expect(fn['Timeout']).toBe(LAMBDA_SIZING[name].timeout.toSeconds());
      expect(fn['Handler']).toBe('index.handler');
      const logGroup = /^<(.+)>$/.exec(
        renderIntrinsics((fn['LoggingConfig'] as { LogGroup: unknown }).LogGroup),
      )![1]!;
      expect(resources[logGroup]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
      });
    },
  );

  it.each(names)("%s has the environment the handlers' config reads, valid by its own parser", (name) => {
    const variables = Object.fromEntries(
      Object.entries(
        (props(functionId(name))['Environment'] as { Variables: Record<string, unknown> }).Variables,
      ).map(([key, value]) => [key, renderIntrinsics(value)]),
    );
    // Resources of this stack, by reference: the rescan starts executions of the run, publish sends
    // alerts to the topic. Real-shaped ARNs stand in for the references when the config parses them.
    const references: Record<string, { owner: LambdaName; ref: string; arn: string }> = {
      REPSCOPE_STATE_MACHINE_ARN: {
        owner: 'rescan',
        ref: `<${logicalId(stacks.pipeline.stateMachine.node.defaultChild)}>`,
        arn: 'arn:aws:states:eu-central-1:123456789012:stateMachine:repscope-run',
      },
      REPSCOPE_ALERT_TOPIC_ARN: {
        owner: 'publish',
        ref: `<${logicalId(stacks.pipeline.topic.node.defaultChild)}>`,
        arn: 'arn:aws:sns:eu-central-1:123456789012:repscope-alerts',
      },
    };
    for (const [variable, { owner, ref, arn }] of Object.entries(references)) {
      expect(variables[variable]).toBe(owner === name ? ref : undefined);
      if (owner === name) variables[variable] = arn;
    }
    expect(readConfig(variables)).toEqual({
      buckets: TEST_BUCKET_NAMES,
      workGroup: 'repscope',
      database: 'repscope_lake',
      fanOutThresholdBytes: FAN_OUT_BYTES,
      rangeBytes: 64 * 1024 * 1024,
      codeVersion: 'repscope 0.1.0',
      ...(name === 'rescan' ? { stateMachineArn: references['REPSCOPE_STATE_MACHINE_ARN']!.arn } : {}),
      ...(name === 'publish' ? { alertTopicArn: references['REPSCOPE_ALERT_TOPIC_ARN']!.arn } : {}),
    });
    expect(variables['NODE_OPTIONS']).toBe('--enable-source-maps');
  });

  it.each(names)(
    '%s is bundled with the options the bundle test measures, plus an external source map',
    (name) => {
      const measured = lambdaBuildOptions(name, '/asset-output/index.mjs');
      const deployed = deployedBuildOptions(name, '/asset-output');
      // Exactly the measured options: ES modules, Node 22, minified, the same banner and main
      // fields, everything inside (no externals), code split beside the entry; only the source map
      // (a file of its own per output, without sources) and the log level differ.
      expect(deployed).toEqual({
        ...measured,
        sourcemap: 'linked',
        sourcesContent: false,
        logLevel: 'warning',
      });
      expect(measured).toMatchObject({
        format: 'esm',
        target: 'node22',
        minify: true,
        bundle: true,
        splitting: true,
        outdir: '/asset-output',
        entryPoints: { index: handlerEntry(name) },
      });
      expect(measured.external).toBeUndefined();
      expect(props(functionId(name))['Handler']).toBe('index.handler');
    },
  );

  it.each(names)('%s has a role of its own without AWS managed policies', (name) => {
    const role = props(handlerRole(name));
    expect(role['ManagedPolicyArns']).toBeUndefined();
    expect(role['AssumeRolePolicyDocument']).toMatchObject({
      Statement: [{ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });
});

describe("each handler's role reaches only its own prefixes", () => {
  it.each(names)('%s reads and writes exactly the key patterns of LAKE_ACCESS', (name) => {
    const statements = roleStatements(handlerRole(name));
    expect(objectPatterns(statements, 's3:GetObject').sort()).toEqual([...LAKE_ACCESS[name].read].sort());
    expect(objectPatterns(statements, 's3:PutObject').sort()).toEqual([...LAKE_ACCESS[name].write].sort());
    // The bucket itself only for listing (key names), and no S3 action beyond these.
    const s3Actions = new Set(statements.flatMap((s) => list(s.Action)).filter((a) => a.startsWith('s3:')));
    expect([...s3Actions].sort()).toEqual(
      ['s3:GetObject', 's3:ListBucket']
        .concat(LAKE_ACCESS[name].write.length > 0 ? ['s3:AbortMultipartUpload', 's3:PutObject'] : [])
        .concat(
          LAKE_ACCESS[name].athena.length > 0
            ? ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads', 's3:ListMultipartUploadParts']
            : [],
        )
        .sort(),
    );
    if (LAKE_ACCESS[name].athena.length > 0) {
      expect(objectPatterns(statements, 's3:ListMultipartUploadParts')).toEqual(['query-results/*']);
      // Athena's bucket-level calls on the lake bucket alone.
      for (const action of ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads']) {
        const on = statements.filter((s) => list(s.Action).includes(action));
        expect(
          on.flatMap((s) => list(s.Resource).map(renderIntrinsics)),
          action,
        ).toEqual([bucketArn('lake')]);
      }
    }
    // Listing (key names) on the buckets it has key patterns in, and no other.
    const list_ = statements.filter((s) => list(s.Action).includes('s3:ListBucket'));
    expect(list_.flatMap((s) => list(s.Resource).map(renderIntrinsics)).sort()).toEqual(
      (Object.keys(bucketAccess(LAKE_ACCESS[name])) as LakeBucket[]).map(bucketArn).sort(),
    );
  });

  it('no function but publish reaches the site bucket; rescan reads the datasets and lake buckets and writes nothing', () => {
    const bucketsOf = (name: LambdaName) => Object.keys(bucketAccess(LAKE_ACCESS[name])).sort();
    for (const name of names) expect(bucketsOf(name).includes('site'), name).toBe(name === 'publish');
    // The lake: the references and the kept run records a re-compare of an expired upload needs.
    expect(bucketsOf('rescan')).toEqual(['datasets', 'lake']);
    expect(LAKE_ACCESS.rescan.write).toEqual([]);
    // A pattern outside the layout has no bucket to be granted on: refused, never guessed.
    expect(() => bucketOfPattern('elsewhere/*')).toThrow(/the key pattern 'elsewhere\/\*' is in no bucket/);
  });

  const reads = (name: LambdaName, key: string) =>
    reaches(objectPatterns(roleStatements(handlerRole(name)), 's3:GetObject'), key);
  const writes = (name: LambdaName, key: string) =>
    reaches(objectPatterns(roleStatements(handlerRole(name)), 's3:PutObject'), key);

  it('no function writes uploads; only publish writes the site; publish never reads a data file', () => {
    for (const name of names) {
      expect(writes(name, 'datasets/leads/v1/leads.csv'), name).toBe(false);
      expect(writes(name, 'datasets/leads/repscope.yaml'), name).toBe(false);
      expect(writes(name, 'site/index.html'), name).toBe(name === 'publish');
    }
    expect(reads('publish', 'datasets/leads/v1/leads.csv')).toBe(false);
    expect(reads('publish', 'datasets/leads/repscope.yaml')).toBe(true);
    expect(reads('publish', 'lake/reports/dataset=leads/run=20261206T050000Z/report.json')).toBe(true);
  });

  it('profile-range reads its object and the staging files, and writes only staging', () => {
    expect(reads('profile-range', 'datasets/leads/v1/leads.csv')).toBe(true);
    expect(reads('profile-range', 'references/builtin/populations.json')).toBe(false);
    expect(writes('profile-range', 'lake/staging/dataset=leads/run=r/part-00001.json')).toBe(true);
    expect(writes('profile-range', 'lake/reports/dataset=leads/run=r/report.json')).toBe(false);
    expect(writes('profile-range', 'lake/claims/dataset=leads/abc.json')).toBe(false);
  });

  it('only the handlers that query can use Athena, in the workgroup and on their tables only', () => {
    for (const name of names) {
      const statements = roleStatements(handlerRole(name));
      const athena = statements.filter((s) =>
        list(s.Action).some((a) => a.startsWith('athena:') || a.startsWith('glue:')),
      );
      if (LAKE_ACCESS[name].athena.length === 0) {
        expect(athena, name).toEqual([]);
        continue;
      }
      const resourcesOf = (prefix: string) =>
        athena
          .filter((s) => list(s.Action).every((a) => a.startsWith(prefix)))
          .flatMap((s) => list(s.Resource).map(renderIntrinsics));
      expect(resourcesOf('athena:')).toEqual([
        'arn:<AWS::Partition>:athena:<AWS::Region>:<AWS::AccountId>:workgroup/repscope',
      ]);
      const glue = 'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>';
      expect(resourcesOf('glue:').sort()).toEqual(
        [
          `${glue}:catalog`,
          `${glue}:database/repscope_lake`,
          ...LAKE_ACCESS[name].athena.map((table) => `${glue}:table/repscope_lake/${table}`),
        ].sort(),
      );
    }
  });

  it.each(names)('%s uses the lake key and writes logs to its own log group only', (name) => {
    const statements = roleStatements(handlerRole(name));
    const kms = statements.filter((s) => list(s.Action).some((a) => a.startsWith('kms:')));
    expect(kms.flatMap((s) => list(s.Resource).map(renderIntrinsics))).toEqual([
      expect.stringMatching(/^<import:RepscopeStateful:ExportsOutputFnGetAttKey[0-9A-F]+Arn[0-9A-F]+>$/),
    ]);
    const logs = statements.filter((s) => list(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs.flatMap((s) => list(s.Action)).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    const logGroup = renderIntrinsics(
      (props(functionId(name))['LoggingConfig'] as { LogGroup: unknown }).LogGroup,
    );
    expect(logs.flatMap((s) => list(s.Resource).map(renderIntrinsics))).toEqual([
      logGroup.replace(/>$/, '.Arn>'),
    ]);
  });
});

describe('the state machine', () => {
  const machineId = logicalId(stacks.pipeline.stateMachine.node.defaultChild);
  const machine = props(machineId);
  const arn = (name: string) => `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:${name}`;

  it("deploys the runtime's definition builder's output, the handlers' ARNs in place", () => {
    const deployed = JSON.parse(
      resolveDefinitionString(machine['DefinitionString'], handlerNames(stacks.pipeline)),
    );
    expect(deployed).toEqual(stateMachineDefinition({ functions: functionsByHandler(arn) }));
    expect(JSON.stringify(deployed)).toContain('"Mode":"DISTRIBUTED"');
  });

  it('logs every event without execution data, and traces with X-Ray', () => {
    expect(machine['LoggingConfiguration']).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(machine['TracingConfiguration']).toEqual({ Enabled: true });
    expect(machine['StateMachineType']).toBe('STANDARD');
  });

  it('may invoke exactly the handlers and start and watch only its own child executions', () => {
    const roleId = /^<(.+)\.Arn>$/.exec(renderIntrinsics(machine['RoleArn']))![1]!;
    const statements = roleStatements(roleId);
    const resourcesFor = (action: string) =>
      statements
        .filter((s) => list(s.Action).includes(action))
        .flatMap((s) => list(s.Resource).map(renderIntrinsics));
    // The functions the definition's tasks name, and only those.
    const tasks = new Set(
      [
        ...JSON.stringify(machine['DefinitionString']).matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g),
      ].map((m) => m[1]),
    );
    expect([...tasks].sort()).toEqual(
      (['profile', 'profile-range', 'merge', 'profile-table', 'compare', 'publish'] as const)
        .map(functionId)
        .sort(),
    );
    expect(resourcesFor('lambda:InvokeFunction').sort()).toEqual([...tasks].map((t) => `<${t}.Arn>`).sort());
    const name = String(machine['StateMachineName']);
    expect(name).toBe('RepscopePipeline-run');
    expect(resourcesFor('states:StartExecution')).toEqual([
      `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${name}`,
    ]);
    for (const action of ['states:DescribeExecution', 'states:StopExecution']) {
      expect(resourcesFor(action)).toEqual([
        `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}/*`,
      ]);
    }
  });
});

describe('events, dead letters and alerts', () => {
  const dlqArn = `<${logicalId(stacks.pipeline.deadLetterQueue.node.defaultChild)}.Arn>`;
  const topicRef = `<${logicalId(stacks.pipeline.topic.node.defaultChild)}>`;

  it('starts a run for each object created under datasets/ of the datasets bucket, with a DLQ', () => {
    pipeline.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [TEST_BUCKET_NAMES.datasets] },
          object: { key: [{ prefix: 'datasets/' }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: logicalId(stacks.pipeline.stateMachine.node.defaultChild) },
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
        }),
      ],
    });
    const rule = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties['EventPattern']).includes('aws.s3'),
    )!;
    const [target] = rule.Properties['Targets'] as { DeadLetterConfig: { Arn: unknown } }[];
    expect(renderIntrinsics(target!.DeadLetterConfig.Arn)).toBe(dlqArn);
  });

  it('keeps dead letters encrypted and in-transit only over TLS, and alarms on the first one', () => {
    pipeline.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86400,
    });
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const dlqAlarm = alarms.find((a) => a.Properties['MetricName'] === 'ApproximateNumberOfMessagesVisible')!;
    expect(dlqAlarm.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect((dlqAlarm.Properties['AlarmActions'] as unknown[]).map(renderIntrinsics)).toEqual([topicRef]);
    const failed = alarms.find((a) => a.Properties['MetricName'] === 'ExecutionsFailed')!;
    expect((failed.Properties['AlarmActions'] as unknown[]).map(renderIntrinsics)).toEqual([topicRef]);
  });

  it('publishes each finished run to an encrypted topic as status, run and times, never its input or output', () => {
    const topic = props(logicalId(stacks.pipeline.topic.node.defaultChild));
    expect(renderIntrinsics(topic['KmsMasterKeyId'])).toMatch(
      /^<import:RepscopeStateful:ExportsOutputFnGetAttKey/,
    );
    const rule = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties['EventPattern']).includes('aws.states'),
    )!;
    const [target] = rule.Properties['Targets'] as {
      Arn: unknown;
      InputTransformer: { InputPathsMap: Record<string, string> };
    }[];
    expect(renderIntrinsics(target!.Arn)).toBe(topicRef);
    expect(Object.values(target!.InputTransformer.InputPathsMap).sort()).toEqual(
      [
        '$.detail.executionArn',
        '$.detail.name',
        '$.detail.startDate',
        '$.detail.status',
        '$.detail.stopDate',
      ].sort(),
    );
    expect(JSON.stringify(target!.InputTransformer)).not.toMatch(/detail\.(input|output)/);
    pipeline.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'governance@example.org',
    });
  });
});

describe('the re-profiling schedule', () => {
  it('invokes its target function on the expression, with retries and the DLQ', () => {
    pipeline.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 5 ? * SUN *)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionId('profile'), 'Arn'] },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [logicalId(stacks.pipeline.deadLetterQueue.node.defaultChild), 'Arn'] },
        },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        Input: JSON.stringify({ source: 'repscope.schedule' }),
      }),
    });
  });

  it('is part of the pipeline exactly when a rescan handler exists', () => {
    const schedules = Object.entries(resources).filter(
      ([id, r]) => r.Type === 'AWS::Scheduler::Schedule' && !id.startsWith('TestReprofile'),
    );
    expect(schedules.length).toBe('rescan' in LAMBDA_HANDLERS ? 1 : 0);
  });
});
