import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { resourceName, type ServiceConfig } from '../config';

/** The newest Node.js runtime aws-cdk-lib offers; the bundle targets the same version. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;
/** The esbuild target of the function bundles (the runtime's Node.js); the benchmarks use it too. */
export const BUNDLE_TARGET = 'node24';

const PROJECT_ROOT = path.join(__dirname, '..', '..');

export interface ServiceFunctionProps {
  readonly config: ServiceConfig;
  /** The function's name suffix: `<project>-<env>-<nameSuffix>`. */
  readonly functionName: string;
  /** Entry file, relative to the project root. */
  readonly entry: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Concurrency reserved for (and capping) this function; none when absent. */
  readonly reservedConcurrency?: number;
  /** The environment's `lambdaTimeoutSeconds` (sized for API Gateway's 29 s) unless given. */
  readonly timeoutSeconds?: number;
  /**
   * Retries of a failed asynchronous invocation (Lambda's default is 2); only functions
   * invoked asynchronously (the schedule) are affected.
   */
  readonly retryAttempts?: number;
}

/**
 * A Lambda function bundled by the local esbuild (never Docker), with its own log group
 * and a role that holds nothing but what is added with `grant`: no managed policies, so
 * every permission the function has is visible where it is granted.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { settings } = props.config;
    const functionName = resourceName(props.config, props.functionName);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: settings.logRetentionDays,
      removalPolicy:
        settings.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${functionName}`,
    });
    this.grant(['logs:CreateLogStream', 'logs:PutLogEvents'], [this.logGroup.logGroupArn]);

    this.function = new NodejsFunction(this, 'Function', {
      functionName,
      description: props.description,
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: settings.lambdaMemoryMb,
      timeout: Duration.seconds(props.timeoutSeconds ?? settings.lambdaTimeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrency,
      retryAttempts: props.retryAttempts,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'stripe-service',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: BUNDLE_TARGET,
        format: OutputFormat.CJS,
        // Bundle the AWS SDK too: the versions we test against are the ones that run.
        externalModules: [],
        logLevel: LogLevel.ERROR,
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
