import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadServiceConfig } from './config';
import { StripeServiceStack } from './stripe-service-stack';

/**
 * Builds the CDK app for the environment named in context; shared by `bin/` and the tests.
 * `processEnv` is the process environment (a parameter so tests need not mutate the real one).
 */
export function buildApp(
  app: App = new App(),
  processEnv: NodeJS.ProcessEnv = process.env,
): { app: App; stack: StripeServiceStack } {
  const config = loadServiceConfig(app.node, processEnv);
  const stack = new StripeServiceStack(app, 'StripeServiceStack', {
    config,
    env: {
      account: nonEmpty(processEnv.CDK_DEFAULT_ACCOUNT),
      region: nonEmpty(processEnv.CDK_DEFAULT_REGION),
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

/**
 * CI systems without credentials often set `CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`
 * to the empty string; passed through, that is the unparseable environment
 * `aws:///us-east-1`. Empty means unknown: the stack stays environment-agnostic.
 */
const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();
