import { Params } from '../http/params';
import { fromFixture } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { nowSeconds } from '../objects/clock';
import type { ApiHandler } from './api-context';
import { redirectUrl } from './checkout-sessions';
import { requiredCustomer } from './shared';

/** `POST /v1/billing_portal/sessions`: a customer's portal, its page at the sandbox's `/portal/<id>`. */
export const createPortalSession: ApiHandler = (context) => {
  const params = new Params(context.raw, ['customer', 'return_url', 'configuration', 'locale']);
  const customer = requiredCustomer(context, params);
  const id = stripeId('bps');
  const session = fromFixture('billing_portal.session', {
    id,
    object: 'billing_portal.session',
    configuration: stripeId('bpc'),
    created: nowSeconds(),
    customer: customer.id,
    flow: null,
    livemode: false,
    locale: params.string('locale') ?? null,
    on_behalf_of: null,
    return_url: redirectUrl(params, 'return_url'),
    url: `${context.state.baseUrl}/portal/${id}`,
    customer_account: null,
  });
  context.state.store.put('billing_portal.session', session);
  return session;
};
