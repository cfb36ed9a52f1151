import { Logger } from '@aws-lambda-powertools/logger';
import { JwtAuthenticator } from '../../../../lambda/core/auth';
import { conflict } from '../../../../lambda/core/errors';
import { jsonResponse } from '../../../../lambda/core/http';
import { createHttpHandler, type RouteHandlers } from '../../../../lambda/core/http-handler';
import { ROUTES } from '../../../../lambda/shared/routes';
import { apiEvent, lambdaContext } from '../../../support/api-events';
import { signAccessToken } from '../../../support/tokens';

const SECRET = 'handler-test-secret-0123456789';

function setup(routes: RouteHandlers) {
  const lines: string[] = [];
  const logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  const handler = createHttpHandler({
    logger,
    routes,
    authenticator: new JwtAuthenticator(() => Promise.resolve(SECRET)),
  });
  const logs = () =>
    lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    handler,
    logs,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

const body = (response: { body: string }) => JSON.parse(response.body) as unknown;

describe('createHttpHandler', () => {
  it('dispatches by route key to the route handler', async () => {
    const { handler, restore } = setup({
      listPrices: () => Promise.resolve(jsonResponse(200, { prices: [] })),
    });
    const response = await handler(apiEvent(ROUTES.listPrices), lambdaContext());
    restore();
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({ prices: [] });
  });

  it('answers an unknown route with the contract error body', async () => {
    const { handler, restore } = setup({});
    const event = { ...apiEvent(ROUTES.listPrices), routeKey: 'DELETE /stripe/prices' };
    const response = await handler(event, lambdaContext());
    restore();
    expect(response.statusCode).toBe(404);
    expect(body(response)).toMatchObject({ error: { code: 'route_not_found' } });
  });

  it('authenticates a jwt route before its handler runs, and passes the user', async () => {
    const seen: string[] = [];
    const { handler, restore } = setup({
      createPortalSession: ({ user }) => {
        seen.push(user.userId);
        return Promise.resolve(jsonResponse(200, { url: 'x' }));
      },
    });
    const denied = await handler(apiEvent(ROUTES.createPortalSession), lambdaContext());
    const token = await signAccessToken({ secret: SECRET, subject: 'user-42' });
    const allowed = await handler(
      apiEvent(ROUTES.createPortalSession, { headers: { authorization: `Bearer ${token}` } }),
      lambdaContext(),
    );
    restore();
    expect(denied.statusCode).toBe(401);
    expect(body(denied)).toMatchObject({ error: { code: 'missing_token' } });
    expect(allowed.statusCode).toBe(200);
    expect(seen).toEqual(['user-42']);
  });

  it('does not authenticate public routes', async () => {
    const { handler, restore } = setup({
      listPrices: () => Promise.resolve(jsonResponse(200, {})),
    });
    const response = await handler(
      apiEvent(ROUTES.listPrices, { headers: { authorization: 'Bearer garbage' } }),
      lambdaContext(),
    );
    restore();
    expect(response.statusCode).toBe(200);
  });

  it('maps a thrown HttpError to its status and code', async () => {
    const { handler, restore } = setup({
      listPrices: () => Promise.reject(conflict('busy', 'in_progress')),
    });
    const response = await handler(apiEvent(ROUTES.listPrices), lambdaContext());
    restore();
    expect([response.statusCode, body(response)]).toEqual([
      409,
      { error: { code: 'in_progress', message: 'busy' } },
    ]);
  });

  it('turns an unexpected failure into a 500 that reveals nothing, and logs it', async () => {
    const { handler, logs, restore } = setup({
      listPrices: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:8000')),
    });
    const response = await handler(apiEvent(ROUTES.listPrices), lambdaContext());
    restore();
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(body(response)).toMatchObject({ error: { code: 'internal_error' } });
    expect(JSON.stringify(logs())).toContain('ECONNREFUSED');
  });

  it('answers 404 route_not_found for a contract route this function does not serve', async () => {
    const { handler, restore } = setup({});
    const response = await handler(apiEvent(ROUTES.stripeWebhook, { body: '{}' }), lambdaContext());
    restore();
    expect([response.statusCode, body(response)]).toEqual([
      404,
      { error: { code: 'route_not_found', message: 'No route POST /stripe/webhook.' } },
    ]);
  });

  it('puts the request ids and the user id on every log line, and never the token', async () => {
    const { handler, logs, restore } = setup({
      createPortalSession: () => Promise.resolve(jsonResponse(200, {})),
    });
    const token = await signAccessToken({ secret: SECRET, subject: 'user-7' });
    const event = apiEvent(ROUTES.createPortalSession, {
      headers: { authorization: `Bearer ${token}`, 'stripe-signature': 't=1,v1=deadbeef' },
      body: '{"returnUrl":"https://app.example.com"}',
    });
    await handler(event, lambdaContext('lambda-req-1'));
    restore();
    const lines = logs();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({
        function_request_id: 'lambda-req-1',
        apiRequestId: event.requestContext.requestId,
        userId: 'user-7',
      });
    }
    const text = JSON.stringify(lines);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toContain('deadbeef');
    expect(text).not.toContain(SECRET);
  });

  it('does not carry one request user id into the next request', async () => {
    const { handler, logs, restore } = setup({
      createPortalSession: () => Promise.resolve(jsonResponse(200, {})),
      listPrices: () => Promise.resolve(jsonResponse(200, {})),
    });
    const token = await signAccessToken({ secret: SECRET, subject: 'user-8' });
    await handler(
      apiEvent(ROUTES.createPortalSession, { headers: { authorization: `Bearer ${token}` } }),
      lambdaContext('first'),
    );
    await handler(apiEvent(ROUTES.listPrices), lambdaContext('second'));
    restore();
    const second = logs().filter((line) => line.function_request_id === 'second');
    expect(second.length).toBeGreaterThan(0);
    for (const line of second) expect(line).not.toHaveProperty('userId');
  });
});
