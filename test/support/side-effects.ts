import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../local/local-stack';
import { localDynamoClient } from '../../local/services/aws-clients';
import type { BadRequest, CorpusContext } from './bad-input-corpus';

/**
 * What a request could have changed in the local stack: every table's items, the
 * messages a subscriber received, the Stripe writes (POSTs) the sandbox answered.
 */
export interface StackState {
  readonly tables: Readonly<Record<string, string>>;
  readonly billingEvents: number;
  readonly stripeWrites: number;
}

export async function stackState(stack: LocalStack): Promise<StackState> {
  const documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
  const {
    customersTable,
    eventLedgerTable,
    catalogSyncTable,
    parkedEventsTable,
    productsTable,
    pricesTable,
  } = stack.names;
  const tables: Record<string, string> = {};
  for (const table of [
    customersTable,
    eventLedgerTable,
    catalogSyncTable,
    parkedEventsTable,
    productsTable,
    pricesTable,
  ]) {
    const { Items = [] } = await documents.send(
      new ScanCommand({ TableName: table, ConsistentRead: true }),
    );
    tables[table] = JSON.stringify(Items.map((item) => JSON.stringify(item)).sort());
  }
  documents.destroy();
  return {
    tables,
    billingEvents: (await stack.billingEvents.events()).length,
    stripeWrites: (stack.stripeSandbox?.state.requests ?? []).filter((r) => r.method === 'POST')
      .length,
  };
}

/** What changed between two states, in words; empty when nothing did. */
export function changes(before: StackState, after: StackState): string[] {
  const changed = Object.keys(before.tables)
    .filter((table) => before.tables[table] !== after.tables[table])
    .map((table) => `table ${table} changed`);
  if (after.billingEvents !== before.billingEvents) {
    changed.push(
      `${String(after.billingEvents - before.billingEvents)} billing event(s) published`,
    );
  }
  if (after.stripeWrites !== before.stripeWrites) {
    changed.push(`${String(after.stripeWrites - before.stripeWrites)} Stripe write(s)`);
  }
  return changed;
}

export interface BadRequestOutcome {
  readonly status: number;
  readonly code: string | undefined;
  readonly changes: string[];
}

/** Sends one bad request to the local stack and reports its answer and side effects. */
export async function sendBadRequest(
  stack: LocalStack,
  context: CorpusContext,
  badRequest: BadRequest,
): Promise<BadRequestOutcome> {
  const before = await stackState(stack);
  const request = await badRequest.build(context);
  const response = await fetch(`${stack.apiUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const body = (await response.json()) as {
    error?: { code?: string; message?: unknown };
    parked?: unknown;
  };
  const after = await stackState(stack);
  if (response.ok && body.parked === true) {
    return { status: response.status, code: 'parked', changes: changes(before, after) };
  }
  if (typeof body.error?.message !== 'string') throw new Error('error body without a message');
  return { status: response.status, code: body.error.code, changes: changes(before, after) };
}

/** What a bad request may change (`BadRequest.keeps`), in `changes`' words. */
export function keptChanges(stack: LocalStack, badRequest: BadRequest): string[] {
  const tables = {
    parkedEvents: stack.names.parkedEventsTable,
    eventLedger: stack.names.eventLedgerTable,
  };
  return (badRequest.keeps ?? []).map((store) => `table ${tables[store]} changed`).sort();
}
