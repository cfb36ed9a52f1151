/**
 * The secrets operators create, by name suffix: `<project>-<env>-<suffix>`. Their values
 * never reach the template, the environment or the logs; functions get the names only.
 */
export const SECRETS = {
  stripeSecretKey: { nameSuffix: 'stripe-secret-key' },
  stripeWebhookSecret: { nameSuffix: 'stripe-webhook-secret' },
  jwtAccessTokenSecret: { nameSuffix: 'jwt-access-token-secret' },
} as const;

export type SecretId = keyof typeof SECRETS;

/**
 * Where one secret value lives: a secret of its own (plain string or `{"key": ...}`), or a
 * field of one combined JSON secret (contract section 3, `combinedSecretName`).
 */
export interface SecretRef {
  readonly name: string;
  /** The field of a combined JSON secret; absent for a secret of its own. */
  readonly field?: string;
}
