import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { StripeSandbox } from 'stripe-sandbox';
import type { LocalStack } from '../../local/local-stack';
import { endpointOf } from '../launch-day/stripe-log';
import { benchClientConfig } from '../local-services';

/** What one request (or run) cost, counted at each dependency. */
export interface Cost {
  readonly dynamoReads: number;
  readonly dynamoWrites: number;
  /** Read and write request units, as DynamoDB's `ConsumedCapacity` reports them. */
  readonly rru: number;
  readonly wru: number;
  /** Writes refused by their condition: billed (at least 1 WRU each) but not reported. */
  readonly failedConditionalWrites: number;
  readonly snsPublishes: number;
  /** Stripe calls by endpoint (`POST /v1/customers`). */
  readonly stripe: ReadonlyMap<string, number>;
  readonly secretReads: number;
  /** Handler wall time (what Lambda bills, less the network to AWS and Stripe). */
  readonly ms: number;
  /** Bytes of the function's own log lines (Powertools JSON at the deployed INFO level). */
  readonly logBytes: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** A counter of everything a request costs, with the clients the measured handlers use. */
export class Meter {
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
  /** Where the handlers' loggers put their lines (a `CapturingLogger`'s). */
  readonly logLines: LogAttributes[] = [];
  private counts = emptyCounts();

  constructor(
    stack: LocalStack,
    private readonly sandbox: StripeSandbox,
    private readonly secretFetches: () => number,
  ) {
    this.dynamo = new DynamoDBClient(benchClientConfig(stack.endpoints.dynamodb));
    this.sns = new SNSClient(benchClientConfig(stack.endpoints.sns));
    this.countDynamo();
    this.sns.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'PublishCommand') this.counts.snsPublishes++;
        return next(args);
      },
      { step: 'initialize', name: 'bench-meter-sns' },
    );
  }

  /** Runs `operation` alone and returns what it cost (nothing else may run meanwhile). */
  async measure<T>(operation: () => Promise<T>): Promise<{ cost: Cost; result: T }> {
    this.counts = emptyCounts();
    const stripeBefore = this.sandbox.state.requests.length;
    const secretsBefore = this.secretFetches();
    const logBefore = this.logLines.length;
    const started = performance.now();
    const result = await operation();
    const ms = performance.now() - started;
    const stripe = new Map<string, number>();
    for (const record of this.sandbox.state.requests.slice(stripeBefore)) {
      const key = endpointOf(record.method, record.path);
      stripe.set(key, (stripe.get(key) ?? 0) + 1);
    }
    const logBytes = this.logLines
      .slice(logBefore)
      .reduce((sum, line) => sum + Buffer.byteLength(JSON.stringify(line)) + 1, 0);
    const cost: Cost = {
      ...this.counts,
      stripe,
      secretReads: this.secretFetches() - secretsBefore,
      ms,
      logBytes,
    };
    return { cost, result };
  }

  close(): void {
    this.dynamo.destroy();
    this.sns.destroy();
  }

  /** Every DynamoDB request, read or write, and the capacity DynamoDB says it used. */
  private countDynamo(): void {
    this.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName).replace(/Command$/, '');
        const read = READS.has(command);
        if (read) this.counts.dynamoReads++;
        else this.counts.dynamoWrites++;
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        try {
          const result = await next(args);
          const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] })
            .ConsumedCapacity;
          for (const entry of [consumed ?? []].flat()) this.addCapacity(entry, read);
          return result;
        } catch (error) {
          if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') {
            this.counts.failedConditionalWrites++;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'bench-meter-dynamo' },
    );
  }

  private addCapacity(entry: Capacity, read: boolean): void {
    const total = entry.CapacityUnits ?? 0;
    if (read) this.counts.rru += entry.ReadCapacityUnits ?? total;
    else this.counts.wru += entry.WriteCapacityUnits ?? total;
  }
}

function emptyCounts() {
  return {
    dynamoReads: 0,
    dynamoWrites: 0,
    rru: 0,
    wru: 0,
    failedConditionalWrites: 0,
    snsPublishes: 0,
  };
}

/** The mean of several measured costs (one path measured `n` times). */
export function meanCost(costs: readonly Cost[]): Cost {
  const n = Math.max(1, costs.length);
  const sum = (pick: (c: Cost) => number) => costs.reduce((s, c) => s + pick(c), 0) / n;
  const stripe = new Map<string, number>();
  for (const cost of costs) {
    for (const [endpoint, calls] of cost.stripe) {
      stripe.set(endpoint, (stripe.get(endpoint) ?? 0) + calls / n);
    }
  }
  return {
    dynamoReads: sum((c) => c.dynamoReads),
    dynamoWrites: sum((c) => c.dynamoWrites),
    rru: sum((c) => c.rru),
    wru: sum((c) => c.wru),
    failedConditionalWrites: sum((c) => c.failedConditionalWrites),
    snsPublishes: sum((c) => c.snsPublishes),
    stripe,
    secretReads: sum((c) => c.secretReads),
    ms: sum((c) => c.ms),
    logBytes: sum((c) => c.logBytes),
  };
}
