import {
  EVENT_CLOCK_SKEW_SECONDS,
  eventAdmission,
  stripeKeyMode,
} from '../../../../lambda/domain/event-admission';

const NOW = new Date('2026-12-08T12:00:00Z');
const admissionOf = (mode: 'live' | 'test') => {
  let keyReads = 0;
  const admission = eventAdmission(
    () => {
      keyReads += 1;
      return Promise.resolve(mode);
    },
    () => NOW,
  );
  return { admission, keyReads: () => keyReads };
};
const at = (secondsFromNow: number) => NOW.getTime() + secondsFromNow * 1000;

describe('stripeKeyMode', () => {
  it.each([
    ['sk_live_abc', 'live'],
    ['rk_live_abc', 'live'],
    ['sk_test_abc', 'test'],
    ['rk_test_abc', 'test'],
    ['sk_test_sandbox', 'test'],
    // An unrecognised key never makes a stack take live events.
    ['pk_live_abc', 'test'],
    ['xsk_live_abc', 'test'],
    ['', 'test'],
  ])('%s is a %s-mode key', (key, mode) => {
    expect(stripeKeyMode(key)).toBe(mode);
  });
});

describe('eventAdmission', () => {
  it('admits an event of the key mode stamped now, in the past, or within the skew ahead', async () => {
    const { admission } = admissionOf('test');
    for (const seconds of [-86_400 * 30, 0, EVENT_CLOCK_SKEW_SECONDS]) {
      await expect(admission.refusal({ createdMs: at(seconds), livemode: false })).resolves.toBe(
        undefined,
      );
    }
  });

  it('refuses an event stamped beyond the skew ahead, without reading the key', async () => {
    const { admission, keyReads } = admissionOf('test');
    const refusal = await admission.refusal({
      createdMs: at(EVENT_CLOCK_SKEW_SECONDS + 1),
      livemode: false,
    });
    expect(refusal).toBe(
      "created 2026-12-08T12:01:01.000Z is 61 s ahead of this service's clock (allowed skew 60 s): " +
        'an event from the future is never published nor allowed to block later events',
    );
    expect(keyReads()).toBe(0);
  });

  it('refuses the far future (year 9999) and a time no Date can hold', async () => {
    const { admission } = admissionOf('test');
    await expect(
      admission.refusal({ createdMs: 253402300799 * 1000, livemode: false }),
    ).resolves.toMatch(/^created 9999-12-31T23:59:59\.000Z is \d+ s ahead/);
    await expect(admission.refusal({ createdMs: 1e300, livemode: false })).resolves.toMatch(
      /^created 1e\+300 is \d.* s ahead/,
    );
    await expect(admission.refusal({ createdMs: Number.NaN, livemode: false })).resolves.toMatch(
      /^created NaN is far ahead/,
    );
  });

  it('refuses a live event on a test-mode key, and a test event on a live-mode key', async () => {
    await expect(
      admissionOf('test').admission.refusal({ createdMs: at(0), livemode: true }),
    ).resolves.toBe(
      "livemode true: a live-mode event, but this stack's Stripe key is a test-mode key; " +
        'live and test events never mix',
    );
    await expect(
      admissionOf('live').admission.refusal({ createdMs: at(0), livemode: false }),
    ).resolves.toBe(
      "livemode false: a test-mode event, but this stack's Stripe key is a live-mode key; " +
        'live and test events never mix',
    );
    await expect(
      admissionOf('live').admission.refusal({ createdMs: at(0), livemode: true }),
    ).resolves.toBe(undefined);
  });

  it('fails as the key read fails (transient: the delivery is retried)', async () => {
    const admission = eventAdmission(() => Promise.reject(new Error('Secrets Manager down')));
    await expect(admission.refusal({ createdMs: Date.now(), livemode: false })).rejects.toThrow(
      'Secrets Manager down',
    );
  });
});
