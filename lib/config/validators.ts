import { ConfigurationError } from '../../lambda/core/config';
import { isLocalHost } from '../../lambda/domain/redirect-policy';

/**
 * The small checks settings are read with. Each takes a value and where it came from
 * (`at`, for the message) and returns it typed, or throws a `ConfigurationError` that
 * says what the value must be.
 */

/** A setting's value and where it came from, for error messages. */
export interface Given {
  readonly value: unknown;
  readonly at: string;
}

/** Checks a setting when it is set; `undefined` when it is not. */
export const ifSet = <T>(
  given: Given | undefined,
  check: (value: unknown, at: string) => T,
): T | undefined => (given === undefined ? undefined : check(given.value, given.at));

export function positiveInteger(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`${at} must be a positive integer.`);
  }
  return value;
}

export function boolean(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigurationError(`${at} must be true or false.`);
  return value;
}

export interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/**
 * A number within `range`: a number in `cdk.json`, a string on the command line
 * (`--context reconcileIntervalMinutes=5`).
 */
export function numberInRange(value: unknown, at: string, range: NumberRange): number {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  const kind = range.integer ? 'an integer' : 'a number';
  if (
    !Number.isFinite(number) ||
    (range.integer === true && !Number.isInteger(number)) ||
    number < range.min ||
    number > range.max
  ) {
    throw new ConfigurationError(
      `${at} must be ${kind} from ${range.min} to ${range.max} (got ${JSON.stringify(value)}).`,
    );
  }
  return number;
}

/** A bare origin (`scheme://host[:port]`), https unless the host is a local one. */
export function origin(value: unknown, at: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new ConfigurationError(`${at} is not a URL origin: ${JSON.stringify(value)}.`);
  }
  if (url.origin !== value) {
    throw new ConfigurationError(
      `${at} must be a bare origin like "https://app.example.com" (got ${JSON.stringify(value)}).`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHost(url.hostname))) {
    throw new ConfigurationError(
      `${at} must use https (http is allowed for localhost only): ${value}.`,
    );
  }
  return url.origin;
}

/** An SNS topic ARN; not FIFO: CloudWatch alarm actions publish without a message group. */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export function standardSnsTopicArn(value: unknown, at: string): string {
  if (typeof value !== 'string' || !SNS_TOPIC_ARN.test(value)) {
    throw new ConfigurationError(
      `${at} must be the ARN of a standard (not FIFO) SNS topic, e.g. arn:aws:sns:eu-west-1:111122223333:alarms (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

/** One address; SNS sends it a confirmation link before any alarm. */
const EMAIL_ADDRESS = /^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/;

export function emailAddress(value: unknown, at: string): string {
  if (typeof value !== 'string' || value.length > 254 || !EMAIL_ADDRESS.test(value)) {
    throw new ConfigurationError(`${at} must be one email address (got ${JSON.stringify(value)}).`);
  }
  return value;
}

/** Secrets Manager's secret name alphabet; a name, not an ARN. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export function secretName(value: unknown, at: string): string {
  if (typeof value !== 'string' || !SECRET_NAME.test(value)) {
    throw new ConfigurationError(
      `${at} must be a Secrets Manager secret name (letters, digits and /_+=.@-), got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** A string as given, no spaces around it, at most 1024 characters (an `iss` or `aud`). */
export function tokenClaim(value: unknown, at: string): string {
  if (typeof value !== 'string' || value.trim() !== value || value.length > 1024) {
    throw new ConfigurationError(
      `${at} must be a string without leading or trailing spaces, at most 1024 characters.`,
    );
  }
  return value;
}
