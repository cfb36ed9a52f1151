import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/** Local stand-ins accept any credentials; fixed ones keep the SDK from looking for real ones. */
export const LOCAL_REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const localConfig = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 2,
});

export const localDynamoClient = (endpoint: string) => new DynamoDBClient(localConfig(endpoint));
export const localSnsClient = (endpoint: string) => new SNSClient(localConfig(endpoint));
export const localSqsClient = (endpoint: string) => new SQSClient(localConfig(endpoint));
