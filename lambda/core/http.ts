import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type ErrorBody,
  HttpError,
  invalidRequest,
  payloadTooLarge,
  unsupportedMediaType,
} from './errors';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/** Default limit of a JSON request body; the frontend's requests are a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'x-content-type-options': 'nosniff',
} as const;

/** A header's value, whatever case the client (or API Gateway) gave its name. */
export function getHeader(
  event: Pick<APIGatewayProxyEventV2, 'headers'>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * The body's bytes exactly as the client sent them: API Gateway base64-encodes bodies it
 * treats as binary, and a signature is computed over the original bytes, so decode but
 * never re-serialise.
 */
export function rawBody(event: APIGatewayProxyEventV2, maxBytes: number): Buffer {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > maxBytes) throw payloadTooLarge(maxBytes);
  return bytes;
}

/**
 * Parses a JSON object body: the size limit first (so nothing large is parsed), then the
 * media type, then the syntax. Anything else is the caller's mistake, a 4xx.
 */
export function parseJsonObject(
  event: APIGatewayProxyEventV2,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): Record<string, unknown> {
  const bytes = rawBody(event, maxBytes);
  const contentType = getHeader(event, 'content-type');
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    throw unsupportedMediaType(contentType);
  }
  if (bytes.length === 0)
    throw invalidRequest('The request body is empty; send a JSON object.', 'invalid_json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalidRequest('The request body is not valid JSON.', 'invalid_json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('The request body must be a JSON object.', 'invalid_json');
  }
  return parsed as Record<string, unknown>;
}

function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType);
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: HttpError): HttpResponse {
  const body: ErrorBody = error.toBody();
  return jsonResponse(error.status, body, error.headers);
}
