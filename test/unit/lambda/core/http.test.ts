import { HttpError } from '../../../../lambda/core/errors';
import { thrownHttpError } from '../../../support/http-errors';
import {
  errorResponse,
  getHeader,
  jsonResponse,
  parseJsonObject,
  rawBody,
} from '../../../../lambda/core/http';
import { ROUTES } from '../../../../lambda/shared/routes';
import { apiEvent } from '../../../support/api-events';

const post = (
  body: string | undefined,
  headers: Record<string, string> = {},
  isBase64Encoded = false,
) =>
  apiEvent(ROUTES.createCheckoutSession, {
    headers,
    isBase64Encoded,
    ...(body !== undefined ? { body } : {}),
  });

describe('parseJsonObject', () => {
  it('parses a JSON object body', () => {
    expect(
      parseJsonObject(post('{"priceId":"p1"}', { 'Content-Type': 'application/json' })),
    ).toEqual({
      priceId: 'p1',
    });
  });

  it('decodes a base64-encoded body first', () => {
    const body = Buffer.from('{"quantity":2}').toString('base64');
    expect(parseJsonObject(post(body, {}, true))).toEqual({ quantity: 2 });
  });

  it('accepts a JSON media type with parameters or a +json suffix', () => {
    expect(
      parseJsonObject(post('{}', { 'content-type': 'application/json; charset=utf-8' })),
    ).toEqual({});
    expect(parseJsonObject(post('{}', { 'content-type': 'application/vnd.api+json' }))).toEqual({});
  });

  it.each([
    ['malformed JSON', '{"priceId":', 'invalid_json'],
    ['an array', '[1,2]', 'invalid_json'],
    ['a string', '"hello"', 'invalid_json'],
    ['null', 'null', 'invalid_json'],
    ['an empty body', '', 'invalid_json'],
  ])('rejects %s with 400', (_name, body, code) => {
    const error = thrownHttpError(() => parseJsonObject(post(body)));
    expect(error.status).toBe(400);
    expect(error.code).toBe(code);
  });

  it('rejects a missing body with 400', () => {
    expect(thrownHttpError(() => parseJsonObject(post(undefined))).status).toBe(400);
  });

  it('rejects bytes that are not UTF-8 with 400', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64');
    expect(thrownHttpError(() => parseJsonObject(post(body, {}, true))).code).toBe('invalid_json');
  });

  it('rejects a body over the limit with 413 before parsing it', () => {
    const body = JSON.stringify({ pad: 'x'.repeat(200) });
    const error = thrownHttpError(() => parseJsonObject(post(body), 100));
    expect(error.status).toBe(413);
    expect(error.code).toBe('payload_too_large');
  });

  it('counts the limit in bytes, not characters', () => {
    const body = JSON.stringify({ name: 'é'.repeat(40) }); // 80 bytes of é, 53 characters
    expect(body.length).toBeLessThan(64);
    expect(thrownHttpError(() => parseJsonObject(post(body), 64)).status).toBe(413);
  });

  it('rejects a non-JSON content type with 415', () => {
    const error = thrownHttpError(() =>
      parseJsonObject(post('priceId=p1', { 'content-type': 'application/x-www-form-urlencoded' })),
    );
    expect(error.status).toBe(415);
    expect(error.code).toBe('unsupported_media_type');
  });
});

describe('rawBody', () => {
  it('returns the exact bytes, decoding base64 but never re-serialising', () => {
    const original = '{ "id" : "evt_1",\n  "spaced":  true }';
    expect(rawBody(post(original), 1024).toString('utf8')).toBe(original);
    const encoded = Buffer.from(original).toString('base64');
    expect(rawBody(post(encoded, {}, true), 1024).toString('utf8')).toBe(original);
  });
});

describe('getHeader', () => {
  it('finds a header whatever the case of its name', () => {
    const event = post('{}', { 'STRIPE-signature': 't=1,v1=abc' });
    expect(getHeader(event, 'Stripe-Signature')).toBe('t=1,v1=abc');
    expect(getHeader(event, 'authorization')).toBeUndefined();
  });
});

describe('responses', () => {
  it('renders the contract error body with the status', () => {
    const response = errorResponse(new HttpError(404, 'price_not_found', 'No such price.'));
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'price_not_found', message: 'No such price.' },
    });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('marks JSON responses uncacheable unless told otherwise', () => {
    expect(jsonResponse(200, {}).headers['cache-control']).toBe('no-store');
    expect(
      jsonResponse(200, {}, { 'cache-control': 'public, max-age=60' }).headers['cache-control'],
    ).toBe('public, max-age=60');
  });
});
