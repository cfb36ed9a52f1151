import { createPortalSession } from '../../../../../lambda/api/use-cases/portal-session';
import { rejectedHttpError } from '../../../../support/http-errors';
import { FakeStripe, InMemoryCustomers } from '../../../../support/fake-billing';

const user = { userId: 'u1' };

describe('createPortalSession', () => {
  it('opens the portal for the mapped customer', async () => {
    const customers = new InMemoryCustomers().withMapping('u1', 'cus_9');
    const result = await createPortalSession(
      { customers, stripe: new FakeStripe() },
      user,
      'https://app.example.com/a',
    );
    expect(result.url).toContain('cus_9');
  });

  it('is 404 no_customer for a user who never checked out, and creates nothing', async () => {
    const stripe = new FakeStripe();
    const error = await rejectedHttpError(
      createPortalSession({ customers: new InMemoryCustomers(), stripe }, user, 'https://a'),
    );
    expect([error.status, error.code]).toEqual([404, 'no_customer']);
    expect(stripe.calls).toEqual([]);
  });

  it('is 404 no_customer when Stripe deleted the customer', async () => {
    const customers = new InMemoryCustomers().withMapping('u1', 'cus_gone');
    const stripe = new FakeStripe();
    stripe.deleted.add('cus_gone');
    expect(
      (await rejectedHttpError(createPortalSession({ customers, stripe }, user, 'https://a'))).code,
    ).toBe('no_customer');
  });
});
