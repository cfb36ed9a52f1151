import { RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { UserRequestLimit } from '../../lambda/domain/request-limit';
import type { RouteName } from '../../lambda/shared/routes';
import type { SecretId } from '../../lambda/shared/secrets';

/**
 * The stack's configuration: one typed object per environment, read from `cdk.json`
 * context (`environments.<env>`, `load.ts`), validated before any construct is built. A few
 * settings (`combinedSecretName`, `combinedSecretFields`, `jwtIssuer`, `jwtAudience`,
 * `alarmTopicArn`, `alarmEmail`, the alarm thresholds, the `reconcile*` settings and
 * `eventBridgeSource`) may
 * also be given as top-level context (`--context key=value`), which wins over the environment's value:
 * they are what an operator sets per deployment.
 */

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const DEFAULT_PROJECT_NAME = 'eislett-education';

/** Names of resources other teams own; each defaults to `<project>-<env>-<suffix>`. */
export interface ExternalResourceOverrides {
  readonly productsTableName?: string;
  readonly pricesTableName?: string;
  /** The full ARN of the billing events topic; wins over `billingEventsTopicName`. */
  readonly billingEventsTopicArn?: string;
  /** The topic's name in this account and region (end it in `.fifo` for a FIFO topic). */
  readonly billingEventsTopicName?: string;
  readonly stripeSecretKeySecretName?: string;
  readonly stripeWebhookSecretName?: string;
  readonly jwtAccessTokenSecretName?: string;
}

/** API Gateway's token bucket: steady requests per second and the bucket size. */
export interface ThrottleSettings {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * One JSON secret holding all three values in fields (contract section 3), instead of
 * one secret each.
 */
export interface CombinedSecretSettings {
  readonly secretName: string;
  /** The field of the combined secret that holds each value. */
  readonly fields: Readonly<Record<SecretId, string>>;
}

/** The combined secret's field names unless `combinedSecretFields` overrides them. */
export const DEFAULT_COMBINED_SECRET_FIELDS: Readonly<Record<SecretId, string>> = {
  stripeSecretKey: 'stripe_secret_key',
  stripeWebhookSecret: 'stripe_webhook_secret',
  jwtAccessTokenSecret: 'jwt_access_token_secret',
};

/** The alarms' notification target and thresholds (contract section 8). */
export interface AlarmSettings {
  /** Set: alarms notify this existing SNS topic instead of one the stack creates. */
  readonly topicArn?: string;
  /** Set: this address is subscribed (by email) to the alarm topic. */
  readonly email?: string;
  /** Signature rejections within 5 minutes at which the alarm fires. */
  readonly signatureRejectionThreshold: number;
  /** The share of API requests answered 5xx, in percent over 5 minutes, that alarms. */
  readonly apiServerErrorRatePercent: number;
}

/** The scheduled reconciliation function (contract section 8). */
export interface ReconciliationSettings {
  /** Minutes between runs; the "has not run" alarm waits two of them. */
  readonly intervalMinutes: number;
  readonly timeoutSeconds: number;
  /**
   * 1 reserves one concurrent execution, so runs never overlap; `false` reserves none,
   * for accounts whose limit leaves nothing to reserve (see `webhookReservedConcurrency`).
   */
  readonly reservedConcurrency: 1 | false;
}

/**
 * The per-user request limit when an environment names none: a request a second on
 * average over a minute, far above what a person's checkout, portal and status checks
 * take, and far below what one token in a loop would ask of Stripe's rate limits.
 */
export const DEFAULT_USER_RATE_LIMIT: UserRequestLimit = { requests: 60, windowSeconds: 60 };

/** Walking a quarter hour of Stripe's events takes seconds; 5 minutes leaves room for a backlog. */
export const DEFAULT_RECONCILE_TIMEOUT_SECONDS = 300;
export const DEFAULT_SIGNATURE_REJECTION_THRESHOLD = 10;
export const DEFAULT_API_SERVER_ERROR_RATE_PERCENT = 5;
/** Lambda's own limit. */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 900;

export interface EnvironmentSettings {
  /** Origins (`scheme://host[:port]`) that checkout and portal redirects may point at. */
  readonly allowedRedirectOrigins: readonly string[];
  readonly logRetentionDays: RetentionDays;
  readonly lambdaMemoryMb: number;
  readonly lambdaTimeoutSeconds: number;
  /** `retain` keeps tables and logs when the stack is deleted. */
  readonly removalPolicy: 'retain' | 'destroy';
  readonly pointInTimeRecovery: boolean;
  readonly deletionProtection: boolean;
  /** The stage default: the throttle of every route without one of its own. */
  readonly apiThrottling: ThrottleSettings;
  /**
   * Routes with a throttle of their own, by route name (`lambda/shared/routes.ts`): the
   * public routes get smaller budgets than the stage default, so a flood on them cannot
   * take the capacity checkout needs.
   */
  readonly routeThrottling: Readonly<Partial<Record<RouteName, ThrottleSettings>>>;
  /**
   * Reserved concurrency of the webhook function: both a floor (the API cannot starve it)
   * and a ceiling (a delivery storm cannot starve the API). `false` reserves none, for
   * accounts whose limit leaves nothing to reserve: Lambda keeps 100 units unreserved, and
   * new accounts may start with a limit of 10.
   */
  readonly webhookReservedConcurrency: number | false;
  /**
   * The per-user request limit of the authenticated routes (contract section 4): at most
   * `requests` per user in each fixed window of `windowSeconds`; `false` for none.
   */
  readonly userRateLimit: UserRequestLimit | false;
  readonly secretsCacheMaxAgeSeconds: number;
  readonly external: ExternalResourceOverrides;
  /** Set: the functions read their secrets from the fields of this one secret. */
  readonly combinedSecret?: CombinedSecretSettings;
  /** Set: access tokens must carry this `iss`. */
  readonly jwtIssuer?: string;
  /** Set: access tokens must carry this `aud`. */
  readonly jwtAudience?: string;
  /** Access tokens living longer (`exp` - `iat`) are refused (default 86,400: a day). */
  readonly jwtMaxLifetimeSeconds: number;
  /**
   * Days a `past_due` subscription keeps access (`data.access` `grace`) after its failed
   * renewal; 0 cuts it at once (default 7, at most 60).
   */
  readonly pastDueGraceDays: number;
  readonly alarms: AlarmSettings;
  readonly reconciliation: ReconciliationSettings;
  /**
   * Set: Stripe's events also come in from the partner event bus of this partner event
   * source (`aws.partner/stripe.com/...`, a Stripe event destination's), through the
   * webhook's pipeline (contract section 4). Unset: nothing of it is created.
   */
  readonly eventBridgeSource?: string;
}

export interface ServiceConfig {
  readonly projectName: string;
  readonly environmentName: EnvironmentName;
  readonly settings: EnvironmentSettings;
}

/** Reads `key` from CDK context; `tryGetContext` is the only thing needed of the app. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/** What deleting the stack does to its data (tables, logs, the API's logs, the alarm topic). */
export const removalPolicyOf = (config: ServiceConfig): RemovalPolicy =>
  config.settings.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
