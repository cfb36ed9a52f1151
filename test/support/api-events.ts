import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type RouteDefinition, routeKey } from '../../lambda/shared/routes';
import { localContext } from '../../local/http-adapter';

export interface EventOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly pathParameters?: Record<string, string>;
  readonly rawPath?: string;
  /** As API Gateway gives them: repeated names joined with commas. */
  readonly queryStringParameters?: Record<string, string>;
}

/** An HTTP API (payload 2.0) event for `route`, as API Gateway builds it. */
export function apiEvent(
  route: RouteDefinition,
  options: EventOptions = {},
): APIGatewayProxyEventV2 {
  const rawPath = options.rawPath ?? route.path;
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath,
    rawQueryString: new URLSearchParams(options.queryStringParameters ?? {}).toString(),
    ...(options.queryStringParameters && Object.keys(options.queryStringParameters).length > 0
      ? { queryStringParameters: options.queryStringParameters }
      : {}),
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method: route.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'jest',
      },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

/** A Lambda context whose request id the test chooses. */
export const lambdaContext = (requestId = 'lambda-request-id'): Context => ({
  ...localContext('test-function'),
  awsRequestId: requestId,
});
