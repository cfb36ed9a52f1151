import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadLocalConfig, type LocalConfig } from '../../local/config';
import { type LocalStack, startLocalStack } from '../../local/local-stack';
import { serviceEndpoint } from './services';

/** A project name no other test file uses, so each file has tables and a topic of its own. */
export const uniqueProjectName = (prefix: string): string =>
  `${prefix}-${randomUUID().slice(0, 8)}`;

export const silentLogger = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

/** The local stack on the run's shared DynamoDB Local and emulator, its API on a free port. */
export async function startTestStack(overrides: Partial<LocalConfig> = {}): Promise<LocalStack> {
  const base = loadLocalConfig({});
  return startLocalStack({
    config: {
      ...base,
      projectName: uniqueProjectName('it'),
      ports: { ...base.ports, api: 0, stripeSandbox: 0 },
      ...overrides,
    },
    endpoints: { dynamodb: serviceEndpoint('dynamodb'), sns: serviceEndpoint('sns') },
    logger: silentLogger(),
  });
}
