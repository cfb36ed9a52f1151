import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnRoute,
  CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  ALL_ROUTES,
  type FunctionId,
  ROUTES,
  type RouteAuth,
  type RouteName,
  routeKey,
} from '../../lambda/shared/routes';
import {
  type EnvironmentSettings,
  resourceName,
  type ServiceConfig,
  type ThrottleSettings,
} from '../config';
import { serviceLogGroup } from './service-log-group';

export interface ServiceApiProps {
  readonly config: ServiceConfig;
  readonly functions: Readonly<Record<FunctionId, IFunction>>;
}

/**
 * One JSON object per access log line. The request id ties a line to the
 * function's own log; no header, body or query string is logged (they carry tokens).
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
  }),
);

/**
 * Why no route has an API Gateway authorizer. HTTP API JWT authorizers only verify
 * asymmetric tokens against an OIDC issuer's JWKS; the platform's access tokens are HS256
 * with a shared secret, so the function verifies them (jose) before doing anything.
 */
const ROUTE_AUTHORIZATION: Record<RouteAuth, string> = {
  jwt: 'The function verifies the HS256 access token (jose): API Gateway JWT authorizers support only OIDC/JWKS issuers.',
  public: 'Public by contract: the active price list is what a storefront shows to anyone.',
  'stripe-signature':
    'Stripe cannot send a bearer token; the function verifies the Stripe-Signature HMAC over the raw body.',
};

/** The API's name suffix: `<project>-<env>-stripe-api`, its access log group named after it. */
const API_NAME_SUFFIX = 'stripe-api';

/** API Gateway's form of a throttle in stage and route settings. */
const throttleSettings = (throttle: ThrottleSettings) => ({
  ThrottlingRateLimit: throttle.rateLimit,
  ThrottlingBurstLimit: throttle.burstLimit,
});

/**
 * The HTTP API (v2): every route of the contract, throttling (a stage default and the
 * environment's per-route limits) and JSON access logs.
 */
export class ServiceApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;
  /** The API's base URL, without a trailing slash. */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    const { config } = props;
    this.httpApi = this.createHttpApi(config);
    this.accessLogGroup = this.createAccessLogGroup(config);
    this.stage = this.createStage(config.settings);
    this.addRoutes(props.functions);
    this.throttleRoutes(config.settings.routeThrottling);
    this.baseUrl = this.httpApi.apiEndpoint;
    this.outputUrls();
  }

  private createHttpApi(config: ServiceConfig): HttpApi {
    return new HttpApi(this, 'HttpApi', {
      apiName: resourceName(config, API_NAME_SUFFIX),
      description: 'Stripe service: checkout, portal, prices and Stripe webhooks',
      createDefaultStage: false,
      // The frontends that call the API are the same origins that checkout returns to.
      corsPreflight: {
        allowOrigins: [...config.settings.allowedRedirectOrigins],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type'],
        // A frontend's script can read how long to wait after a 429 rate_limited or a 503
        // stripe_rate_limited only if the header is exposed to it.
        exposeHeaders: ['retry-after'],
        maxAge: Duration.hours(1),
      },
    });
  }

  private createAccessLogGroup(config: ServiceConfig): LogGroup {
    const logGroupName = `/aws/apigateway/${resourceName(config, API_NAME_SUFFIX)}/access`;
    return serviceLogGroup(this, 'AccessLogs', config, logGroupName);
  }

  /** The `$default` stage: the stage-wide throttle and the access log. */
  private createStage(settings: EnvironmentSettings): HttpStage {
    return new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: settings.apiThrottling.rateLimit,
        burstLimit: settings.apiThrottling.burstLimit,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });
  }

  /** Every route of the contract, to its function, each saying why it has no authorizer. */
  private addRoutes(functions: ServiceApiProps['functions']): void {
    const integrations: Record<FunctionId, HttpLambdaIntegration> = {
      api: new HttpLambdaIntegration('ApiIntegration', functions.api),
      webhook: new HttpLambdaIntegration('WebhookIntegration', functions.webhook),
    };
    for (const route of ALL_ROUTES) {
      // One method per route definition, so one HttpRoute each.
      for (const httpRoute of this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.function],
      })) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: ROUTE_AUTHORIZATION[route.auth],
        });
        // API Gateway rejects route settings for a route that does not exist yet ("Unable
        // to find Route by key"), so the stage is created after every route.
        this.cfnStage().addResourceDependency(httpRoute.node.defaultChild as CfnRoute);
      }
    }
  }

  /**
   * Per-route throttles, which the L2 stage does not offer. Each replaces the stage
   * default for its route; the public routes get smaller ones so that a flood on them
   * cannot take the function concurrency checkout needs (they share the api function).
   */
  private throttleRoutes(routeThrottling: EnvironmentSettings['routeThrottling']): void {
    const routeThrottles = Object.entries(routeThrottling) as [RouteName, ThrottleSettings][];
    if (routeThrottles.length > 0) {
      this.cfnStage().routeSettings = Object.fromEntries(
        routeThrottles.map(([name, throttle]) => [
          routeKey(ROUTES[name]),
          throttleSettings(throttle),
        ]),
      );
    }
  }

  private outputUrls(): void {
    new CfnOutput(this, 'ApiUrl', {
      key: 'ApiUrl',
      description: 'Base URL of the Stripe service API',
      value: this.baseUrl,
    });
    new CfnOutput(this, 'WebhookUrl', {
      key: 'WebhookUrl',
      description: 'Register this URL as the webhook endpoint in Stripe',
      value: `${this.baseUrl}${ROUTES.stripeWebhook.path}`,
    });
  }

  private cfnStage(): CfnStage {
    return this.stage.node.defaultChild as CfnStage;
  }
}
