import * as path from 'node:path';
import { DEFAULT_PROJECT_NAME, DEFAULT_USER_RATE_LIMIT } from '../lib/config';
import type { UserRequestLimit } from '../lambda/domain/request-limit';
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
  /**
   * `sandbox`: the Stripe sandbox runs here (the key is the sandbox's default); `test-mode`:
   * any other sk_test_ / rk_test_ key, which talks to real Stripe (api.stripe.com).
   */
  readonly stripe: 'sandbox' | 'test-mode';
  /**
   * Where DynamoDB Local keeps its data across restarts (an absolute path); undefined keeps
   * it in memory, gone when it stops.
   */
  readonly dataDir?: string;
  /**
   * `false` lifts the sandbox's Stripe rate limits (on otherwise, as at Stripe). The test
   * stack lifts them for the tests that set up many objects at once; the rate-limit tests
   * set them (`POST /_sandbox/rate-limits`).
   */
  readonly stripeRateLimits?: false;
  /**
   * The per-user request limit of the authenticated routes (`false`: none). `npm start`
   * keeps the deployed default; the test stack turns it off for the tests that set things
   * up faster than a person would, and the limit's own tests set a small one.
   */
  readonly userRateLimit: UserRequestLimit | false;
}

/** `--data-dir <dir>` (or `--data-dir=<dir>`) on the command line; this variable otherwise. */
export const DATA_DIR_OPTION = '--data-dir';
const DATA_DIR_ENV_VAR = 'LOCAL_DATA_DIR';

const LOCAL_USAGE = `Usage: npm start [-- ${DATA_DIR_OPTION} <dir>]
  ${DATA_DIR_OPTION} <dir>   keep DynamoDB Local's data in <dir> across restarts (or set ${DATA_DIR_ENV_VAR});
                     without it the data is in memory and gone when npm start stops`;

/**
 * The local run's configuration, from the environment and the command line's arguments
 * (`process.argv.slice(2)`); relative paths are resolved against `cwd`.
 */
export function loadLocalConfig(
  env: NodeJS.ProcessEnv = process.env,
  args: readonly string[] = [],
  cwd: string = process.cwd(),
): LocalConfig {
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
    // A local run must never move real money: a live key is refused before anything starts.
    const live = /^(sk|rk)_live_/.test(stripeKey) ? ' It is a live-mode key: refused.' : '';
    throw new Error(
      `${SECRET_ENV_VARS.stripeSecretKey} must be a Stripe test-mode key (sk_test_... or rk_test_...) for local use.${live} ` +
        `Unset it to use the local Stripe sandbox.`,
    );
  }
  const dataDirVar = env[DATA_DIR_ENV_VAR];
  const dataDir = parseDataDir(args) ?? (dataDirVar === '' ? undefined : dataDirVar);
  return {
    projectName: env.PROJECT_NAME ?? DEFAULT_PROJECT_NAME,
    stripe: stripeKey === LOCAL_SECRET_DEFAULTS.stripeSecretKey ? 'sandbox' : 'test-mode',
    ports,
    secrets,
    allowedRedirectOrigins: localRedirectOrigins(ports.api),
    userRateLimit: DEFAULT_USER_RATE_LIMIT,
    ...(dataDir === undefined ? {} : { dataDir: path.resolve(cwd, dataDir) }),
  };
}

/** The data directory named on the command line; anything else there is refused. */
function parseDataDir(args: readonly string[]): string | undefined {
  let dataDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    let value: string | undefined;
    if (arg === DATA_DIR_OPTION) value = args[++i];
    else if (arg.startsWith(`${DATA_DIR_OPTION}=`)) value = arg.slice(DATA_DIR_OPTION.length + 1);
    else throw new Error(`Unknown argument "${arg}".\n${LOCAL_USAGE}`);
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new Error(`${DATA_DIR_OPTION} needs a directory.\n${LOCAL_USAGE}`);
    }
    dataDir = value;
  }
  return dataDir;
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

/** The local stack's own name, as `stackName` names a deployed one (`<project>-local-stripe-service`). */
export const localStackName = (config: Pick<LocalConfig, 'projectName'>): string =>
  localResourceName(config, 'stripe-service');
