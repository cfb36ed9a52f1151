import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { LOCAL_SECRET_DEFAULTS } from '../../local/config';
import type { LocalStack } from '../../local/local-stack';
import { benchClientConfig } from '../local-services';
import { setSandboxRateLimits } from './burst';

/** Each buyer's Stripe customers and customers-table record, after the burst. */
export interface CustomersCheck {
  readonly users: number;
  /** One Stripe customer, and the table's record names it. */
  readonly exactlyOne: number;
  /** No Stripe customer yet: every request was refused before it was created. */
  readonly none: number;
  /** More than one Stripe customer for one user: what must never happen. */
  readonly duplicates: number;
  /** A Stripe customer the record does not name (or no record): also never. */
  readonly mismatched: number;
  /** Records left reserved without a customer (a buyer refused before Stripe created it). */
  readonly reservedOnly: number;
}

/**
 * Counts, for `users`, their customers at Stripe (listed through the `stripe` SDK, by the
 * `userId` metadata the service sets) and their records in the customers table. The
 * sandbox's limits are lifted while listing (checking is not the load) and set back after.
 */
export async function checkCustomers(
  stack: LocalStack,
  users: readonly string[],
): Promise<CustomersCheck> {
  const sandbox = stack.stripeSandbox;
  if (!sandbox) throw new Error('the launch-day benchmark needs the Stripe sandbox');
  const stripe = new Stripe(LOCAL_SECRET_DEFAULTS.stripeSecretKey, {
    host: '127.0.0.1',
    port: sandbox.port,
    protocol: 'http',
  });
  const wanted = new Set(users);
  const atStripe = new Map<string, string[]>();
  await setSandboxRateLimits(stack, { enabled: false });
  try {
    for await (const customer of stripe.customers.list({ limit: 100 })) {
      const userId = customer.metadata.userId;
      if (userId === undefined || !wanted.has(userId)) continue;
      atStripe.set(userId, [...(atStripe.get(userId) ?? []), customer.id]);
    }
  } finally {
    await setSandboxRateLimits(stack, { enabled: true });
  }
  const records = await customerRecords(stack, wanted);
  return tally(users, atStripe, records);
}

/** The customers table's records of `users`: the Stripe customer each names, if any. */
async function customerRecords(
  stack: LocalStack,
  users: ReadonlySet<string>,
): Promise<Map<string, string | undefined>> {
  const client = new DynamoDBClient(benchClientConfig(stack.endpoints.dynamodb));
  const documents = DynamoDBDocumentClient.from(client);
  const records = new Map<string, string | undefined>();
  try {
    const pages = paginateScan({ client: documents }, { TableName: stack.names.customersTable });
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const { userId, stripeCustomerId } = item as { userId: string; stripeCustomerId?: string };
        if (users.has(userId)) records.set(userId, stripeCustomerId);
      }
    }
  } finally {
    client.destroy();
  }
  return records;
}

function tally(
  users: readonly string[],
  atStripe: ReadonlyMap<string, readonly string[]>,
  records: ReadonlyMap<string, string | undefined>,
): CustomersCheck {
  const counts = { exactlyOne: 0, none: 0, duplicates: 0, mismatched: 0, reservedOnly: 0 };
  for (const userId of users) {
    const customers = atStripe.get(userId) ?? [];
    const recorded = records.get(userId);
    if (customers.length > 1) counts.duplicates++;
    else if (customers.length === 1 && recorded === customers[0]) counts.exactlyOne++;
    else if (customers.length === 1 || recorded !== undefined) counts.mismatched++;
    else counts.none++;
    if (customers.length === 0 && records.has(userId) && recorded === undefined) {
      counts.reservedOnly++;
    }
  }
  return { users: users.length, ...counts };
}
