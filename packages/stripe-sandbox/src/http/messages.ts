import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseForm } from 'qs';
import { StripeApiError } from './errors';

/** Reading requests and writing answers: the HTTP plumbing every surface shares. */

const MAX_BODY_BYTES = 1024 * 1024;

/** The request body as text; over 1 MiB is Stripe's 413. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new StripeApiError(413, 'invalid_request_error', 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON body, or a form body with Stripe's bracket syntax (`metadata[userId]=...`). */
export function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (text === '') return {};
  if (contentType?.includes('application/json')) {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  return parseForm(text, { depth: 10, arrayLimit: 100, parameterLimit: 1000 });
}

/** A query string with Stripe's bracket syntax (`expand[]=...`, `created[gte]=...`). */
export function parseQuery(url: URL): Record<string, unknown> {
  return parseForm(url.search.slice(1), { depth: 10 });
}

export function sendRaw(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendRaw(response, status, JSON.stringify(body, null, 2));
}

export function sendStripeError(
  response: ServerResponse,
  error: StripeApiError,
  requestId: string,
): void {
  sendJson(response, error.status, error.toBody(requestId));
}

/** A 404 with Stripe's error body: a path nothing serves. */
export function sendNotFound(response: ServerResponse, message: string): void {
  sendJson(response, 404, { error: { type: 'invalid_request_error', message } });
}

export function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
  });
  response.end(html);
}

export function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, 'content-length': 0 });
  response.end();
}
