import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type RouteMatch, routeKey } from '../lambda/shared/routes';

/** API Gateway's own payload limit; anything larger never reaches a function. */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(
  request: IncomingMessage,
  maxBytes = API_GATEWAY_MAX_BODY_BYTES,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw new BodyTooLargeError(`Body over ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** API Gateway passes textual bodies as strings and base64-encodes everything else. */
function isTextual(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  return /^(text\/|application\/([\w.+-]+\+)?(json|xml|x-www-form-urlencoded|javascript))/i.test(
    contentType,
  );
}

/** The HTTP API (payload format 2.0) event for a request, as API Gateway builds it. */
export function toApiGatewayEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  match: RouteMatch,
): APIGatewayProxyEventV2 {
  const { headers, cookies } = headersAndCookies(request);
  const now = new Date();
  const key = routeKey(match.route);
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: queryStringParameters(url) } : {}),
    ...(Object.keys(match.pathParameters).length > 0
      ? { pathParameters: match.pathParameters }
      : {}),
    ...bodyFields(body, headers['content-type']),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: match.route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** Headers by lower-case name (repeated ones joined by commas), the cookies on their own. */
function headersAndCookies(request: IncomingMessage): {
  headers: Record<string, string | undefined>;
  cookies: string[] | undefined;
} {
  const headers: Record<string, string | undefined> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies = [value].flat().flatMap((c) => c.split(';').map((part) => part.trim()));
      continue;
    }
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  return { headers, cookies };
}

/** The query's parameters, a repeated one's values joined by commas. */
function queryStringParameters(url: URL): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    parameters[key] = key in parameters ? `${parameters[key] ?? ''},${value}` : value;
  }
  return parameters;
}

/**
 * The body as text, or base64 when it is not textual; none when empty. A "textual" body
 * that is not valid UTF-8 goes as base64 too: decoding it would replace the bad bytes with
 * U+FFFD, and the handler must see the raw bytes exactly as sent (a signature is over them).
 */
function bodyFields(
  body: Buffer,
  contentType: string | undefined,
): Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'> {
  if (body.length === 0) return { isBase64Encoded: false };
  const textual = isTextual(contentType) && isUtf8(body);
  return {
    body: textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !textual,
  };
}

/** A Lambda context for one local invocation. */
export function localContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    /* eslint-disable @typescript-eslint/no-deprecated -- Context still declares the legacy callbacks */
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    /* eslint-enable @typescript-eslint/no-deprecated */
  };
}

/** Writes a function's result as API Gateway would. */
export function writeResult(
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, {
    ...headers,
    'content-length': String(body.length),
  });
  response.end(body);
}

/** Writes a JSON body (the local-only routes and the adapter's own errors). */
export function writeJson(response: ServerResponse, status: number, body: unknown): void {
  writeResult(response, {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  });
}
