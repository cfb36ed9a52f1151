import { ThrottlingOnlyRetryStrategy } from '../../../../lambda/core/throttling-only-retry';

describe('ThrottlingOnlyRetryStrategy', () => {
  const strategy = new ThrottlingOnlyRetryStrategy(
    3,
    (retry) => 1000 * retry,
    () => 0.5,
  );

  it('retries a throttled call, with a full-jitter pause under the retry’s bound', async () => {
    const first = await strategy.acquireInitialRetryToken();
    expect([first.getRetryCount(), first.getRetryDelay()]).toEqual([0, 0]);
    const second = await strategy.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING' });
    expect([second.getRetryCount(), second.getRetryDelay()]).toEqual([1, 500]);
    const third = await strategy.refreshRetryTokenForRetry(second, { errorType: 'THROTTLING' });
    expect([third.getRetryCount(), third.getRetryDelay()]).toEqual([2, 1000]);
  });

  it('stops at the attempts it was given', async () => {
    const third = await strategy.refreshRetryTokenForRetry(
      await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(), {
        errorType: 'THROTTLING',
      }),
      { errorType: 'THROTTLING' },
    );
    await expect(
      strategy.refreshRetryTokenForRetry(third, { errorType: 'THROTTLING' }),
    ).rejects.toThrow('Not retried (THROTTLING, attempt 3)');
  });

  it.each(['TRANSIENT', 'SERVER_ERROR', 'CLIENT_ERROR'] as const)(
    'never sends again a call that failed %s (it may have acted)',
    async (errorType) => {
      const first = await strategy.acquireInitialRetryToken();
      await expect(strategy.refreshRetryTokenForRetry(first, { errorType })).rejects.toThrow(
        `Not retried (${errorType}, attempt 1)`,
      );
    },
  );
});
