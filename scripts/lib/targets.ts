import { type Output, parseContextArgs, processOutput, UsageError } from './cli';
import {
  type AwsClients,
  defaultAwsClients,
  deployedTarget,
  loadDeployedConfig,
} from './deployed-target';
import { localTarget } from './local-target';
import type { Target } from './target';

export { localReconcileConfig } from './local-target';

export interface TargetOptions {
  /** A deployed environment (`dev`, `staging`, `prod`); the local stack when absent. */
  readonly env?: string;
  /** `--context key=value`: CDK context given on the command line (wins over cdk.json). */
  readonly context?: Readonly<Record<string, string>>;
  readonly processEnv?: NodeJS.ProcessEnv;
  /** Where cdk.json is (the project root). */
  readonly projectRoot?: string;
  /** The AWS clients for `--env` (tests give stand-ins); the SDK's defaults otherwise. */
  readonly awsClients?: AwsClients;
}

/** The options of every command that acts on a target, for `parseOptions`. */
export const TARGET_OPTIONS = {
  env: { type: 'string' },
  context: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The target a command's parsed `TARGET_OPTIONS` name. */
export function targetOptions(values: {
  readonly env?: string | undefined;
  readonly context?: string[] | undefined;
}): TargetOptions {
  if (values.env?.trim() === '') throw new UsageError('--env takes an environment name.');
  return {
    ...(values.env !== undefined ? { env: values.env } : {}),
    context: parseContextArgs(values.context),
  };
}

/**
 * A command that acts on a target: it parses its arguments, runs against the target they
 * name, and closes the target's clients however it ends. Returns the exit code.
 */
export const targetCommand =
  <A extends TargetOptions>(
    parse: (argv: readonly string[]) => A,
    run: (args: A, target: Target, output: Output) => Promise<number>,
  ) =>
  async (
    argv: readonly string[],
    output: Output = processOutput,
    processEnv: NodeJS.ProcessEnv = process.env,
  ): Promise<number> => {
    const args = parse(argv);
    const target = resolveTarget({ ...args, processEnv });
    try {
      return await run(args, target, output);
    } finally {
      target.close();
    }
  };

/** The local stack without `env`; the deployed environment `env` names otherwise. */
export function resolveTarget(options: TargetOptions): Target {
  const processEnv = options.processEnv ?? process.env;
  return options.env === undefined
    ? localTarget(processEnv, options.context ?? {})
    : deployedTarget(
        loadDeployedConfig(options.env, options.context ?? {}, processEnv, options.projectRoot),
        options.awsClients ?? defaultAwsClients(),
      );
}
