/** Settings of a valid `dev` environment, as cdk.json gives them, for configuration tests. */
export const devSettings = {
  allowedRedirectOrigins: ['https://app.example.com', 'http://localhost:3000'],
  logRetentionDays: 14,
  lambdaMemoryMb: 512,
  lambdaTimeoutSeconds: 15,
  removalPolicy: 'destroy',
  pointInTimeRecovery: false,
  deletionProtection: false,
  apiThrottling: { rateLimit: 10, burstLimit: 20 },
  secretsCacheMaxAgeSeconds: 300,
  external: {},
};

/** CDK context holding exactly `values`. */
export function context(values: Record<string, unknown>) {
  return { tryGetContext: (key: string): unknown => values[key] };
}

/** Context with `settings` as the only environment, `dev`, and top-level `values`. */
export const withDev = (
  values: Record<string, unknown>,
  settings: Record<string, unknown> = devSettings,
) => context({ environments: { dev: settings }, ...values });
