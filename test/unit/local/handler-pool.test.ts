import { jsonResponse } from '../../../lambda/core/http';
import { createHttpHandler, type HttpHandler } from '../../../lambda/core/http-handler';
import { ROUTES } from '../../../lambda/shared/routes';
import { pooledHandler } from '../../../local/handler-pool';
import { apiEvent, lambdaContext } from '../../support/api-events';
import { CapturingLogger } from '../../support/log-capture';

/** A promise the test settles by hand, to decide the order in which requests finish. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Builds handlers that wait for the test's gate, counting how many were built. */
function countingPool(wait: () => Promise<void> = () => Promise.resolve()) {
  let builds = 0;
  const handler = pooledHandler((): HttpHandler => {
    builds += 1;
    return async () => {
      await wait();
      return jsonResponse(200, {});
    };
  });
  return { handler, builds: () => builds };
}

const call = (handler: HttpHandler) => handler(apiEvent(ROUTES.listPrices), lambdaContext());

describe('pooledHandler', () => {
  it('reuses an idle instance, as Lambda reuses a warm container', async () => {
    const { handler, builds } = countingPool();
    for (let i = 0; i < 3; i++) await call(handler);
    expect(builds()).toBe(1);
  });

  it('builds an instance for a request that finds none idle, and keeps it for later', async () => {
    const release = gate();
    const { handler, builds } = countingPool(() => release.opened);
    const first = [call(handler), call(handler)];
    expect(builds()).toBe(2);
    release.open();
    await Promise.all(first);
    await Promise.all([call(handler), call(handler)]);
    expect(builds()).toBe(2);
  });

  it('drops an instance whose handler threw, as Lambda replaces a crashed runtime', async () => {
    let builds = 0;
    const handler = pooledHandler(() => {
      builds += 1;
      return () => Promise.reject(new Error('crashed'));
    });
    await expect(call(handler)).rejects.toThrow('crashed');
    await expect(call(handler)).rejects.toThrow('crashed');
    expect(builds).toBe(2);
  });

  it("keeps each request's log keys to itself while requests interleave", async () => {
    const base = new CapturingLogger();
    const gates = new Map([
      ['ctx-a', gate()],
      ['ctx-b', gate()],
    ]);
    // Each instance gets its own logger, as the local stack builds them.
    const handler = pooledHandler(() => {
      const logger = base.createChild();
      return createHttpHandler({
        logger,
        routes: {
          listPrices: async ({ context }) => {
            logger.info('Reading the catalog');
            await gates.get(context.awsRequestId)?.opened;
            logger.info('Catalog read');
            return jsonResponse(200, {});
          },
        },
      });
    });
    const request = (id: string) => {
      const event = apiEvent(ROUTES.listPrices);
      return handler(
        { ...event, requestContext: { ...event.requestContext, requestId: `api-${id}` } },
        lambdaContext(`ctx-${id}`),
      );
    };

    // a starts, b starts, b finishes, then a finishes: each writes while the other is open.
    const a = request('a');
    const b = request('b');
    await flush();
    gates.get('ctx-b')?.open();
    await b;
    gates.get('ctx-a')?.open();
    await a;

    const linesOf = (id: string) =>
      base.lines
        .filter((line) => line.function_request_id === `ctx-${id}`)
        .map((line) => [line.message, line.apiRequestId]);
    const expected = (id: string) =>
      ['Reading the catalog', 'Catalog read', 'Request handled'].map((m) => [m, `api-${id}`]);
    expect(linesOf('a')).toEqual(expected('a'));
    expect(linesOf('b')).toEqual(expected('b'));
    expect(base.lines).toHaveLength(6);
  });
});
