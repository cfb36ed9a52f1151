import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleCacheDir, bundleFunctionSyncCached } from '../bundle-cache';
import { bundleFunctionSync } from '../bundling';
import type { FunctionEnvironment } from '../../lambda/shared/function-environment';
import { resourceName, type ServiceConfig } from '../config';
import { serviceLogGroup } from './service-log-group';

/** The newest Node.js runtime aws-cdk-lib offers; the bundle targets the same version (`BUNDLE_TARGET`). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

const PROJECT_ROOT = path.join(__dirname, '..', '..');

export interface ServiceFunctionProps {
  readonly config: ServiceConfig;
  /** The function's name suffix: `<project>-<env>-<nameSuffix>`. */
  readonly functionName: string;
  /** Entry file, relative to the project root. */
  readonly entry: string;
  readonly description: string;
  readonly environment: FunctionEnvironment;
  /** Concurrency reserved for (and capping) this function; none when absent or `false`. */
  readonly reservedConcurrency?: number | false;
  /** The environment's `lambdaTimeoutSeconds` (sized for API Gateway's 29 s) unless given. */
  readonly timeoutSeconds?: number;
  /**
   * Retries of a failed asynchronous invocation (Lambda's default is 2); only functions
   * invoked asynchronously (the schedule) are affected.
   */
  readonly retryAttempts?: number;
}

/**
 * CDK's local bundling step: the function's entry through `lib/bundling.ts` (the same
 * build `npm run bench` measures). It bundles or throws, so CDK never falls back to Docker.
 * `entry` is a field, not only an argument: CDK keys its asset cache on the bundling
 * options, and two functions must never share one bundle. The tests' synthesis goes
 * through the bundle cache (`lib/bundle-cache.ts`), a deploy never.
 */
class LocalEsbuild implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    const cacheDir = bundleCacheDir();
    if (cacheDir === undefined) bundleFunctionSync({ entry: this.entry }, outputDir);
    else bundleFunctionSyncCached(this.entry, outputDir, cacheDir);
    return true;
  }
}

/**
 * A Lambda function bundled by the local esbuild (never Docker), with its own log group
 * and a role that holds nothing but what is added with `grant`: no managed policies, so
 * every permission the function has is visible where it is granted.
 */
export class ServiceFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** `<project>-<env>-<functionName>`, known at synthesis (`function.functionName` is a token). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { settings } = props.config;
    const functionName = resourceName(props.config, props.functionName);
    this.name = functionName;

    this.logGroup = serviceLogGroup(this, 'LogGroup', props.config, `/aws/lambda/${functionName}`);

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${functionName}`,
    });
    this.grant(['logs:CreateLogStream', 'logs:PutLogEvents'], [this.logGroup.logGroupArn]);

    this.function = new LambdaFunction(this, 'Function', {
      functionName,
      description: props.description,
      code: Code.fromAsset(PROJECT_ROOT, {
        // The hash of what was built: an unchanged bundle is not deployed again.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never pulled nor run: the local bundling above either bundles or fails.
          image: DockerImage.fromRegistry('local-esbuild-only'),
          local: new LocalEsbuild(path.join(PROJECT_ROOT, props.entry)),
        },
      }),
      // `index.mjs`, the bundle's entry (BUNDLE_ENTRY_FILE).
      handler: 'index.handler',
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: settings.lambdaMemoryMb,
      timeout: Duration.seconds(props.timeoutSeconds ?? settings.lambdaTimeoutSeconds),
      reservedConcurrentExecutions:
        props.reservedConcurrency === false ? undefined : props.reservedConcurrency,
      retryAttempts: props.retryAttempts,
      role: this.role,
      logGroup: this.logGroup,
      // No NODE_OPTIONS=--enable-source-maps: the maps ship, unapplied (lib/bundling.ts says why).
      environment: {
        POWERTOOLS_SERVICE_NAME: 'stripe-service',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    });
  }

  /**
   * Allows exactly `actions` on exactly `resources` (each once: with a combined secret
   * several names are one ARN), when `conditions` hold.
   */
  grant(actions: string[], resources: string[], conditions?: Record<string, unknown>): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions,
        resources: [...new Set(resources)],
        ...(conditions ? { conditions } : {}),
      }),
    );
  }
}
