import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_ACCESS_POLICY, MAX_PAST_DUE_GRACE_DAYS } from '../../lambda/domain/access';
import { ConfigurationError } from '../../lambda/core/config';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../../lambda/core/auth';
import type { UserRequestLimit } from '../../lambda/domain/request-limit';
import { isRecord } from '../../lambda/shared/json';
import {
  DEFAULT_RECONCILE_INTERVAL_MINUTES,
  MAX_RECONCILE_INTERVAL_MINUTES,
} from '../../lambda/shared/reconciliation-schedule';
import { ROUTES, type RouteName } from '../../lambda/shared/routes';
import {
  isStripePartnerSourceName,
  STRIPE_PARTNER_SOURCE_PREFIX,
} from '../../lambda/stripe-events/event-bridge-pattern';
import { parseCombinedSecret, parseExternal } from './external-settings';
import {
  type AlarmSettings,
  type ContextSource,
  DEFAULT_API_SERVER_ERROR_RATE_PERCENT,
  DEFAULT_PROJECT_NAME,
  DEFAULT_RECONCILE_TIMEOUT_SECONDS,
  DEFAULT_SIGNATURE_REJECTION_THRESHOLD,
  DEFAULT_USER_RATE_LIMIT,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  type EnvironmentSettings,
  MAX_FUNCTION_TIMEOUT_SECONDS,
  type ReconciliationSettings,
  type ServiceConfig,
  type ThrottleSettings,
} from './settings';
import {
  boolean,
  emailAddress,
  type Given,
  ifSet,
  numberInRange,
  type NumberRange,
  origin,
  positiveInteger,
  standardSnsTopicArn,
  tokenClaim,
} from './validators';

/**
 * Reads the configuration of the environment named in context (`--context env=<name>`)
 * from `cdk.json` context, validated setting by setting (`settings.ts` says what each is).
 */
export function loadServiceConfig(
  context: ContextSource,
  processEnv: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const environmentName = context.tryGetContext('env');
  if (!isEnvironmentName(environmentName)) {
    const given =
      environmentName === undefined ? 'no env was given' : `got ${JSON.stringify(environmentName)}`;
    throw new ConfigurationError(
      `Set the target environment with --context env=<name>; valid environments: ${ENVIRONMENT_NAMES.join(', ')} (${given}).`,
    );
  }

  const projectName = readProjectName(
    context.tryGetContext('projectName') ?? processEnv.PROJECT_NAME,
  );
  const environments = context.tryGetContext('environments');
  if (!isRecord(environments) || !isRecord(environments[environmentName])) {
    throw new ConfigurationError(
      `cdk.json context has no "environments.${environmentName}" settings.`,
    );
  }
  const settings = parseSettings(
    environments[environmentName],
    `environments.${environmentName}`,
    context,
  );
  return { projectName, environmentName, settings };
}

function isEnvironmentName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

function readProjectName(value: unknown): string {
  if (value === undefined || value === '') return DEFAULT_PROJECT_NAME;
  // Resource names (tables, secrets, the stack) are built from it, so keep it name-safe.
  if (typeof value !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(value)) {
    throw new ConfigurationError(
      `projectName must be lower-case letters, digits and dashes, starting with a letter (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

/** Reads every setting of one environment, in the order its errors are reported. */
function parseSettings(
  raw: Record<string, unknown>,
  at: string,
  context: ContextSource,
): EnvironmentSettings {
  const setting = (key: string) => deploymentSetting(context, raw, at, key);
  const allowedRedirectOrigins = parseOrigins(
    raw.allowedRedirectOrigins,
    `${at}.allowedRedirectOrigins`,
  );
  const logRetentionDays = parseRetention(raw.logRetentionDays, `${at}.logRetentionDays`);
  const removalPolicy = parseRemovalPolicy(raw.removalPolicy, `${at}.removalPolicy`);
  const external = parseExternal(raw.external ?? {}, `${at}.external`);
  const combinedSecret = parseCombinedSecret(
    setting('combinedSecretName'),
    setting('combinedSecretFields'),
    external,
    `${at}.external`,
  );
  return {
    allowedRedirectOrigins,
    logRetentionDays,
    lambdaMemoryMb: positiveInteger(raw.lambdaMemoryMb, `${at}.lambdaMemoryMb`),
    lambdaTimeoutSeconds: positiveInteger(raw.lambdaTimeoutSeconds, `${at}.lambdaTimeoutSeconds`),
    removalPolicy,
    pointInTimeRecovery: boolean(raw.pointInTimeRecovery, `${at}.pointInTimeRecovery`),
    deletionProtection: boolean(raw.deletionProtection, `${at}.deletionProtection`),
    apiThrottling: parseThrottle(raw.apiThrottling, `${at}.apiThrottling`),
    routeThrottling: parseRouteThrottling(raw.routeThrottling ?? {}, `${at}.routeThrottling`),
    webhookReservedConcurrency: parseReservedConcurrency(
      raw.webhookReservedConcurrency ?? false,
      `${at}.webhookReservedConcurrency`,
    ),
    userRateLimit: parseUserRateLimit(
      raw.userRateLimit ?? DEFAULT_USER_RATE_LIMIT,
      `${at}.userRateLimit`,
    ),
    secretsCacheMaxAgeSeconds: positiveInteger(
      raw.secretsCacheMaxAgeSeconds,
      `${at}.secretsCacheMaxAgeSeconds`,
    ),
    external,
    ...optionalEntry('combinedSecret', combinedSecret),
    ...optionalEntry('jwtIssuer', ifSet(setting('jwtIssuer'), tokenClaim)),
    ...optionalEntry('jwtAudience', ifSet(setting('jwtAudience'), tokenClaim)),
    jwtMaxLifetimeSeconds: numberSetting(
      setting('jwtMaxLifetimeSeconds'),
      DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
      { min: 60, max: MAX_TOKEN_LIFETIME_SECONDS, integer: true },
    ),
    pastDueGraceDays: numberSetting(
      setting('pastDueGraceDays'),
      DEFAULT_ACCESS_POLICY.pastDueGraceDays,
      { min: 0, max: MAX_PAST_DUE_GRACE_DAYS, integer: true },
    ),
    alarms: parseAlarms(setting),
    reconciliation: parseReconciliation(setting),
    ...optionalEntry('eventBridgeSource', ifSet(setting('eventBridgeSource'), partnerSource)),
  };
}

/** A per-deployment setting by key (`deploymentSetting`). */
type SettingReader = (key: string) => Given | undefined;

/**
 * A per-deployment setting: top-level context (the command line's `--context key=value`,
 * or cdk.json's `context`) wins over `environments.<env>.<key>`. An empty string is "not
 * set", as CI systems pass unset variables.
 */
function deploymentSetting(
  context: ContextSource,
  raw: Record<string, unknown>,
  at: string,
  key: string,
): Given | undefined {
  const topLevel = context.tryGetContext(key);
  if (topLevel !== undefined && topLevel !== '') return { value: topLevel, at: `context ${key}` };
  const perEnvironment = raw[key];
  if (perEnvironment !== undefined && perEnvironment !== '') {
    return { value: perEnvironment, at: `${at}.${key}` };
  }
  return undefined;
}

function parseOrigins(value: unknown, at: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigurationError(`${at} must be a non-empty list of origins.`);
  }
  return value.map((each, i) => origin(each, `${at}[${i}]`));
}

const RETENTION_PERIODS: readonly RetentionDays[] = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number',
);

function parseRetention(value: unknown, at: string): RetentionDays {
  const days = positiveInteger(value, at);
  const period = RETENTION_PERIODS.find((each) => each.valueOf() === days);
  if (period === undefined) {
    throw new ConfigurationError(`${at} must be one of CloudWatch's retention periods.`);
  }
  return period;
}

function parseRemovalPolicy(value: unknown, at: string): EnvironmentSettings['removalPolicy'] {
  if (value !== 'retain' && value !== 'destroy') {
    throw new ConfigurationError(`${at} must be "retain" or "destroy".`);
  }
  return value;
}

function parseThrottle(value: unknown, at: string): ThrottleSettings {
  if (!isRecord(value))
    throw new ConfigurationError(`${at} must be an object {rateLimit, burstLimit}.`);
  const unknown = Object.keys(value).filter((key) => key !== 'rateLimit' && key !== 'burstLimit');
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `${at} takes rateLimit and burstLimit only (got ${unknown.join(', ')}).`,
    );
  }
  return {
    rateLimit: positiveInteger(value.rateLimit, `${at}.rateLimit`),
    burstLimit: positiveInteger(value.burstLimit, `${at}.burstLimit`),
  };
}

const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

function parseRouteThrottling(
  value: unknown,
  at: string,
): Partial<Record<RouteName, ThrottleSettings>> {
  if (!isRecord(value))
    throw new ConfigurationError(`${at} must be an object keyed by route name.`);
  const result: Partial<Record<RouteName, ThrottleSettings>> = {};
  for (const [name, throttle] of Object.entries(value)) {
    if (!isRouteName(name)) {
      throw new ConfigurationError(
        `${at}.${name} is not a route; routes: ${ROUTE_NAMES.join(', ')}.`,
      );
    }
    result[name] = parseThrottle(throttle, `${at}.${name}`);
  }
  return result;
}

const isRouteName = (name: string): name is RouteName =>
  (ROUTE_NAMES as readonly string[]).includes(name);

function parseReservedConcurrency(value: unknown, at: string): number | false {
  if (value === false) return false;
  // Zero would be valid for Lambda, and would stop the function entirely.
  if (value === 0) {
    throw new ConfigurationError(`${at} of 0 would stop the function: use false to reserve none.`);
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(`${at} must be a positive integer, or false to reserve none.`);
  }
  return value;
}

/** A day: a longer window would let a caller spend a whole day's requests at once. */
const MAX_USER_RATE_LIMIT_WINDOW_SECONDS = 86_400;

/** `{"requests", "windowSeconds"}`, or `false` for no per-user limit. */
function parseUserRateLimit(value: unknown, at: string): UserRequestLimit | false {
  if (value === false) return false;
  if (!isRecord(value)) {
    throw new ConfigurationError(
      `${at} must be an object {requests, windowSeconds}, or false for no limit.`,
    );
  }
  const unknown = Object.keys(value).filter((key) => key !== 'requests' && key !== 'windowSeconds');
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `${at} takes requests and windowSeconds only (got ${unknown.join(', ')}).`,
    );
  }
  return {
    requests: positiveInteger(value.requests, `${at}.requests`),
    windowSeconds: numberInRange(value.windowSeconds, `${at}.windowSeconds`, {
      min: 1,
      max: MAX_USER_RATE_LIMIT_WINDOW_SECONDS,
      integer: true,
    }),
  };
}

function parseAlarms(setting: SettingReader): AlarmSettings {
  return {
    ...optionalEntry('topicArn', ifSet(setting('alarmTopicArn'), standardSnsTopicArn)),
    ...optionalEntry('email', ifSet(setting('alarmEmail'), emailAddress)),
    signatureRejectionThreshold: numberSetting(
      setting('signatureRejectionAlarmThreshold'),
      DEFAULT_SIGNATURE_REJECTION_THRESHOLD,
      { min: 1, max: 1_000_000, integer: true },
    ),
    apiServerErrorRatePercent: numberSetting(
      setting('apiServerErrorRateAlarmPercent'),
      DEFAULT_API_SERVER_ERROR_RATE_PERCENT,
      { min: 0.1, max: 100 },
    ),
  };
}

function parseReconciliation(setting: SettingReader): ReconciliationSettings {
  return {
    intervalMinutes: numberSetting(
      setting('reconcileIntervalMinutes'),
      DEFAULT_RECONCILE_INTERVAL_MINUTES,
      { min: 1, max: MAX_RECONCILE_INTERVAL_MINUTES, integer: true },
    ),
    timeoutSeconds: numberSetting(
      setting('reconcileTimeoutSeconds'),
      DEFAULT_RECONCILE_TIMEOUT_SECONDS,
      { min: 1, max: MAX_FUNCTION_TIMEOUT_SECONDS, integer: true },
    ),
    reservedConcurrency: ifSet(setting('reconcileReservedConcurrency'), singleRunReservation) ?? 1,
  };
}

/** A year: a longer-lived access token is a credential, not a session. */
const MAX_TOKEN_LIFETIME_SECONDS = 365 * 86_400;

/** A number setting within `range`; `fallback` when unset. */
const numberSetting = (given: Given | undefined, fallback: number, range: NumberRange): number =>
  ifSet(given, (value, at) => numberInRange(value, at, range)) ?? fallback;

/** `1` (the default: runs never overlap) or `false` (reserve nothing). */
function singleRunReservation(value: unknown, at: string): 1 | false {
  if (value === false || value === 'false') return false;
  if (value === 1 || value === '1') return 1;
  throw new ConfigurationError(
    `${at} must be 1 (runs never overlap) or false (reserve none), got ${JSON.stringify(value)}.`,
  );
}

/** A Stripe event destination's partner event source name. */
function partnerSource(value: unknown, at: string): string {
  if (!isStripePartnerSourceName(value)) {
    throw new ConfigurationError(
      `${at} must be the partner event source of a Stripe event destination: ${STRIPE_PARTNER_SOURCE_PREFIX} and a name of letters, digits and _-/. (e.g. ${STRIPE_PARTNER_SOURCE_PREFIX}ed_61Ab...), as Stripe shows it for the destination and EventBridge lists it under Partner event sources (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

const optionalEntry = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);
