import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { toApiGatewayEvent } from '../../../local/http-adapter';
import { ALL_ROUTES, matchRoute, ROUTES } from '../../../lambda/shared/routes';

function request(headers: Record<string, string | string[]>): IncomingMessage {
  const message = Readable.from([]) as unknown as IncomingMessage;
  Object.assign(message, { headers, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' } });
  return message;
}

describe('matchRoute', () => {
  it('matches a contract route by method and path', () => {
    expect(matchRoute(ALL_ROUTES, 'GET', '/stripe/prices')).toEqual({
      route: ROUTES.listPrices,
      pathParameters: {},
    });
    expect(matchRoute(ALL_ROUTES, 'POST', '/stripe/prices')).toBeUndefined();
    expect(matchRoute(ALL_ROUTES, 'GET', '/stripe/prices/extra')).toBeUndefined();
  });

  it('extracts and decodes path parameters', () => {
    expect(matchRoute(ALL_ROUTES, 'GET', '/stripe/checkout-sessions/cs_test%5F1')).toEqual({
      route: ROUTES.getCheckoutSession,
      pathParameters: { id: 'cs_test_1' },
    });
    expect(matchRoute(ALL_ROUTES, 'GET', '/stripe/checkout-sessions/')).toBeUndefined();
    expect(matchRoute(ALL_ROUTES, 'GET', '/stripe/checkout-sessions/a/b')).toBeUndefined();
  });

  it('matches any table of routes: the local helpers too', () => {
    const helpers = [{ method: 'GET', path: '/_local/token', name: 'token' }] as const;
    expect(matchRoute(helpers, 'GET', '/_local/token')?.route.name).toBe('token');
    expect(matchRoute(helpers, 'GET', '/_local/token/')).toBeUndefined();
  });
});

describe('toApiGatewayEvent', () => {
  const url = new URL('http://localhost:3000/stripe/checkout-sessions/cs_1?a=1&a=2&b=x');
  const match = matchRoute(ALL_ROUTES, 'GET', url.pathname);
  if (!match) throw new Error('route should match');

  it('builds a payload 2.0 event with lower-case headers, cookies, query and path parameters', () => {
    const event = toApiGatewayEvent(
      request({ Authorization: 'Bearer t', 'X-Multi': ['1', '2'], cookie: 'a=1; b=2' }),
      url,
      Buffer.alloc(0),
      match,
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /stripe/checkout-sessions/{id}',
      rawPath: '/stripe/checkout-sessions/cs_1',
      rawQueryString: 'a=1&a=2&b=x',
      headers: { authorization: 'Bearer t', 'x-multi': '1,2' },
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { a: '1,2', b: 'x' },
      pathParameters: { id: 'cs_1' },
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/stripe/checkout-sessions/cs_1' },
        stage: '$default',
      },
    });
    expect(event.body).toBeUndefined();
  });

  it('passes JSON bodies as text and base64-encodes binary ones, as API Gateway does', () => {
    const json = toApiGatewayEvent(
      request({ 'content-type': 'application/json' }),
      url,
      Buffer.from('{"a":1}'),
      match,
    );
    expect([json.body, json.isBase64Encoded]).toEqual(['{"a":1}', false]);
    const bytes = Buffer.from([0, 1, 2, 255]);
    const binary = toApiGatewayEvent(
      request({ 'content-type': 'application/octet-stream' }),
      url,
      bytes,
      match,
    );
    expect([binary.body, binary.isBase64Encoded]).toEqual([bytes.toString('base64'), true]);
  });

  it('passes a JSON body that is not valid UTF-8 as base64, so the handler sees every byte as sent', () => {
    // `{"a":"` 0xff 0xfe `"}`: decoded as UTF-8 the two bytes would become U+FFFD twice,
    // and a signature over the raw bytes would no longer match.
    const bytes = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const event = toApiGatewayEvent(
      request({ 'content-type': 'application/json' }),
      url,
      bytes,
      match,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').equals(bytes)).toBe(true);
  });
});
