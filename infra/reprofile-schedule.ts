import {
  Duration,
  type aws_lambda as lambda,
  aws_scheduler as scheduler,
  type aws_sqs as sqs,
  aws_scheduler_targets as targets,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface ReprofileScheduleProps {
  /** The function that re-profiles every registered dataset (the `rescan` handler). */
  readonly target: lambda.IFunction;
  /**
   * When it runs: an EventBridge Scheduler expression, in UTC.
   * @default 'cron(0 3 ? * MON *)'
   */
  readonly expression?: string;
  /** Where invocations that still fail after the retries go (the pipeline's DLQ). */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The event the target receives.
   * @default { source: 'repscope.schedule' }
   */
  readonly input?: Record<string, unknown>;
}

/**
 * EventBridge Scheduler invoking the re-profiling function on a schedule, so drift shows up as
 * history. A construct of its own so the pipeline wires whichever function does the rescan.
 */
export class ReprofileSchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ReprofileScheduleProps) {
    super(scope, id);
    const expression = props.expression ?? 'cron(0 3 ? * MON *)';
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'repscope: re-profile every registered dataset',
      schedule: scheduler.ScheduleExpression.expression(expression, undefined),
      target: new targets.LambdaInvoke(props.target, {
        input: scheduler.ScheduleTargetInput.fromObject(props.input ?? { source: 'repscope.schedule' }),
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }
}
