import type { RunningService } from '../../local/services/child-service';
import { startDynamoDbLocal } from '../../local/services/dynamodb-local';
import { findFreePort } from '../../local/services/ports';
import { startSnsEmulator } from '../../local/services/sns-emulator';
import { SERVICE_ENDPOINT_VARS } from './services';

declare global {
  var integrationServices: RunningService[] | undefined;
}

/**
 * Starts DynamoDB Local and the SNS/SQS emulator once for the run, on free ports. The
 * integration, resilience and e2e projects all name this setup; when one run selects
 * several of them, the first starts the services and the others reuse them (and the
 * teardown stops them once).
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.integrationServices) return;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [dynamoPort, snsPort] = await Promise.all([findFreePort(), findFreePort()]);
  const started = await Promise.allSettled([
    startDynamoDbLocal(dynamoPort),
    startSnsEmulator(snsPort),
  ]);
  const services = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  globalThis.integrationServices = services;
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(services.map((service) => service.stop()));
    throw failure.reason;
  }
  const [dynamo, sns] = services as [RunningService, RunningService];
  // Workers start after this and inherit the environment.
  process.env[SERVICE_ENDPOINT_VARS.dynamodb] = dynamo.endpoint;
  process.env[SERVICE_ENDPOINT_VARS.sns] = sns.endpoint;
}
