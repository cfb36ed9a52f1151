import { type LocalConfig, type LocalPorts, PORT_ENV_VARS } from '../config';
import { localDynamoClient, localSnsClient, localSqsClient } from '../services/aws-clients';
import type { RunningService, ServiceDiedError } from '../services/child-service';
import { DYNAMODB_LOCAL_NAME, startDynamoDbLocal } from '../services/dynamodb-local';
import { assertPortsFree, type NeededPort } from '../services/ports';
import { SNS_EMULATOR_NAME, startSnsEmulator } from '../services/sns-emulator';
import type { Cleanup } from './cleanup';

export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly sns: string;
}

/** What listens on each local port, as named to whoever finds it busy. */
const PORT_PURPOSES: Readonly<Record<keyof LocalPorts, string>> = {
  api: 'the local API',
  dynamodb: DYNAMODB_LOCAL_NAME,
  sns: `the ${SNS_EMULATOR_NAME}`,
  stripeSandbox: 'the Stripe sandbox',
};

/** Every port the stack will listen on: the services' only when it starts them. */
function neededPorts(config: LocalConfig, startsServices: boolean): NeededPort[] {
  const listens: Record<keyof LocalPorts, boolean> = {
    api: true,
    dynamodb: startsServices,
    sns: startsServices,
    stripeSandbox: config.stripe === 'sandbox',
  };
  return (Object.keys(listens) as (keyof LocalPorts)[])
    .filter((name) => listens[name])
    .map((name): NeededPort => ({
      port: config.ports[name],
      purpose: PORT_PURPOSES[name],
      envVar: PORT_ENV_VARS[name],
    }));
}

/** Every port the stack needs is free, or one error names all the busy ones. */
export function checkPortsFree(
  config: LocalConfig,
  { startsServices }: { startsServices: boolean },
): Promise<void> {
  return assertPortsFree(neededPorts(config, startsServices));
}

/**
 * DynamoDB Local (in memory, or in `config.dataDir`) and the SNS/SQS emulator,
 * started side by side; or the endpoints given, started by someone else (the tests).
 */
export async function startOrReuseServices(
  config: LocalConfig,
  given: LocalEndpoints | undefined,
  cleanup: Cleanup,
): Promise<{ endpoints: LocalEndpoints; services: RunningService[] }> {
  if (given) return { endpoints: given, services: [] };
  const started = await Promise.allSettled([
    startDynamoDbLocal(config.ports.dynamodb, { dataDir: config.dataDir }),
    startSnsEmulator(config.ports.sns),
  ]);
  const services = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  cleanup.add(async () => {
    await Promise.all(services.map((service) => service.stop()));
  });
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const [dynamo, sns] = services as [RunningService, RunningService];
  return { endpoints: { dynamodb: dynamo.endpoint, sns: sns.endpoint }, services };
}

export type LocalClients = ReturnType<typeof openClients>;

/** The AWS clients the stack provisions with and the handlers share. */
export function openClients(endpoints: LocalEndpoints, cleanup: Cleanup) {
  const clients = {
    dynamo: localDynamoClient(endpoints.dynamodb),
    sns: localSnsClient(endpoints.sns),
    sqs: localSqsClient(endpoints.sns),
  };
  cleanup.add(() => {
    for (const client of Object.values(clients)) client.destroy();
  });
  return clients;
}

/**
 * Stops everything when the first service dies, then tells which died and how. A service
 * that exits once the stack is stopping is no death: Ctrl-C signals the whole process
 * group, so the services may exit of it before the stack gets to stop them. Never settles
 * when the stack started no service.
 */
export async function stopOnFirstDeath(
  services: readonly RunningService[],
  stack: { stop(): Promise<void>; stopRequested(): boolean },
): Promise<ServiceDiedError> {
  const death = await Promise.race(services.map((service) => service.died));
  if (stack.stopRequested()) return new Promise<never>(() => undefined);
  await stack.stop();
  return death;
}
