import type { App, StackProps } from 'aws-cdk-lib';
import { PipelineStack } from './pipeline-stack.ts';
import type { RepscopeSettings } from './settings.ts';
import { SiteStack } from './site-stack.ts';
import { StatefulStack } from './stateful-stack.ts';

export interface RepscopeStacks {
  readonly site: SiteStack;
  readonly stateful: StatefulStack;
  readonly pipeline: PipelineStack;
}

/**
 * The three stacks of one deployment, environment-agnostic (account and region come from the CLI's
 * credentials at deploy time). Site first: the stateful stack's bucket and key policies name its
 * distribution. Then the stateful stack, then the pipeline that uses both.
 */
export function addRepscopeStacks(
  app: App,
  settings: RepscopeSettings,
  props: StackProps = {},
): RepscopeStacks {
  const site = new SiteStack(app, 'RepscopeSite', {
    ...props,
    settings,
    description: 'repscope: private report site (CloudFront, origin access control, viewer allow-list)',
  });
  const stateful = new StatefulStack(app, 'RepscopeStateful', {
    ...props,
    settings,
    distributionId: site.distribution.distributionId,
    description: 'repscope: lake bucket, key, Glue tables and Athena workgroup (retained on delete)',
  });
  const pipeline = new PipelineStack(app, 'RepscopePipeline', {
    ...props,
    settings,
    key: stateful.key,
    description: 'repscope: handlers, state machine, upload rule, alerts',
  });
  pipeline.addStackDependency(stateful);
  return { site, stateful, pipeline };
}
