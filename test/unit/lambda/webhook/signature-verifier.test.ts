import { createHmac } from 'node:crypto';
import {
  FORCED_REFRESH_INTERVAL_MS,
  StripeSignatureVerifier,
} from '../../../../lambda/webhook/signature-verifier';
import { rejectedHttpError } from '../../../support/http-errors';
import { paymentIntentObject, signatureFor, stripeEvent } from '../../../support/stripe-events';

const SECRET = 'whsec_current';
const payload = JSON.stringify(
  stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
);
const body = Buffer.from(payload);
const longId = JSON.stringify(
  stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
    id: `evt_${'x'.repeat(300)}`,
  }),
);

/** A secrets source whose value can rotate, counting reads past the cache. */
function secrets(initial: string[]) {
  const state = { cached: initial, stored: initial, forcedReads: 0 };
  const read = (options?: { forceFetch?: boolean }) => {
    if (options?.forceFetch) {
      state.forcedReads++;
      state.cached = state.stored;
    }
    return Promise.resolve(state.cached);
  };
  return { state, read };
}

function verifier(initial = [SECRET]) {
  const clock = { now: Date.now() };
  const source = secrets(initial);
  return { clock, source, verifier: new StripeSignatureVerifier(source.read, () => clock.now) };
}

const v0Only = (text: string, secret: string) => {
  const t = Math.floor(Date.now() / 1000);
  return `t=${String(t)},v0=${createHmac('sha256', secret)
    .update(`${String(t)}.${text}`)
    .digest('hex')}`;
};

describe('StripeSignatureVerifier', () => {
  it('accepts a delivery signed as Stripe signs and returns the event', async () => {
    const verified = await verifier().verifier.verify(body, signatureFor(payload, SECRET));
    expect(verified.kind === 'snapshot' && verified.event.type).toBe('payment_intent.succeeded');
  });

  it('accepts a thin event notification signed the same way and classifies it', async () => {
    const thin = JSON.stringify({
      id: 'evt_test_65thin',
      object: 'v2.core.event',
      type: 'v1.payment_intent.succeeded',
      created: '2026-01-02T03:04:05.678Z',
      livemode: false,
      context: null,
      snapshot_event: 'evt_1snapshot',
      related_object: { id: 'pi_1', type: 'payment_intent', url: '/v1/payment_intents/pi_1' },
    });
    const verified = await verifier().verifier.verify(
      Buffer.from(thin),
      signatureFor(thin, SECRET),
    );
    expect(verified).toEqual({ kind: 'thin', notification: JSON.parse(thin) as unknown });
  });

  it.each([
    ['without an evt_ id', { id: 'x' }],
    ['with a time that is not ISO', { created: 1_700_000_000 }],
    ['with a snapshot event that is not an event id', { snapshot_event: 'pi_1' }],
    ['without livemode', { livemode: 'no' }],
  ])('rejects a signed thin notification %s (400 invalid_event)', async (_, fault) => {
    const text = JSON.stringify({
      id: 'evt_test_65thin',
      object: 'v2.core.event',
      type: 'v1.payment_intent.succeeded',
      created: '2026-01-02T03:04:05.678Z',
      livemode: false,
      ...fault,
    });
    const error = await rejectedHttpError(
      verifier().verifier.verify(Buffer.from(text), signatureFor(text, SECRET)),
    );
    expect([error.status, error.code]).toEqual([400, 'invalid_event']);
  });

  it.each([
    ['no header', () => undefined, 'missing_signature'],
    ['an empty header', () => ' ', 'missing_signature'],
    ['a malformed header', () => 'not-a-signature', 'invalid_signature'],
    ['a wrong secret', () => signatureFor(payload, 'whsec_wrong'), 'invalid_signature'],
    [
      'a tampered body',
      () => signatureFor(payload.replace('4900', '1'), SECRET),
      'invalid_signature',
    ],
    [
      'a timestamp outside the 300 s tolerance',
      () => signatureFor(payload, SECRET, Math.floor(Date.now() / 1000) - 301),
      'invalid_signature',
    ],
    [
      'a timestamp 301 s in the future',
      () => signatureFor(payload, SECRET, Math.floor(Date.now() / 1000) + 301),
      'invalid_signature',
    ],
    [
      'a timestamp a year in the future',
      () => signatureFor(payload, SECRET, Math.floor(Date.now() / 1000) + 365 * 86_400),
      'invalid_signature',
    ],
    ['only a v0 signature', () => v0Only(payload, SECRET), 'invalid_signature'],
    ['an event id longer than any Stripe id', () => signatureFor(longId, SECRET), 'invalid_event'],
  ])('rejects %s with 400 %s', async (name, header, code) => {
    const delivered = name.startsWith('an event id') ? Buffer.from(longId) : body;
    const error = await rejectedHttpError(verifier().verifier.verify(delivered, header()));
    expect([error.status, error.code]).toEqual([400, code]);
  });

  it('accepts a timestamp within 300 s either way (clock skew)', async () => {
    const { clock, verifier: skewed } = verifier();
    const t = Math.floor(clock.now / 1000);
    for (const offset of [-299, 0, 60, 299]) {
      await expect(
        skewed.verify(body, signatureFor(payload, SECRET, t + offset)),
      ).resolves.toBeDefined();
    }
  });

  it.each([
    ['no header', () => undefined, 'The Stripe-Signature header is missing.'],
    [
      'a wrong secret',
      () => signatureFor(payload, 'whsec_wrong'),
      'The Stripe-Signature header does not verify.',
    ],
  ])('tells the sender of a delivery with %s what is wrong', async (_, header, message) => {
    const error = await rejectedHttpError(verifier().verifier.verify(body, header()));
    expect(error.message).toBe(message);
  });

  it('rejects a correctly signed body that is not JSON', async () => {
    const text = 'definitely not json';
    const error = await rejectedHttpError(
      verifier().verifier.verify(Buffer.from(text), signatureFor(text, SECRET)),
    );
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'invalid_json',
      'The webhook body is not JSON.',
    ]);
  });

  it('rejects a correctly signed event that is not UTF-8 rather than altering its text', async () => {
    const [before, after] = payload.split('price-pro-monthly');
    const bytes = Buffer.concat([
      Buffer.from(`${before ?? ''}price-pro-`),
      Buffer.from([0xff]),
      Buffer.from(`monthly${after ?? ''}`),
    ]);
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', SECRET)
      .update(`${String(t)}.`)
      .update(bytes)
      .digest('hex');
    const error = await rejectedHttpError(
      verifier().verifier.verify(bytes, `t=${String(t)},v1=${v1}`),
    );
    expect([error.status, error.code]).toEqual([400, 'invalid_json']);
  });

  it('rejects signed JSON that is not a Stripe event', async () => {
    const text = JSON.stringify({ id: 'x', hello: 'world' });
    const error = await rejectedHttpError(
      verifier().verifier.verify(Buffer.from(text), signatureFor(text, SECRET)),
    );
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'invalid_event',
      'The webhook body is not a Stripe event or thin event notification.',
    ]);
  });

  it('accepts a signature by either of two configured secrets', async () => {
    const { verifier: both } = verifier(['whsec_old', 'whsec_new']);
    await expect(both.verify(body, signatureFor(payload, 'whsec_old'))).resolves.toBeDefined();
    await expect(both.verify(body, signatureFor(payload, 'whsec_new'))).resolves.toBeDefined();
  });

  it('reads a rotated secret past the cache, so it takes effect at once', async () => {
    const { source, verifier: rotating } = verifier(['whsec_old']);
    source.state.stored = ['whsec_rotated'];
    await expect(
      rotating.verify(body, signatureFor(payload, 'whsec_rotated')),
    ).resolves.toBeDefined();
    expect(source.state.forcedReads).toBe(1);
  });

  it('reads past the cache at most once a minute, however many forgeries arrive', async () => {
    const { clock, source, verifier: flooded } = verifier();
    for (let i = 0; i < 20; i++) {
      await rejectedHttpError(flooded.verify(body, signatureFor(payload, 'whsec_forged')));
    }
    expect(source.state.forcedReads).toBe(1);
    clock.now += FORCED_REFRESH_INTERVAL_MS;
    await rejectedHttpError(flooded.verify(body, signatureFor(payload, 'whsec_forged')));
    expect(source.state.forcedReads).toBe(2);
  });
});
