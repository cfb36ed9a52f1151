import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * One request a DynamoDB client sent: the low-level command's name (`GetItemCommand` for a
 * document client's `GetCommand`) and its input.
 */
export interface SentRequest {
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * Records every request `client` sends (through the SDK's middleware stack, so the request
 * still reaches DynamoDB Local). For what DynamoDB Local cannot show: it reads strongly
 * consistent whatever is asked, where DynamoDB may answer an eventually consistent read
 * with an item as it was before the last write. Use a client of its own: a document
 * client built from it shares its middleware stack.
 */
export function recordRequests(client: DynamoDBClient): SentRequest[] {
  const sent: SentRequest[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push({
        command: context.commandName ?? 'unknown',
        input: args.input as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return sent;
}

/** The `ConsistentRead` of every request of `command` recorded so far. */
export const consistentReadsOf = (sent: readonly SentRequest[], command: string): unknown[] =>
  sent.filter((request) => request.command === command).map((r) => r.input.ConsistentRead);

/**
 * The keys (values of `keyAttribute`) every GetItem and BatchGetItem recorded so far asked
 * for, in order: what a request cost in item reads. Takes the low-level form (`{S: ...}`)
 * and the document client's alike.
 */
export function itemKeysRead(sent: readonly SentRequest[], keyAttribute: string): string[] {
  const valueOf = (key: unknown): string => {
    const value = (key as Record<string, unknown> | undefined)?.[keyAttribute];
    if (typeof value === 'string') return value;
    const typed = (value as { S?: unknown } | undefined)?.S;
    return typeof typed === 'string' ? typed : JSON.stringify(value);
  };
  return sent.flatMap((request) => {
    if (request.command === 'GetItemCommand') return [valueOf(request.input.Key)];
    if (request.command !== 'BatchGetItemCommand') return [];
    const tables = Object.values(request.input.RequestItems ?? {}) as { Keys?: unknown[] }[];
    return tables.flatMap((table) => (table.Keys ?? []).map(valueOf));
  });
}
