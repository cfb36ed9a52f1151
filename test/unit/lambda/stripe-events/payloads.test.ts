import * as v from 'valibot';
import {
  EVENT_ENVELOPE,
  PAYMENT_INTENT,
  parsePayload,
  UnmappableEventError,
} from '../../../../lambda/stripe-events/payloads';
import { paymentIntentObject } from '../../../support/stripe-events';

/**
 * The reason a payload is refused with: what an operator reads in the log and the
 * parked-events store to see which field of the Stripe event was wrong, and how, without
 * the reason repeating customer data.
 */
function reasonFor(schema: v.GenericSchema, input: unknown, root: string): string {
  try {
    parsePayload(schema, input, root);
  } catch (error) {
    if (error instanceof UnmappableEventError) return error.reason;
    throw error;
  }
  throw new Error('the payload was accepted');
}

const OBJECT = 'data.object';
const paymentIntent = (changes: Record<string, unknown>): Record<string, unknown> => ({
  ...paymentIntentObject('succeeded'),
  ...changes,
});

describe('parsePayload: a payload that fits', () => {
  it('returns what the schema reads', () => {
    expect(parsePayload(PAYMENT_INTENT, paymentIntent({}), OBJECT)).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 4900,
    });
  });
});

describe('parsePayload: the reason names each field at fault by its path in the event', () => {
  it.each([
    ['null', { status: null }, 'data.object.status: expected string, got null'],
    ['a number', { status: 42 }, 'data.object.status: expected string, got 42'],
    ['a boolean', { amount: true }, 'data.object.amount: expected number, got true'],
    ['an object', { status: {} }, 'data.object.status: expected string, got an object'],
    ['a list', { status: ['a'] }, 'data.object.status: expected string, got an array of 1 items'],
    [
      'a string, by its length',
      { amount: '49.00' },
      'data.object.amount: expected number, got a string of 5 characters',
    ],
    ['a missing field', { status: undefined }, 'data.object.status is missing'],
    [
      'an overlong word, by its length',
      { status: 'x'.repeat(101) },
      'data.object.status: Invalid length: Expected <=100 but received 101',
    ],
  ])('describes %s without repeating it', (_, changes, reason) => {
    expect(reasonFor(PAYMENT_INTENT, paymentIntent(changes), OBJECT)).toBe(reason);
  });

  it('names up to three fields, separated, with no count when there are no more', () => {
    expect(
      reasonFor(PAYMENT_INTENT, paymentIntent({ id: null, status: 42, amount: true }), OBJECT),
    ).toBe(
      'data.object.id: expected string, got null; data.object.status: expected string, got 42; ' +
        'data.object.amount: expected number, got true',
    );
  });

  it('names the first three fields of many, and counts the rest', () => {
    // An empty object misses all eleven fields a payment intent requires.
    expect(reasonFor(PAYMENT_INTENT, {}, OBJECT)).toBe(
      'data.object.object is missing; data.object.id is missing; data.object.status is missing ' +
        '(and 8 more)',
    );
  });

  it('throws an error that names itself UnmappableEventError, the reason its message', () => {
    let thrown: unknown;
    try {
      parsePayload(PAYMENT_INTENT, {}, OBJECT);
    } catch (error) {
      thrown = error;
    }
    // The name is what the log line and error reports show for a parked event.
    expect(thrown).toBeInstanceOf(UnmappableEventError);
    expect(thrown).toMatchObject({
      name: 'UnmappableEventError',
      message: reasonFor(PAYMENT_INTENT, {}, OBJECT),
    });
  });
});

describe('parsePayload: metadata', () => {
  it.each([
    ['a list', [], 'an array of 0 items'],
    ['null', null, 'null'],
    ['a string', 'userId=1', 'a string of 8 characters'],
  ])('refuses metadata that is %s as not an object', (_, metadata, got) => {
    expect(reasonFor(PAYMENT_INTENT, paymentIntent({ metadata }), OBJECT)).toBe(
      `data.object.metadata: expected Object, got ${got}`,
    );
  });

  it('names an entry by its key, quoted when the key is not an identifier', () => {
    const overlong = 'v'.repeat(501);
    const metadata = { order_id: overlong, 'order-id': overlong, '2fa': overlong };
    expect(reasonFor(PAYMENT_INTENT, paymentIntent({ metadata }), OBJECT)).toBe(
      [
        'data.object.metadata.order_id: Invalid length: Expected <=500 but received 501',
        'data.object.metadata["order-id"]: Invalid length: Expected <=500 but received 501',
        'data.object.metadata["2fa"]: Invalid length: Expected <=500 but received 501',
      ].join('; '),
    );
  });

  it('shows a key of up to 40 characters whole, and cuts a longer one at 40', () => {
    const forty = 'k'.repeat(40);
    expect(
      reasonFor(PAYMENT_INTENT, paymentIntent({ metadata: { [forty]: 'v'.repeat(501) } }), OBJECT),
    ).toBe(`data.object.metadata.${forty}: Invalid length: Expected <=500 but received 501`);
    // A key is customer data too: an oversized one is not repeated in full.
    expect(
      reasonFor(PAYMENT_INTENT, paymentIntent({ metadata: { ['k'.repeat(60)]: 'v' } }), OBJECT),
    ).toBe(`data.object.metadata["${forty}…"]: Invalid length: Expected <=40 but received 60`);
  });
});

describe('parsePayload: a payload read from its root (the event itself)', () => {
  it('names a field of the event without a leading dot', () => {
    expect(reasonFor(EVENT_ENVELOPE, { created: -1, livemode: false }, '')).toBe(
      'created: Invalid value: Expected >=0 but received -1',
    );
  });

  it('names an item of a list by its index, and the item’s field after it', () => {
    const ids = v.array(v.object({ id: v.string() }));
    expect(reasonFor(ids, [{}], '')).toBe('[0].id is missing');
  });

  it('calls the payload itself "the object"', () => {
    expect(reasonFor(EVENT_ENVELOPE, undefined, '')).toBe('the object is missing');
    expect(reasonFor(EVENT_ENVELOPE, 'text', '')).toBe(
      'the object: expected Object, got a string of 4 characters',
    );
    expect(reasonFor(v.pipe(v.string(), v.maxLength(3)), 'abcd', '')).toBe(
      'the object: Invalid length: Expected <=3 but received 4',
    );
  });

  it('describes a value JSON cannot hold by its type', () => {
    expect(reasonFor(v.string(), 10n, '')).toBe('the object: expected string, got a bigint');
  });
});
