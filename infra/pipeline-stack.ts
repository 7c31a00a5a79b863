import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Arn,
  ArnFormat,
  CfnOutput,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cwActions,
  Duration,
  aws_events as events,
  aws_events_targets as eventTargets,
  aws_iam as iam,
  type aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_s3 as s3,
  aws_stepfunctions as sfn,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LAKE_BUCKETS, type LakeBucket, lakeKeys } from '../functions/core/lake/layout.ts';
import { BUCKET_VARIABLES } from '../functions/handlers/config.ts';
import { handlerCode } from './handler-bundling.ts';
import {
  type BucketAccess,
  bucketAccess,
  LAKE_ACCESS,
  type LakeAccess,
  QUERY_RESULTS_PREFIX,
} from './lake-access.ts';
import { LAMBDA_HANDLERS, type LambdaName } from './lambda-bundles.ts';
import { LAMBDA_SIZING } from './lambda-sizing.ts';
import { ReprofileSchedule } from './reprofile-schedule.ts';
import type { RepscopeSettings } from './settings.ts';
import {
  functionsByHandler,
  STATE_MACHINE_HANDLERS,
  stateMachineDefinition,
} from './state-machine-definition.ts';
import { ATHENA_WORKGROUP, bucketName, LAKE_DATABASE } from './stateful-stack.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Each report's provenance names the code that made it: the package's version. */
const CODE_VERSION = `repscope ${(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`;

export interface PipelineStackProps extends StackProps {
  readonly settings: RepscopeSettings;
  /** The buckets' key, from the stateful stack (the buckets themselves are known by their fixed names). */
  readonly key: kms.IKey;
}

/**
 * The run: S3 "Object Created" in the datasets bucket → EventBridge → the state machine (profile →
 * compare → publish, a Distributed Map for big objects) over one Lambda per handler, each with a
 * role that reaches only its own prefixes of each bucket; a DLQ with an alarm, alerts and status
 * changes on SNS, and the re-profiling schedule.
 */
export class PipelineStack extends Stack {
  readonly buckets: Readonly<Record<LakeBucket, s3.IBucket>>;
  readonly functions: Record<LambdaName, lambda.Function>;
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.Queue;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { settings, key } = props;
    // By name, as the stateful stack names them: the grants' ARNs read the same before and after synthesis.
    const named = (bucket: LakeBucket, id: string) =>
      s3.Bucket.fromBucketName(this, id, bucketName(settings, bucket));
    this.buckets = {
      datasets: named('datasets', 'Datasets'),
      lake: named('lake', 'Lake'),
      site: named('site', 'Site'),
    };

    this.functions = Object.fromEntries(
      (Object.keys(LAMBDA_HANDLERS) as LambdaName[]).map((name) => [name, this.handler(name, settings, key)]),
    ) as Record<LambdaName, lambda.Function>;

    this.topic = new sns.Topic(this, 'Alerts', {
      displayName: 'repscope run status and alerts',
      masterKey: key,
      enforceSSL: true,
    });
    if (settings.alertEmail)
      this.topic.addSubscription(new subscriptions.EmailSubscription(settings.alertEmail));

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.stateMachine = this.runStateMachine(settings);

    new events.Rule(this, 'Uploads', {
      description: 'repscope: a dataset file or manifest created in the datasets bucket starts a run',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.buckets.datasets.bucketName] },
          object: { key: [{ prefix: lakeKeys.datasetsPrefix }] },
        },
      },
      targets: [
        new eventTargets.SfnStateMachine(this.stateMachine, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    this.alerts();

    // The scheduled rescan starts executions of the run; publish sends each run's alerts.
    const { rescan, publish } = this.functions;
    rescan.addEnvironment('REPSCOPE_STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(rescan);
    publish.addEnvironment('REPSCOPE_ALERT_TOPIC_ARN', this.topic.topicArn);
    // sns:Publish on the topic alone; the topic's key is the lake key publish already holds
    // (grantPublish would add kms:GenerateDataKey*, a wildcard it does not need).
    publish.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PublishAlerts',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    new ReprofileSchedule(this, 'Reprofile', {
      target: rescan,
      expression: settings.reprofileSchedule,
      deadLetterQueue: this.deadLetterQueue,
    });

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.topic.topicArn });
  }

  /** One handler: its own role, log group and size; grants from LAKE_ACCESS only. */
  private handler(name: LambdaName, settings: RepscopeSettings, key: kms.IKey): lambda.Function {
    const sizing = LAMBDA_SIZING[name];
    const logGroup = new logs.LogGroup(this, `Logs-${name}`, {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own without AWS managed policies: logs go to this log group only.
    const role = new iam.Role(this, `Role-${name}`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `repscope ${name} handler`,
    });
    const fn = new lambda.Function(this, `Function-${name}`, {
      description: `repscope ${name}: ${sizing.why}`.slice(0, 256),
      code: handlerCode(name),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: sizing.memoryMb,
      timeout: sizing.timeout,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...Object.fromEntries(LAKE_BUCKETS.map((b) => [BUCKET_VARIABLES[b], bucketName(settings, b)])),
        REPSCOPE_ATHENA_WORKGROUP: ATHENA_WORKGROUP,
        REPSCOPE_GLUE_DATABASE: LAKE_DATABASE,
        REPSCOPE_FAN_OUT_THRESHOLD_BYTES: String(settings.fanOutThresholdBytes),
        REPSCOPE_CODE_VERSION: CODE_VERSION,
        POWERTOOLS_SERVICE_NAME: 'repscope',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    logGroup.grantWrite(role);
    this.grantLake(role, LAKE_ACCESS[name], key);
    return fn;
  }

  /**
   * Exact actions on exact key patterns, each on its own bucket; listing on the buckets the
   * function uses, the key, and (for compare) Athena and Glue.
   */
  private grantLake(role: iam.Role, access: LakeAccess, key: kms.IKey): void {
    const byBucket = Object.entries(bucketAccess(access)) as [LakeBucket, BucketAccess][];
    const objects = (which: 'read' | 'write') =>
      byBucket.flatMap(([b, a]) => a[which].map((p) => this.buckets[b].arnForObjects(p)));
    const { lake } = this.buckets;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadOwnPrefixes',
        actions: ['s3:GetObject'],
        resources: objects('read'),
      }),
      // A function that writes nothing (rescan) gets no write statement at all.
      ...(access.write.length > 0
        ? [
            new iam.PolicyStatement({
              sid: 'WriteOwnPrefixes',
              actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
              resources: objects('write'),
            }),
          ]
        : []),
      // Key names only, never content: S3 answers a missing key with 404 (the runtime's "absent")
      // only to a caller that may list the bucket, 403 otherwise. Only the buckets it uses.
      new iam.PolicyStatement({
        sid: 'ListOwnBuckets',
        actions: ['s3:ListBucket'],
        resources: byBucket.map(([b]) => this.buckets[b].bucketArn),
      }),
      new iam.PolicyStatement({
        sid: 'LakeKey',
        actions: access.write.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [key.keyArn],
      }),
    ];
    if (access.athena.length > 0) {
      const workGroup = this.formatArn({
        service: 'athena',
        resource: 'workgroup',
        resourceName: ATHENA_WORKGROUP,
      });
      const glueArn = (resource: string, resourceName?: string) =>
        this.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });
      statements.push(
        // Athena reads and writes the lake bucket with the caller's credentials, results in parts
        // when they are big.
        new iam.PolicyStatement({
          sid: 'QueryResultParts',
          actions: ['s3:ListMultipartUploadParts'],
          resources: [lake.arnForObjects(`${QUERY_RESULTS_PREFIX}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'QueryResultUploads',
          actions: ['s3:ListBucketMultipartUploads', 's3:GetBucketLocation'],
          resources: [lake.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'Queries',
          actions: [
            'athena:StartQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:StopQueryExecution',
          ],
          resources: [workGroup],
        }),
        new iam.PolicyStatement({
          sid: 'LakeTables',
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
          resources: [
            glueArn('catalog'),
            glueArn('database', LAKE_DATABASE),
            ...access.athena.map((t) => glueArn('table', `${LAKE_DATABASE}/${t}`)),
          ],
        }),
      );
    }
    for (const statement of statements) role.addToPrincipalPolicy(statement);
  }

  /**
   * The state machine from the runtime's own definition builder, with the function ARNs as
   * tokens. Its name is fixed so its role can name it (and its child executions) for the
   * Distributed Map without a circular reference.
   */
  private runStateMachine(settings: RepscopeSettings): sfn.StateMachine {
    // The functions the definition names; the state machine may invoke these and no other.
    const tasks = Object.values(STATE_MACHINE_HANDLERS).map((handler) => this.functions[handler]);
    const definition = stateMachineDefinition({
      functions: functionsByHandler((handler) => this.functions[handler].functionArn),
    });
    const name = `${this.stackName}-run`;
    const logGroup = new logs.LogGroup(this, 'RunLogs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new sfn.StateMachine(this, 'Run', {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(this.toJsonString(definition)),
      // Events without their input and output: those name keys and verdicts, and logs keep no data.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      timeout: Duration.hours(2),
    });
    // The definition names each function unqualified: exactly those ARNs, no versions or aliases.
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeHandlers',
        actions: ['lambda:InvokeFunction'],
        resources: tasks.map((fn) => fn.functionArn),
      }),
    );

    // The Distributed Map starts child executions of this very state machine and watches them.
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DistributedMapStart',
        actions: ['states:StartExecution'],
        resources: [
          this.formatArn({
            service: 'states',
            resource: 'stateMachine',
            resourceName: name,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DistributedMapChildren',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [
          Arn.format(
            {
              service: 'states',
              resource: 'execution',
              resourceName: `${name}/*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            },
            this,
          ),
        ],
      }),
    );
    return machine;
  }

  /** Failed runs and dead letters alarm on the topic; every finished run's status goes there too. */
  private alerts(): void {
    const action = new cwActions.SnsAction(this.topic);
    const dlqAlarm = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'repscope: an upload event or a scheduled rescan could not be delivered',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    dlqAlarm.addAlarmAction(action);
    const failedAlarm = new cloudwatch.Alarm(this, 'RunsFailedAlarm', {
      alarmDescription: 'repscope: a run failed (its error report is on the site)',
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    failedAlarm.addAlarmAction(action);

    // Status, execution and times only: the event's input and output (keys, verdicts) stay out.
    new events.Rule(this, 'RunStatus', {
      description: 'repscope: each finished run, as a status message without data',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [this.stateMachine.stateMachineArn],
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      targets: [
        new eventTargets.SnsTopic(this.topic, {
          message: events.RuleTargetInput.fromObject({
            run: events.EventField.fromPath('$.detail.name'),
            status: events.EventField.fromPath('$.detail.status'),
            startedAt: events.EventField.fromPath('$.detail.startDate'),
            stoppedAt: events.EventField.fromPath('$.detail.stopDate'),
            execution: events.EventField.fromPath('$.detail.executionArn'),
          }),
        }),
      ],
    });
  }
}
