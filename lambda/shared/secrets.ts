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
