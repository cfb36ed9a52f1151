import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetTopicAttributesCommand, PublishCommand } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { CUSTOMERS_TABLE, EVENT_LEDGER_TABLE } from '../../../../lambda/shared/tables';
import {
  localDynamoClient,
  localSnsClient,
  localSqsClient,
} from '../../../../local/services/aws-clients';
import { createTable, createTopic, subscribeQueue } from '../../../../local/services/provision';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(30_000);

describe('provisioning the local services from the shared definitions', () => {
  it('creates the customers table with its key and GSI, and the idempotency table with TTL', async () => {
    const client = localDynamoClient(serviceEndpoint('dynamodb'));
    const prefix = uniqueProjectName('prov');
    await createTable(client, CUSTOMERS_TABLE, `${prefix}-customers`);
    await createTable(client, EVENT_LEDGER_TABLE, `${prefix}-idempotency`);

    const customers = await client.send(
      new DescribeTableCommand({ TableName: `${prefix}-customers` }),
    );
    expect(customers.Table?.KeySchema).toEqual([{ AttributeName: 'userId', KeyType: 'HASH' }]);
    expect(customers.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).toEqual(
      [['stripeCustomerId-index', [{ AttributeName: 'stripeCustomerId', KeyType: 'HASH' }]]],
    );
    const ttl = await client.send(
      new DescribeTimeToLiveCommand({ TableName: `${prefix}-idempotency` }),
    );
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'ttl',
      TimeToLiveStatus: 'ENABLED',
    });
    client.destroy();
  });

  it('creates a FIFO billing topic whose subscriber queue receives in order', async () => {
    const sns = localSnsClient(serviceEndpoint('sns'));
    const sqs = localSqsClient(serviceEndpoint('sns'));
    const topicArn = await createTopic(sns, `${uniqueProjectName('prov')}-billing-events.fifo`);
    const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(attributes.Attributes?.FifoTopic).toBe('true');
    const { queueUrl } = await subscribeQueue(sns, sqs, topicArn, 'fifo-subscriber');
    for (const n of [1, 2, 3]) {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify({ n }),
          MessageGroupId: 'cus_1',
          MessageDeduplicationId: `evt_${n}`,
        }),
      );
    }
    // A FIFO queue hands out a group's next message once the previous one is deleted.
    const bodies: number[] = [];
    for (let attempt = 0; attempt < 10 && bodies.length < 3; attempt++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
      );
      for (const message of Messages) {
        const envelope = JSON.parse(message.Body ?? '{}') as { Message: string };
        bodies.push((JSON.parse(envelope.Message) as { n: number }).n);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    expect(bodies).toEqual([1, 2, 3]);
    sns.destroy();
    sqs.destroy();
  });
});
