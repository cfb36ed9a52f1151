import { ConfigurationError } from '../../lambda/core/config';
import { isRecord } from '../../lambda/shared/json';
import { SECRETS, type SecretId } from '../../lambda/shared/secrets';
import {
  type CombinedSecretSettings,
  DEFAULT_COMBINED_SECRET_FIELDS,
  type ExternalResourceOverrides,
} from './settings';
import { type Given, secretName } from './validators';

/**
 * Reading the names of what other teams and operators own: the per-resource overrides
 * (`environments.<env>.external`) and the one combined secret (`combinedSecretName`,
 * `combinedSecretFields`) that replaces the three secrets. `lib/external-resource-names.ts`
 * resolves them into names.
 */

const EXTERNAL_KEYS = [
  'productsTableName',
  'pricesTableName',
  'billingEventsTopicArn',
  'billingEventsTopicName',
  'stripeSecretKeySecretName',
  'stripeWebhookSecretName',
  'jwtAccessTokenSecretName',
] as const satisfies readonly (keyof ExternalResourceOverrides)[];

export function parseExternal(value: unknown, at: string): ExternalResourceOverrides {
  if (!isRecord(value)) throw new ConfigurationError(`${at} must be an object.`);
  const result: Partial<Record<keyof ExternalResourceOverrides, string>> = {};
  for (const key of Object.keys(value)) {
    if (!(EXTERNAL_KEYS as readonly string[]).includes(key)) {
      throw new ConfigurationError(
        `${at}.${key} is not a known override; known: ${EXTERNAL_KEYS.join(', ')}.`,
      );
    }
    const name = value[key];
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ConfigurationError(`${at}.${key} must be a non-empty string.`);
    }
    result[key as keyof ExternalResourceOverrides] = name;
  }
  if (
    result.billingEventsTopicArn !== undefined &&
    !result.billingEventsTopicArn.startsWith('arn:')
  ) {
    throw new ConfigurationError(`${at}.billingEventsTopicArn must be an SNS topic ARN.`);
  }
  return result;
}

/** The three per-secret name overrides the combined secret replaces. */
const SEPARATE_SECRET_OVERRIDES = [
  'stripeSecretKeySecretName',
  'stripeWebhookSecretName',
  'jwtAccessTokenSecretName',
] as const satisfies readonly (keyof ExternalResourceOverrides)[];

const SECRET_IDS = Object.keys(SECRETS) as SecretId[];

/**
 * The combined secret, when named. `external` (read at `externalAt`) may then name none of
 * the three secrets it replaces: such a name would be ignored.
 */
export function parseCombinedSecret(
  name: Given | undefined,
  fields: Given | undefined,
  external: ExternalResourceOverrides,
  externalAt: string,
): CombinedSecretSettings | undefined {
  if (name === undefined) {
    if (fields !== undefined) {
      throw new ConfigurationError(`${fields.at} is set but combinedSecretName is not: set both.`);
    }
    return undefined;
  }
  const combined = {
    secretName: secretName(name.value, name.at),
    fields: combinedSecretFields(fields),
  };
  const conflicting = SEPARATE_SECRET_OVERRIDES.filter((key) => key in external);
  if (conflicting.length > 0) {
    throw new ConfigurationError(
      `combinedSecretName replaces the three secrets, so ${conflicting.map((key) => `${externalAt}.${key}`).join(', ')} would be ignored: remove one or the other.`,
    );
  }
  return combined;
}

/** The field of each value: the defaults, with those `combinedSecretFields` renames. */
function combinedSecretFields(given: Given | undefined): Record<SecretId, string> {
  if (given === undefined) return { ...DEFAULT_COMBINED_SECRET_FIELDS };
  const { at } = given;
  let value = given.value;
  // The command line gives context values as strings: `--context combinedSecretFields='{...}'`.
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new ConfigurationError(`${at} must be a JSON object, e.g. {"stripeSecretKey": "..."}.`);
    }
  }
  if (!isRecord(value)) {
    throw new ConfigurationError(`${at} must be an object with keys ${SECRET_IDS.join(', ')}.`);
  }
  const renamed: Partial<Record<SecretId, string>> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!(SECRET_IDS as readonly string[]).includes(key)) {
      throw new ConfigurationError(
        `${at}.${key} is not a known secret; known: ${SECRET_IDS.join(', ')}.`,
      );
    }
    // The function trims what it reads, so a padded field name could never match.
    if (typeof field !== 'string' || field.trim() === '' || field.trim() !== field) {
      throw new ConfigurationError(`${at}.${key} must be a non-empty field name without padding.`);
    }
    renamed[key as SecretId] = field;
  }
  const chosen = { ...DEFAULT_COMBINED_SECRET_FIELDS, ...renamed };
  if (new Set(Object.values(chosen)).size !== SECRET_IDS.length) {
    // One field for two values (say the API key and the JWT secret) is a typo, never a plan.
    throw new ConfigurationError(
      `${at} must name a different field for each secret (got ${JSON.stringify(chosen)}).`,
    );
  }
  return chosen;
}
