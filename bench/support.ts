import * as os from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';

/** The machine a figure was measured on, printed beside it. */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const ms = (value: number): string => `${value.toFixed(1)} ms`;

export const ratio = (value: number, ideal: number): string => `${(value / ideal).toFixed(2)}×`;

/** Counts the calls an AWS SDK client makes, by command, and delays each by `latencyMs`. */
export class CallCounter {
  readonly counts = new Map<string, number>();
  /** Milliseconds spent inside the calls (injected latency included), by command. */
  readonly durations = new Map<string, number>();

  reset(): void {
    this.counts.clear();
    this.durations.clear();
  }

  /** Mean milliseconds per call, by command. */
  meanDurations(): Record<string, number> {
    return Object.fromEntries(
      [...this.durations.entries()].map(([name, total]) => [
        name,
        total / (this.counts.get(name) ?? 1),
      ]),
    );
  }

  total(): number {
    return [...this.counts.values()].reduce((sum, n) => sum + n, 0);
  }

  /** `DynamoDB.GetItem × 3, ...` */
  describe(perRequest = 1): string {
    return [...this.counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([command, n]) => `${command} × ${(n / perRequest).toFixed(n % perRequest === 0 ? 0 : 2)}`,
      )
      .join(', ');
  }

  instrument(
    client: DynamoDBClient | SNSClient,
    service: string,
    options: { latencyMs: number; fail?: () => boolean },
  ): void {
    // One middleware on the SDK's own stack: every command passes it once per attempt.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = `${service}.${String(context.commandName).replace(/Command$/, '')}`;
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        const started = performance.now();
        try {
          if (options.latencyMs > 0) await sleep(options.latencyMs);
          if (options.fail?.() === true) throw new Error(`Injected ${name} failure`);
          return await next(args);
        } finally {
          this.durations.set(name, (this.durations.get(name) ?? 0) + performance.now() - started);
        }
      },
      { step: 'finalizeRequest', name: `bench-${service}` },
    );
  }
}
