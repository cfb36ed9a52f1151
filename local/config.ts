import { DEFAULT_PROJECT_NAME } from '../lib/config';
import { SECRETS, type SecretId } from '../lambda/shared/secrets';
import { serviceResourceName } from '../lambda/shared/naming';

/** The environment name local resources are named with: `<project>-local-<suffix>`. */
export const LOCAL_ENVIRONMENT_NAME = 'local';

/** Fixed, printed defaults: local secrets protect nothing, and a fixed value is reproducible. */
export const LOCAL_SECRET_DEFAULTS: Readonly<Record<SecretId, string>> = {
  stripeSecretKey: 'sk_test_sandbox',
  stripeWebhookSecret: 'whsec_sandbox',
  jwtAccessTokenSecret: 'local-jwt-secret',
};

export const SECRET_ENV_VARS: Readonly<Record<SecretId, string>> = {
  stripeSecretKey: 'STRIPE_SECRET_KEY',
  stripeWebhookSecret: 'STRIPE_WEBHOOK_SECRET',
  jwtAccessTokenSecret: 'JWT_ACCESS_TOKEN_SECRET',
};

export interface LocalPorts {
  readonly api: number;
  readonly dynamodb: number;
  readonly sns: number;
  readonly stripeSandbox: number;
}

export const DEFAULT_LOCAL_PORTS: LocalPorts = {
  api: 3000,
  dynamodb: 8000,
  sns: 4566,
  stripeSandbox: 12111,
};
export const PORT_ENV_VARS: Readonly<Record<keyof LocalPorts, string>> = {
  api: 'PORT',
  dynamodb: 'DYNAMODB_PORT',
  sns: 'SNS_PORT',
  stripeSandbox: 'STRIPE_SANDBOX_PORT',
};

export interface LocalConfig {
  readonly projectName: string;
  readonly ports: LocalPorts;
  /** Secret values by secret id. */
  readonly secrets: Readonly<Record<SecretId, string>>;
  /** Origins checkout may redirect to locally (the local API itself, and common dev servers). */
  readonly allowedRedirectOrigins: readonly string[];
  /** `sandbox`: the Stripe sandbox runs here; `test-mode`: a real sk_test_ key talks to Stripe. */
  readonly stripe: 'sandbox' | 'test-mode';
}

export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const ports = {
    api: port(env, 'api'),
    dynamodb: port(env, 'dynamodb'),
    sns: port(env, 'sns'),
    stripeSandbox: port(env, 'stripeSandbox'),
  };
  const secrets = Object.fromEntries(
    (Object.keys(SECRETS) as SecretId[]).map((id) => [
      id,
      env[SECRET_ENV_VARS[id]] ?? LOCAL_SECRET_DEFAULTS[id],
    ]),
  ) as Record<SecretId, string>;
  const stripeKey = secrets.stripeSecretKey;
  if (!stripeKey.startsWith('sk_test_') && !stripeKey.startsWith('rk_test_')) {
    // A local run must never move real money.
    throw new Error('STRIPE_SECRET_KEY must be a test-mode key (sk_test_...) for local use.');
  }
  return {
    projectName: env.PROJECT_NAME ?? DEFAULT_PROJECT_NAME,
    stripe: stripeKey === LOCAL_SECRET_DEFAULTS.stripeSecretKey ? 'sandbox' : 'test-mode',
    ports,
    secrets,
    allowedRedirectOrigins: localRedirectOrigins(ports.api),
  };
}

function port(env: NodeJS.ProcessEnv, name: keyof LocalPorts): number {
  const raw = env[PORT_ENV_VARS[name]];
  if (raw === undefined || raw === '') return DEFAULT_LOCAL_PORTS[name];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${PORT_ENV_VARS[name]} must be a port number (got "${raw}").`);
  }
  return value;
}

/** The local API itself (both spellings of the host) and the usual frontend dev server. */
export const localRedirectOrigins = (apiPort: number): string[] => [
  `http://localhost:${apiPort}`,
  `http://127.0.0.1:${apiPort}`,
  'http://localhost:5173',
];

export const localResourceName = (
  config: Pick<LocalConfig, 'projectName'>,
  suffix: string,
): string => serviceResourceName(config.projectName, LOCAL_ENVIRONMENT_NAME, suffix);
