import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
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

/** `DynamoDB.PutItem`: a call as the figures name it, by its service and SDK command. */
export const callName = (service: string, command: string): string =>
  `${service}.${command.replace(/Command$/, '')}`;

/** One call an SDK client made: the command, how long it took, and (when asked) its input. */
export interface RecordedCall {
  readonly service: string;
  /** The SDK command's class name (`PutItemCommand`; also for a document client's `PutCommand`). */
  readonly command: string;
  /** Milliseconds inside the call, injected latency included. */
  readonly durationMs: number;
  /** The input as sent (marshalled), when the recording keeps inputs. */
  readonly input?: unknown;
}

/** Where a counter appends the calls it sees, in order (several counters may share one). */
export interface CallRecording {
  readonly calls: RecordedCall[];
  /** Keep each call's input too (a copy per call: only for recording a request to replay). */
  readonly inputs: boolean;
}

/** Counts the calls an AWS SDK client makes, by command, and delays each by `latencyMs`. */
export class CallCounter {
  readonly counts = new Map<string, number>();
  /** Milliseconds spent inside the calls (injected latency included), by command. */
  readonly durations = new Map<string, number>();
  /** While set, every call is appended to it. */
  recording: CallRecording | undefined;

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
        const command = String(context.commandName);
        const name = callName(service, command);
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        const recording = this.recording;
        const input: unknown = recording?.inputs ? structuredClone(args.input) : undefined;
        const started = performance.now();
        try {
          if (options.latencyMs > 0) await sleep(options.latencyMs);
          if (options.fail?.() === true) throw new Error(`Injected ${name} failure`);
          return await next(args);
        } finally {
          const durationMs = performance.now() - started;
          this.durations.set(name, (this.durations.get(name) ?? 0) + durationMs);
          recording?.calls.push({
            service,
            command,
            durationMs,
            ...(recording.inputs ? { input } : {}),
          });
        }
      },
      { step: 'finalizeRequest', name: `bench-${service}` },
    );
  }
}

/** The kernel's clock ticks per second, the unit of /proc's CPU times. */
let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface ProcStat {
  readonly ppid: number;
  /** User and system CPU, in clock ticks. */
  readonly cpuTicks: number;
}

function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces; the fields follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(fields[1]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

/**
 * CPU seconds (user + system) a process and every process it started have used so far,
 * read from /proc (Linux); undefined where /proc cannot tell (another OS, a gone process).
 */
export function processTreeCpuSeconds(pid: number): number | undefined {
  if (procStat(pid) === undefined) return undefined;
  const children = new Map<number, number[]>();
  const stats = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat) continue;
    stats.set(Number(entry), stat);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  let ticks = 0;
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    ticks += stats.get(next)?.cpuTicks ?? 0;
    pending.push(...(children.get(next) ?? []));
  }
  return ticks / ticksPerSecond();
}

/** CPU seconds the whole machine has spent busy, and in all (every core), from /proc/stat. */
export function machineCpuSeconds(): { readonly busy: number; readonly total: number } | undefined {
  let line: string | undefined;
  try {
    line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
  // cpu user nice system idle iowait irq softirq steal (guest time is within user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = (line ?? '')
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / ticksPerSecond(), total: (busy + idle + iowait) / ticksPerSecond() };
}
