import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { findFreePort } from '../../../local/services/ports';
import {
  checkStripeConnection,
  connectionFailureMessage,
  type StripeConnectionCheck,
} from '../../../local/stripe-connection-check';

/** A stand-in for api.stripe.com on 127.0.0.1, reached through the SDK's host/port/protocol. */
async function fakeStripe(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: Server; port: number; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, requests };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function checkAgainst(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
  timeoutMs = 2_000,
) {
  const fake = await fakeStripe(answer);
  servers.push(fake.server);
  const options = { host: '127.0.0.1', port: fake.port, protocol: 'http' as const, timeoutMs };
  return { result: await checkStripeConnection('sk_test_123', options), options, ...fake };
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

const failed = (result: StripeConnectionCheck) => {
  if (result.ok) throw new Error('expected the check to fail');
  return result;
};

describe('checkStripeConnection', () => {
  it('is ok when Stripe answers, asking with the key and the pinned API version', async () => {
    const { result, requests } = await checkAgainst((_request, response) => {
      json(response, 200, { object: 'list', data: [], has_more: false, url: '/v1/customers' });
    });
    expect(result).toEqual({ ok: true });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('GET');
    expect(requests[0]?.url).toBe('/v1/customers?limit=1');
    expect(requests[0]?.headers.authorization).toBe('Bearer sk_test_123');
    expect(requests[0]?.headers['stripe-version']).toMatch(/^\d{4}-\d{2}-\d{2}/);
  });

  it('says the key was rejected on a 401, and how to go back to the sandbox', async () => {
    const { result, options } = await checkAgainst((_request, response) => {
      json(response, 401, {
        error: {
          type: 'invalid_request_error',
          code: 'api_key_invalid',
          message: 'Invalid API Key provided: sk_test_****_123',
        },
      });
    });
    const failure = failed(result);
    expect(failure).toMatchObject({ kind: 'key-rejected' });
    const message = connectionFailureMessage(failure, 'STRIPE_SECRET_KEY', options);
    expect(message).toContain('Stripe rejected STRIPE_SECRET_KEY (401)');
    expect(message).toContain('Invalid API Key provided: sk_test_****_123');
    expect(message).toContain('unset STRIPE_SECRET_KEY');
    expect(message).not.toContain('sk_test_123');
  });

  it('says Stripe is unreachable when nothing listens', async () => {
    // A port that was free a moment ago: the connection is refused.
    const port = await findFreePort();
    const options = { host: '127.0.0.1', port, protocol: 'http' as const, timeoutMs: 2_000 };
    const failure = failed(await checkStripeConnection('sk_test_123', options));
    expect(failure.kind).toBe('unreachable');
    expect(failure.detail).toContain('ECONNREFUSED');
    const message = connectionFailureMessage(failure, 'STRIPE_SECRET_KEY', options);
    expect(message).toContain(`Cannot reach Stripe at 127.0.0.1:${String(port)}`);
    expect(message).toContain('unset STRIPE_SECRET_KEY');
  });

  it('gives up after the timeout when Stripe accepts the connection and never answers', async () => {
    const started = Date.now();
    const { result, options } = await checkAgainst(() => {
      // Never answers: a stalled link or a captive proxy.
    }, 500);
    const elapsed = Date.now() - started;
    const failure = failed(result);
    expect(failure.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3_000);
    expect(connectionFailureMessage(failure, 'STRIPE_SECRET_KEY', options)).toContain(
      'did not answer within 0.5 s',
    );
  });

  it('reports any other answer with its status and type', async () => {
    const { result } = await checkAgainst((_request, response) => {
      json(response, 403, {
        error: { type: 'invalid_request_error', message: 'The key lacks rak_customer_read.' },
      });
    });
    const failure = failed(result);
    expect(failure.kind).toBe('other');
    expect(failure.detail).toContain('403');
    expect(failure.detail).toContain('rak_customer_read');
  });
});
