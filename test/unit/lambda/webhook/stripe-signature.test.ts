import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import {
  isFresh,
  isSignedWith,
  parseSignatureHeader,
} from '../../../../lambda/webhook/stripe-signature';
import { paymentIntentObject, stripeEvent } from '../../../support/stripe-events';

const SECRET = 'whsec_test_secret';
const TOLERANCE = 300;
const payload = JSON.stringify(
  stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
);
const now = () => Math.floor(Date.now() / 1000);
const hmac = (secret: string, t: number | string, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
const sdkSigned = (timestamp?: number, secret = SECRET, body = payload) =>
  Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });

/** What the stripe SDK decides for the same delivery. */
function sdkAccepts(body: string, header: string): boolean {
  try {
    Stripe.webhooks.constructEvent(body, header, SECRET, TOLERANCE);
    return true;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) return false;
    throw error;
  }
}

/** Ours, at the clock the cases were signed against (a loaded machine may run them later). */
function oursAccepts(body: string, header: string, atSeconds: number): boolean {
  const parsed = parseSignatureHeader(header);
  return (
    parsed !== undefined &&
    isFresh(parsed, atSeconds * 1000, TOLERANCE) &&
    isSignedWith(Buffer.from(body), parsed, SECRET)
  );
}

describe('Stripe signature verification, checked against the stripe SDK', () => {
  const t = now();
  const cases: [string, string, string, boolean][] = [
    ['signed by the SDK', payload, sdkSigned(), true],
    ['another secret', payload, sdkSigned(undefined, 'whsec_other'), false],
    ['a tampered body', payload.replace('4900', '4901'), sdkSigned(), false],
    ['a signature 301 s old', payload, sdkSigned(t - 301), false],
    ['a signature 299 s old', payload, sdkSigned(t - 299), true],
    ['a signature from the future', payload, sdkSigned(t + 60), true],
    ['only v0', payload, `t=${t},v0=${hmac(SECRET, t, payload)}`, false],
    [
      'v0 and a valid v1',
      payload,
      `t=${t},v0=${'0'.repeat(64)},v1=${hmac(SECRET, t, payload)}`,
      true,
    ],
    [
      'two v1, the second valid (a secret roll)',
      payload,
      `t=${t},v1=${hmac('whsec_old', t, payload)},v1=${hmac(SECRET, t, payload)}`,
      true,
    ],
    ['no timestamp', payload, `v1=${hmac(SECRET, t, payload)}`, false],
    ['a timestamp that is not a number', payload, `t=abc,v1=${hmac(SECRET, t, payload)}`, false],
    // The SDK reads `t` with parseInt (so `t.5` is `t`) and then fails to match the
    // signature over `t.5`; ours refuses the timestamp itself.
    [
      'a fractional timestamp, signed as written',
      payload,
      `t=${t}.5,v1=${hmac(SECRET, `${t}.5`, payload)}`,
      false,
    ],
    [
      'an unknown element whose value is a number',
      payload,
      `t=${t},v1=${hmac(SECRET, t, payload)},x=12345`,
      true,
    ],
    [
      'the signature of another timestamp',
      payload,
      `t=${t - 1},v1=${hmac(SECRET, t, payload)}`,
      false,
    ],
    ['upper-case hex', payload, `t=${t},v1=${hmac(SECRET, t, payload).toUpperCase()}`, false],
    ['a truncated signature', payload, `t=${t},v1=${hmac(SECRET, t, payload).slice(0, 63)}`, false],
    ['garbage', payload, 'garbage', false],
    // The signature of an empty body is valid; the verifier then refuses it as not JSON.
    ['an empty body', '', sdkSigned(undefined, SECRET, ''), true],
    [
      'a non-ASCII body',
      '{"name":"Zoë ✓"}',
      sdkSigned(undefined, SECRET, '{"name":"Zoë ✓"}'),
      true,
    ],
  ];

  it.each(cases)('%s', (_, body, header, accepted) => {
    expect(oursAccepts(body, header, t)).toBe(accepted);
    // The SDK throws on an empty payload before checking it; every other case must agree.
    if (body !== '') expect(sdkAccepts(body, header)).toBe(accepted);
  });

  // Where we are stricter than the SDK on purpose: its `constructEvent` checks only how old
  // `t` is, so a body signed for a future time stays replayable until then.
  it.each([
    ['299 s in the future', 299, true],
    ['exactly 300 s in the future', 300, true],
    ['301 s in the future', 301, false],
    ['a year in the future', 365 * 86_400, false],
  ])('a signature %s (%d s): ours accepts it: %s, whatever the SDK says', (_, offset, accepted) => {
    const header = sdkSigned(t + offset);
    expect(oursAccepts(payload, header, t)).toBe(accepted);
    expect(sdkAccepts(payload, header)).toBe(true);
  });

  it('agrees with the SDK on random tampering of valid deliveries', () => {
    const signed = sdkSigned();
    for (let i = 0; i < 200; i++) {
      const position = Math.floor(Math.random() * payload.length);
      const body =
        payload.slice(0, position) +
        String.fromCharCode(33 + (i % 90)) +
        payload.slice(position + 1);
      expect(oursAccepts(body, signed, now())).toBe(sdkAccepts(body, signed));
    }
  });

  it('verifies the raw bytes, not a re-decoded string', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]); // not valid UTF-8
    const header = `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.`).update(bytes).digest('hex')}`;
    const parsed = parseSignatureHeader(header);
    expect(parsed && isSignedWith(bytes, parsed, SECRET)).toBe(true);
  });
});

describe('parseSignatureHeader', () => {
  const signature = 'a'.repeat(64);

  it('takes the timestamp and every well-formed v1 signature, skipping other elements', () => {
    expect(
      parseSignatureHeader(`t=1700000000,v0=${'b'.repeat(64)},junk,=x,v1=${signature},x=42`),
    ).toEqual({ timestamp: 1_700_000_000, v1: [signature] });
  });

  it.each([
    ['a sign', '+1700000000'],
    ['a minus sign', '-1700000000'],
    ['a fraction', '1700000000.5'],
    ['an exponent', '1e9'],
    ['more than 12 digits', '1'.repeat(13)],
    ['nothing', ''],
  ])('refuses a timestamp with %s: only whole seconds in up to 12 digits', (_, t) => {
    expect(parseSignatureHeader(`t=${t},v1=${signature}`)).toBeUndefined();
  });

  it('accepts a 12-digit timestamp (the freshness check then judges it)', () => {
    expect(parseSignatureHeader(`t=${'9'.repeat(12)},v1=${signature}`)?.timestamp).toBe(
      999_999_999_999,
    );
  });

  it('refuses a header without a timestamp, however many signatures it has', () => {
    expect(parseSignatureHeader(`v1=${signature},v1=${signature}`)).toBeUndefined();
  });

  it('refuses a header without a v1 signature', () => {
    expect(parseSignatureHeader('t=1700000000,v0=' + signature)).toBeUndefined();
  });
});

describe('isFresh', () => {
  const at = 1_700_000_000;
  const header = (timestamp: number) => ({ timestamp, v1: [] });

  it.each([
    ['exactly the tolerance old', at - 300, true],
    ['one second more than the tolerance old', at - 301, false],
    ['exactly the tolerance ahead', at + 300, true],
    ['one second more than the tolerance ahead', at + 301, false],
  ])('a timestamp %s (%d) is fresh: %s', (_, timestamp, fresh) => {
    expect(isFresh(header(timestamp), at * 1000, 300)).toBe(fresh);
  });

  it('compares whole seconds: 999 ms into the second still counts as that second', () => {
    expect(isFresh(header(at - 300), at * 1000 + 999, 300)).toBe(true);
  });
});
