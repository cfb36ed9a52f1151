import {
  type AttributeDefinition,
  CreateTableCommand,
  ResourceInUseException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { TableDefinition } from '../../lambda/shared/tables';

/**
 * CreateTable input from the same definition the CDK stack builds its tables from: same
 * key names, same index names, same key types.
 */
export function createTableInput(
  definition: TableDefinition,
  tableName: string,
): CreateTableCommandInput {
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of [
    definition.partitionKey,
    ...definition.globalIndexes.map((i) => i.partitionKey),
  ]) {
    attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()],
    KeySchema: [{ AttributeName: definition.partitionKey.name, KeyType: 'HASH' }],
    ...(definition.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [{ AttributeName: index.partitionKey.name, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          })),
        }
      : {}),
  };
}

export async function createTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
  } catch (error) {
    // An attempt that timed out on a busy DynamoDB Local may have created the table before
    // the SDK's retry asked again: the table being there is what provisioning wants.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  if (definition.timeToLiveAttribute !== undefined) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}

/** Creates the billing events topic (FIFO when its name ends in `.fifo`), returning its ARN. */
export async function createTopic(client: SNSClient, name: string): Promise<string> {
  const fifo = name.endsWith('.fifo');
  const result = await client.send(
    new CreateTopicCommand({ Name: name, ...(fifo ? { Attributes: { FifoTopic: 'true' } } : {}) }),
  );
  if (!result.TopicArn) throw new Error(`Creating topic ${name} returned no ARN.`);
  return result.TopicArn;
}

/**
 * A subscriber's queue on the topic, with raw message delivery off, as an SNS-to-SQS
 * subscriber receives it: what tests and `/_local/billing-events` read back.
 */
export async function subscribeQueue(
  sns: SNSClient,
  sqs: SQSClient,
  topicArn: string,
  queueName: string,
): Promise<{ queueUrl: string; queueArn: string }> {
  const fifo = topicArn.endsWith('.fifo');
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: fifo && !queueName.endsWith('.fifo') ? `${queueName}.fifo` : queueName,
      ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}),
    }),
  );
  const queueUrl = queue.QueueUrl;
  if (!queueUrl) throw new Error(`Creating queue ${queueName} returned no URL.`);
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn;
  if (!queueArn) throw new Error(`Queue ${queueName} has no ARN.`);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
            },
          ],
        }),
      },
    }),
  );
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  return { queueUrl, queueArn };
}
