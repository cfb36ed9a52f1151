import type { MetricName, ServiceMetrics } from '../../lambda/domain/metrics';

/** One CloudWatch embedded-metric-format line, as Powertools Metrics writes it to stdout. */
export interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/**
 * Captures what is written to stdout (where Powertools Metrics prints EMF) until
 * `restore()`; `emf()` returns the EMF lines, parsed, and `other()` anything else.
 */
export function captureStdout() {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '');
  const isEmf = (line: string) => line.startsWith('{') && line.includes('"_aws"');
  return {
    emf: (): EmfLine[] =>
      lines()
        .filter(isEmf)
        .map((line) => JSON.parse(line) as EmfLine),
    other: (): string[] => lines().filter((line) => !isEmf(line)),
    restore: () => {
      spy.mockRestore();
    },
  };
}

/** The total of a metric over EMF lines (a metric added twice in a flush is an array). */
export function emfTotal(lines: readonly EmfLine[], name: MetricName | 'ColdStart'): number {
  return lines
    .filter((line) => line._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name))
    .flatMap((line) => [line[name]].flat() as number[])
    .reduce((sum, value) => sum + value, 0);
}

/** A ServiceMetrics that remembers every count, for tests of what is counted where. */
export class RecordingMetrics implements ServiceMetrics {
  readonly counts: {
    name: MetricName;
    value: number;
    dimension?: { name: string; value: string };
  }[] = [];

  count(name: MetricName, value = 1, dimension?: { name: string; value: string }): void {
    this.counts.push({ name, value, ...(dimension ? { dimension } : {}) });
  }

  /** Each metric's total, for compact assertions. */
  totals(): Partial<Record<MetricName, number>> {
    const totals: Partial<Record<MetricName, number>> = {};
    for (const { name, value } of this.counts) totals[name] = (totals[name] ?? 0) + value;
    return totals;
  }
}
