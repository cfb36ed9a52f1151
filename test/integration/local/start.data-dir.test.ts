import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { STATE_FILE } from 'stripe-sandbox';
import { ROUTES } from '../../../lambda/shared/routes';
import { loadLocalConfig, type LocalConfig, type LocalPorts } from '../../../local/config';
import { type LocalStack, startLocalStack } from '../../../local/local-stack';
import { localDynamoClient } from '../../../local/services/aws-clients';
import { findFreePort } from '../../../local/services/ports';
import { silentLogger, uniqueProjectName } from '../../support/test-stack';
import { patientStripe } from '../../support/patient-stripe';

// Starts its own DynamoDB Local (Java) and Stripe sandbox, twice, on a data directory: the
// run's shared DynamoDB Local is in memory.
jest.setTimeout(180_000);

const USER = 'data-dir-buyer';

async function freePorts(): Promise<LocalPorts> {
  const dynamodb = await findFreePort();
  const sns = await findFreePort();
  return { api: 0, stripeSandbox: 0, dynamodb, sns };
}

/** `npm start --data-dir <dir>`, on free ports, starting its own services. */
async function startWithDataDir(config: LocalConfig): Promise<LocalStack> {
  return startLocalStack({
    config: { ...config, ports: await freePorts() },
    logger: silentLogger(),
  });
}

async function checkout(stack: LocalStack, priceId: string) {
  const tokenResponse = await fetch(`${stack.apiUrl}/_local/token?userId=${USER}`);
  const { token } = (await tokenResponse.json()) as { token: string };
  const response = await fetch(`${stack.apiUrl}${ROUTES.createCheckoutSession.path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      priceId,
      successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${stack.apiUrl}/canceled`,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Reads a row, and (optionally) changes a seeded one, through a client of its own. */
async function withTables<T>(
  stack: LocalStack,
  use: (documents: DynamoDBDocumentClient) => Promise<T>,
): Promise<T> {
  const dynamo = localDynamoClient(stack.endpoints.dynamodb);
  try {
    return await use(DynamoDBDocumentClient.from(dynamo));
  } finally {
    dynamo.destroy();
  }
}

const customerRow = (stack: LocalStack) =>
  withTables(stack, async (documents) => {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: stack.names.customersTable,
        Key: { userId: USER },
        ConsistentRead: true,
      }),
    );
    return Item;
  });

const productName = (stack: LocalStack, productId: string) =>
  withTables(stack, async (documents) => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: stack.names.productsTable, Key: { productId } }),
    );
    return Item?.name as string | undefined;
  });

let dataDir: string;
const started: LocalStack[] = [];
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-local-data-'));
});
afterAll(async () => {
  await Promise.all(started.map((stack) => stack.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The stripe SDK against the stack's sandbox, as the handlers reach it. */
function sandboxClient(stack: LocalStack): Stripe {
  if (!stack.stripeSandbox) throw new Error('the stack runs without the Stripe sandbox');
  return patientStripe(stack.stripeSandbox.port, 'sk_test_local_data_dir');
}

describe('npm start --data-dir: data across restarts', () => {
  it("keeps the customers, an edited catalog and the sandbox's Stripe objects, creating tables and seed only when missing", async () => {
    const config: LocalConfig = {
      ...loadLocalConfig({}, ['--data-dir', dataDir]),
      projectName: uniqueProjectName('datadir'),
    };
    expect(config.dataDir).toBe(dataDir);

    // First run: an empty directory, so every table is created and the catalog seeded.
    const first = await startWithDataDir(config);
    started.push(first);
    const bought = await checkout(first, 'price-typescript-course');
    expect(bought.status).toBe(200);
    const mapping = await customerRow(first);
    expect(mapping?.stripeCustomerId).toBe(bought.body.customerId);
    // An edit of the seeded catalog, as the catalog services would make: a restart must
    // keep it, not seed over it. The product bought, so the next checkout finds its Stripe
    // ids still valid in the restored sandbox (forgetting them would create the renamed
    // product again under its first idempotency key: a 400 from the sandbox, which remembers).
    await withTables(first, (documents) =>
      documents.send(
        new UpdateCommand({
          TableName: first.names.productsTable,
          Key: { productId: 'prod-typescript-course' },
          UpdateExpression: 'SET #name = :name',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': 'TypeScript course, renamed' },
        }),
      ),
    );
    await first.stop();
    started.pop();

    // DynamoDB Local kept its database in the directory, and the sandbox its state, in a
    // directory that keeps itself out of git.
    expect(fs.readdirSync(path.join(dataDir, 'dynamodb')).length).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(dataDir, 'stripe-sandbox'))).toEqual([STATE_FILE]);
    expect(fs.readFileSync(path.join(dataDir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);

    // Second run on the same directory: the tables are there, with their rows.
    const second = await startWithDataDir(config);
    started.push(second);
    await expect(customerRow(second)).resolves.toMatchObject({
      userId: USER,
      stripeCustomerId: bought.body.customerId,
    });
    await expect(productName(second, 'prod-typescript-course')).resolves.toBe(
      'TypeScript course, renamed',
    );
    const listing = (await (await fetch(`${second.apiUrl}${ROUTES.listPrices.path}`)).json()) as {
      prices: { priceId: string; productName: string }[];
    };
    expect(listing.prices.find((p) => p.priceId === 'price-typescript-course')?.productName).toBe(
      'TypeScript course, renamed',
    );

    // The sandbox kept its Stripe objects beside the tables: the customer the mapping names
    // is still there, so the buyer's next checkout reuses it rather than making another.
    expect(second.stripeSandbox?.restored).toBe(true);
    const kept = await sandboxClient(second).customers.retrieve(String(bought.body.customerId));
    expect(kept.id).toBe(bought.body.customerId);
    expect(kept).not.toHaveProperty('deleted');
    const again = await checkout(second, 'price-typescript-course');
    expect(again.status).toBe(200);
    expect(again.body.customerId).toBe(bought.body.customerId);
    await expect(customerRow(second)).resolves.toMatchObject({
      stripeCustomerId: bought.body.customerId,
    });
    const customers = await sandboxClient(second).customers.list({ limit: 100 });
    expect(customers.data.map((customer) => customer.id)).toEqual([bought.body.customerId]);
    // One price in Stripe for the one price bought twice: nothing was synced a second time.
    expect((await sandboxClient(second).prices.list({ limit: 100 })).data).toHaveLength(1);
  });
});
