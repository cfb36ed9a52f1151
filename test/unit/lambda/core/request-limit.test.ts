import { USER_RATE_LIMIT_DEADLINE_MS } from '../../../../lambda/core/dependencies';
import { HttpError } from '../../../../lambda/core/errors';
import { admitRequest, LimiterDeadlineError } from '../../../../lambda/core/request-limit';
import { METRICS } from '../../../../lambda/domain/metrics';
import { RecordingMetrics } from '../../../support/emf-capture';
import { FakeRequestLimiter } from '../../../support/fake-request-limiter';
import { CapturingLogger } from '../../../support/log-capture';

function gate(deadlineMs?: number) {
  const limiter = new FakeRequestLimiter();
  const metrics = new RecordingMetrics();
  const logger = new CapturingLogger();
  const admit = (userId = 'user-1') =>
    admitRequest(
      userId,
      { limiter, ...(deadlineMs === undefined ? {} : { deadlineMs }) },
      { logger, metrics },
    );
  return { limiter, metrics, logger, admit };
}

describe('admitRequest', () => {
  it('lets an admitted request through, counting nothing', async () => {
    const { limiter, metrics, logger, admit } = gate();
    await expect(admit('user-1')).resolves.toBeUndefined();
    expect(limiter.users).toEqual(['user-1']);
    expect(metrics.totals()).toEqual({});
    expect(logger.lines).toEqual([]);
  });

  it('refuses a request over the limit: 429 rate_limited with Retry-After, counted', async () => {
    const { limiter, metrics, admit } = gate();
    limiter.next = { kind: 'refuse', retryAfterSeconds: 17 };
    const error = await admit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limited',
      headers: { 'Retry-After': '17' },
      message: 'Too many requests for this user; try again in 17 seconds.',
    });
    expect(metrics.totals()).toEqual({ [METRICS.userRateLimited]: 1 });
  });

  it('says "1 second" when one is left', async () => {
    const { limiter, admit } = gate();
    limiter.next = { kind: 'refuse', retryAfterSeconds: 1 };
    await expect(admit()).rejects.toMatchObject({
      headers: { 'Retry-After': '1' },
      message: 'Too many requests for this user; try again in 1 second.',
    });
  });

  it('fails open when the limiter fails: served, counted as a limiter failure, logged with what failed', async () => {
    const { limiter, metrics, logger, admit } = gate();
    limiter.next = {
      kind: 'fail',
      error: Object.assign(new Error('DynamoDB is down'), {
        name: 'InternalServerError',
        dependency: 'DynamoDB',
        operation: 'UpdateItem',
      }),
    };
    await expect(admit()).resolves.toBeUndefined();
    expect(metrics.totals()).toEqual({ [METRICS.userRateLimiterFailures]: 1 });
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'Request limit not checked: serving the request uncounted',
        dependency: 'DynamoDB',
        operation: 'UpdateItem',
        error: expect.objectContaining({
          name: 'InternalServerError',
          message: 'DynamoDB is down',
        }) as unknown,
      }),
    ]);
  });

  it('fails open when the limiter stalls: served once the deadline passes, its call aborted', async () => {
    const { limiter, metrics, logger, admit } = gate(50);
    limiter.next = { kind: 'stall' };
    await expect(admit()).resolves.toBeUndefined();
    const [call] = limiter.calls;
    expect(call?.signal?.aborted).toBe(true);
    expect(call?.signal?.reason).toBeInstanceOf(LimiterDeadlineError);
    expect(metrics.totals()).toEqual({ [METRICS.userRateLimiterFailures]: 1 });
    expect(logger.lines[0]).toMatchObject({
      level: 'WARN',
      error: expect.objectContaining({
        name: 'TimeoutError',
        message: 'The request limiter did not answer within 50 ms.',
      }) as unknown,
    });
  });

  describe('on a clock the test moves', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('waits USER_RATE_LIMIT_DEADLINE_MS (a second) by default, not a moment less', async () => {
      const { limiter, admit } = gate();
      limiter.next = { kind: 'stall' };
      let served = false;
      const admitted = admit().then(() => (served = true));
      await jest.advanceTimersByTimeAsync(USER_RATE_LIMIT_DEADLINE_MS - 1);
      expect([served, limiter.calls[0]?.signal?.aborted]).toEqual([false, false]);
      await jest.advanceTimersByTimeAsync(1);
      await admitted;
      expect([served, limiter.calls[0]?.signal?.aborted]).toEqual([true, true]);
      expect(USER_RATE_LIMIT_DEADLINE_MS).toBe(1_000);
    });

    it('leaves a prompt answer alone: its signal is never aborted, no timer is left behind', async () => {
      const { limiter, admit } = gate(50);
      await admit();
      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(100);
      expect(limiter.calls[0]?.signal?.aborted).toBe(false);
    });
  });
});
