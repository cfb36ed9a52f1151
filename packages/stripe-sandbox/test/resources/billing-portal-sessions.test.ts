import { useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness();

describe('Stripe sandbox endpoints, through the stripe SDK', () => {
  it('billing portal sessions: create for a customer', async () => {
    const customer = await h.stripe.customers.create({});
    const portal = await h.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'https://app.example.com/account',
    });
    expect(portal).toMatchObject({
      object: 'billing_portal.session',
      customer: customer.id,
      return_url: 'https://app.example.com/account',
    });
    expect(portal.url).toBe(`${h.sandbox.url}/portal/${portal.id}`);
  });
});
