import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadServiceConfig } from './config';
import { StripeServiceStack } from './stripe-service-stack';

/** Builds the CDK app for the environment named in context; shared by `bin/` and the tests. */
export function buildApp(app: App = new App()): { app: App; stack: StripeServiceStack } {
  const config = loadServiceConfig(app.node);
  const stack = new StripeServiceStack(app, 'StripeServiceStack', {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
