import type { CfnElement } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LambdaName } from '../../infra/lambda-bundles.ts';
import type { PipelineStack } from '../../infra/pipeline-stack.ts';
import { synthesizeApp } from './synth-app.ts';

/** The pseudo parameters the definition's ARNs are resolved with. */
export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'eu-central-1';

type Template = {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
};

/** Thrown when the template's definition holds something this resolver does not know. */
export class DefinitionResolveError extends Error {
  readonly code = 'DEFINITION_UNRESOLVED';
  constructor(what: unknown) {
    super(
      `the state machine's DefinitionString holds ${JSON.stringify(what)}; expected a string, Fn::Join, Ref to a pseudo parameter or Fn::GetAtt of a handler's Arn`,
    );
    this.name = 'DefinitionResolveError';
  }
}

/** Each handler's logical id in the pipeline template → its name. */
export function handlerNames(pipeline: PipelineStack): Map<string, LambdaName> {
  return new Map(
    (Object.entries(pipeline.functions) as [LambdaName, LambdaFunction][]).map(([name, fn]) => [
      pipeline.getLogicalId(fn.node.defaultChild as CfnElement),
      name,
    ]),
  );
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': TEST_REGION,
  'AWS::AccountId': TEST_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Resolves the intrinsic functions CDK leaves in a DefinitionString to plain text. */
export function resolveDefinitionString(value: unknown, names: ReadonlyMap<string, LambdaName>): string {
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object') {
      const [[fn, args] = []] = Object.entries(v);
      if (fn === 'Fn::Join' && Array.isArray(args) && Array.isArray(args[1])) {
        return (args[1] as unknown[]).map(resolve).join(String(args[0]));
      }
      if (fn === 'Ref' && typeof args === 'string' && PSEUDO[args]) return PSEUDO[args];
      if (fn === 'Fn::GetAtt' && Array.isArray(args) && args[1] === 'Arn') {
        const name = names.get(String(args[0]));
        if (name) return `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:${name}`;
      }
    }
    throw new DefinitionResolveError(v);
  };
  return resolve(value);
}

/**
 * The run's state machine definition exactly as the pipeline stack deploys it: the app is
 * synthesized (bundling skipped), the state machine's DefinitionString taken from the template and
 * its ARNs resolved to `arn:aws:lambda:<region>:<account>:function:<handler name>`.
 */
export function synthesizedDefinition(): Record<string, unknown> {
  const { templates, stacks } = synthesizeApp();
  const template = templates.pipeline.toJSON() as Template;
  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1)
    throw new Error(`expected one state machine in the pipeline stack, found ${machines.length}`);
  return JSON.parse(
    resolveDefinitionString(machines[0]!.Properties?.['DefinitionString'], handlerNames(stacks.pipeline)),
  ) as Record<string, unknown>;
}
