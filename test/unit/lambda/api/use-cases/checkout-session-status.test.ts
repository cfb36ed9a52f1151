import { getCheckoutSessionStatus } from '../../../../../lambda/api/use-cases/checkout-session-status';
import { userKey } from '../../../../../lambda/domain/stripe-identity';
import { rejectedHttpError } from '../../../../support/http-errors';
import { FakeStripe } from '../../../../support/fake-billing';

const user = { userId: 'u1' };

describe('getCheckoutSessionStatus', () => {
  const view = {
    id: 'cs_1',
    status: 'complete',
    paymentStatus: 'paid',
    mode: 'subscription',
    clientReferenceId: 'u1',
    metadataUserId: 'u1',
    metadataUserKey: userKey('u1'),
    subscriptionId: 'sub_1',
    paymentIntentId: null,
  };

  it("returns the caller's own session", async () => {
    const stripe = new FakeStripe();
    stripe.sessions.set('cs_1', view);
    expect(await getCheckoutSessionStatus(stripe, user, 'cs_1')).toEqual({
      checkoutSessionId: 'cs_1',
      status: 'complete',
      paymentStatus: 'paid',
      mode: 'subscription',
      subscriptionId: 'sub_1',
    });
  });

  it('recognises the owner by the user key alone (a user id too long for Stripe)', async () => {
    const stripe = new FakeStripe();
    const longId = 'ü'.repeat(512);
    stripe.sessions.set('cs_1', {
      ...view,
      clientReferenceId: null,
      metadataUserId: undefined,
      metadataUserKey: userKey(longId),
    });
    await expect(
      getCheckoutSessionStatus(stripe, { userId: longId }, 'cs_1'),
    ).resolves.toMatchObject({ checkoutSessionId: 'cs_1' });
    await expect(
      rejectedHttpError(getCheckoutSessionStatus(stripe, user, 'cs_1')),
    ).resolves.toMatchObject({ status: 404 });
  });

  it("answers another user's session exactly like a missing one", async () => {
    const stripe = new FakeStripe();
    stripe.sessions.set('cs_1', {
      ...view,
      clientReferenceId: 'u2',
      metadataUserId: 'u2',
      metadataUserKey: userKey('u2'),
    });
    const foreign = await rejectedHttpError(getCheckoutSessionStatus(stripe, user, 'cs_1'));
    const missing = await rejectedHttpError(getCheckoutSessionStatus(stripe, user, 'cs_nope'));
    expect([foreign.status, foreign.code, foreign.message]).toEqual([
      missing.status,
      missing.code,
      missing.message,
    ]);
    expect(foreign.status).toBe(404);
  });
});
