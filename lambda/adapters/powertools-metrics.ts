import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import type { Context } from 'aws-lambda';
import { type Environment, readEnvironment } from '../core/config';
import { METRIC_DIMENSIONS, type MetricName, type ServiceMetrics } from '../domain/metrics';
import { ENV } from '../shared/function-environment';

/**
 * The one dimension every metric carries (contract section 8). The monitoring construct
 * (`lib/constructs/monitoring/`) alarms on exactly this dimension set: CloudWatch matches
 * dimension sets exactly, so a metric emitted with one more dimension is another metric.
 */
const ENVIRONMENT_DIMENSION = METRIC_DIMENSIONS.environment;

export interface MetricsSettings {
  /** One namespace per stack: `<project>-<env>-stripe-service`. */
  readonly namespace: string;
  /** The value of the `environment` dimension (`dev`, `staging`, `prod`, `local`). */
  readonly environment: string;
}

/** The metrics settings the stack gives every function; every missing one is named at once. */
export const loadMetricsSettings = (env: Environment): MetricsSettings =>
  readEnvironment(env, (read) => ({
    namespace: read.required(ENV.metricsNamespace),
    environment: read.required(ENV.environmentName),
  }));

/** Where Powertools' own warnings go (never the metrics, which always go to stdout). */
type MetricsLogger = NonNullable<MetricsOptions['logger']>;

/** A Lambda handler of any event; the wrapper keeps its types. */
type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * The metrics port over Powertools Metrics: CloudWatch embedded metric format (EMF), one
 * JSON line on stdout per flush, which Lambda's log pipeline turns into metrics without
 * an API call (nothing to slow down or fail the request).
 *
 * Counts are buffered and flushed once per invocation by `instrument`, whatever the
 * outcome. A count with an extra dimension (billing events by `type`) is emitted at once
 * on a line of its own: Powertools puts a buffered dimension on every metric of the
 * flush, which would split the plain counts of that invocation by `type` too.
 */
export class PowertoolsMetrics implements ServiceMetrics {
  private readonly metrics: Metrics;

  constructor(settings: MetricsSettings, options: { readonly logger?: MetricsLogger } = {}) {
    this.metrics = new EnvironmentOnlyMetrics(settings.environment, {
      namespace: settings.namespace,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  count(name: MetricName, value = 1, dimension?: { name: string; value: string }): void {
    if (dimension === undefined) {
      this.metrics.addMetric(name, MetricUnit.Count, value);
      return;
    }
    const single = this.metrics.singleMetric();
    single.addDimension(dimension.name, dimension.value);
    single.addMetric(name, MetricUnit.Count, value);
  }

  /** Writes what was counted since the last flush (nothing at all when nothing was). */
  flush(): void {
    // Powertools warns on every empty flush; most requests (a price listing) count nothing.
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }

  /**
   * Wraps a Lambda handler: the first invocation of an on-demand container emits
   * `ColdStart` (with the `function_name` dimension), and every invocation flushes its
   * counts when it ends, also when the handler throws (a failed run counts its failure).
   */
  instrument<E, R>(handler: LambdaHandler<E, R>): LambdaHandler<E, R> {
    return async (event, context) => {
      this.metrics.captureColdStartMetric(context.functionName);
      try {
        return await handler(event, context);
      } finally {
        this.flush();
      }
    };
  }
}

/**
 * Powertools Metrics whose one default dimension is `environment`. Powertools adds a
 * `service` dimension of its own, to every metric and again to each `singleMetric()` (the
 * cold start, the counts by `type`); the alarms name the exact dimension set.
 */
class EnvironmentOnlyMetrics extends Metrics {
  constructor(
    private readonly environmentName: string,
    options: MetricsOptions,
  ) {
    super(options);
    this.onlyEnvironment(this);
  }

  override singleMetric(): Metrics {
    return this.onlyEnvironment(super.singleMetric());
  }

  private onlyEnvironment(metrics: Metrics): Metrics {
    metrics.clearDefaultDimensions();
    metrics.setDefaultDimensions({ [ENVIRONMENT_DIMENSION]: this.environmentName });
    return metrics;
  }
}

/** The metrics of a deployed function, from the environment the stack sets. */
export const metricsFromEnvironment = (
  env: Environment,
  options: { readonly logger?: MetricsLogger } = {},
): PowertoolsMetrics => new PowertoolsMetrics(loadMetricsSettings(env), options);
