import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  type AwsDependency,
  awsClientSettings,
  namedDependency,
} from '../../lambda/core/dependencies';

/** Local stand-ins accept any credentials; fixed ones keep the SDK from looking for real ones. */
export const LOCAL_REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The same attempts and timeouts as the deployed functions' clients (a stalled local
 * stand-in fails a request exactly as a stalled AWS service would), and the same naming
 * of failures in the log.
 */
const localConfig = (endpoint: string, dependency: AwsDependency) => ({
  ...awsClientSettings(dependency),
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});

export const localDynamoClient = (endpoint: string) =>
  namedDependency(new DynamoDBClient(localConfig(endpoint, 'dynamodb')), 'dynamodb');
export const localSnsClient = (endpoint: string) =>
  namedDependency(new SNSClient(localConfig(endpoint, 'sns')), 'sns');
/** Only tests and the local subscriber read the queue: SNS's budget fits it. */
export const localSqsClient = (endpoint: string) => new SQSClient(localConfig(endpoint, 'sns'));
