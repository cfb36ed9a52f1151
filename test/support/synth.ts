import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../lib/config';
import type { StripeServiceStack } from '../../lib/stripe-service-stack';
import { useBundleCache } from './bundle-cache';
import { cdkJsonContext } from './cdk-json';

// Every synthesis here, bundled or not, and every app a test builds itself.
useBundleCache();

export interface Synthesized {
  readonly app: App;
  readonly stack: StripeServiceStack;
  readonly template: Template;
  /** The cloud assembly's directory (bundled assets live under it). */
  readonly outdir: string;
}

export interface SynthesizeOptions {
  /**
   * False skips bundling the functions' code (CDK's `aws:cdk:bundling-stacks` context):
   * for tests of configuration variants, which look at the template only.
   */
  readonly bundling?: boolean;
  /** The process environment the app sees (`CDK_DEFAULT_*`, `PROJECT_NAME`). */
  readonly processEnv?: NodeJS.ProcessEnv;
}

/** Context that skips bundling (CDK's own switch). */
const NO_BUNDLING_CONTEXT = { 'aws:cdk:bundling-stacks': [] };

/**
 * An app for `buildApp` to fill, as the CLI would make it with this context, but without
 * CDK's built-in CloudFormation validation: that only reports (cdk.json does not set
 * `@aws-cdk/core:validateAgainstDefaultRules`, so what it finds is a warning, never a failed
 * synthesis), no test here reads its report, and it costs seconds a synthesis. The `cdk
 * synth` tests (test/infra/bin/app.test.ts) still run it, as a deploy does. cdk-nag, which
 * fails synthesis on any unacknowledged finding, runs in every app.
 */
export function testApp(context: Record<string, unknown>): App {
  return new App({ context, builtinCloudFormationValidation: false });
}

/**
 * Synthesizes the real app (cdk-nag included: synthesis throws on any unacknowledged
 * finding) for one environment, with optional extra context.
 */
export function synthesize(
  env: EnvironmentName,
  extraContext: Record<string, unknown> = {},
  options: SynthesizeOptions = {},
): Synthesized {
  const app = testApp({
    ...cdkJsonContext(),
    env,
    ...(options.bundling === false ? NO_BUNDLING_CONTEXT : {}),
    ...extraContext,
  });
  const { stack } = buildApp(app, options.processEnv);
  const template = Template.fromStack(stack);
  return { app, stack, template, outdir: app.outdir };
}

/**
 * Synthesizes every environment once, before the tests of the file that calls it (at its
 * top level); the function returned gives each environment's synthesis.
 */
export function synthesizeEveryEnvironment(
  options: SynthesizeOptions = {},
): (env: EnvironmentName) => Synthesized {
  const synthesized = new Map<EnvironmentName, Synthesized>();
  beforeAll(() => {
    for (const env of ENVIRONMENT_NAMES) synthesized.set(env, synthesize(env, {}, options));
  });
  return (env) => {
    const result = synthesized.get(env);
    if (!result) throw new Error(`not synthesized: ${env}`);
    return result;
  };
}

/** Context that changes one environment's settings, keeping the rest of cdk.json. */
export function withSettings(
  env: EnvironmentName,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const environments = cdkJsonContext().environments as Record<string, Record<string, unknown>>;
  return { environments: { ...environments, [env]: { ...environments[env], ...settings } } };
}

/** Resources of a type, as [logicalId, resource] pairs. */
export function resourcesOf(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type)) as [string, CfnResource][];
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no resource`);
  return stack.getLogicalId(resource);
}

/** A token resolved to its template form (a Ref, Fn::GetAtt, Fn::Join ...). */
export const resolved = (stack: Stack, value: unknown): unknown => stack.resolve(value);
