import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../local/local-stack';
import { localDynamoClient } from '../../local/services/aws-clients';

/**
 * Adds an active one-time price, and its product, to the local stack's catalog tables as
 * the pricing and product services would: never synced to Stripe, so the next checkout of
 * it creates the Stripe product and price.
 */
export async function putUnsyncedPrice(
  stack: Pick<LocalStack, 'endpoints' | 'names'>,
  priceId: string,
  productId: string,
): Promise<void> {
  const documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
  try {
    await documents.send(
      new PutCommand({
        TableName: stack.names.productsTable,
        Item: { productId, name: productId, active: true },
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: stack.names.pricesTable,
        Item: {
          priceId,
          productId,
          unitAmount: 2500,
          currency: 'usd',
          type: 'one_time',
          active: true,
        },
      }),
    );
  } finally {
    documents.destroy();
  }
}
