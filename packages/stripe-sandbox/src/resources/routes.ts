import type { ApiHandler } from './api-context';
import { createPortalSession } from './billing-portal-sessions';
import {
  checkoutSessions,
  createCheckoutSession,
  expireCheckoutSession,
} from './checkout-sessions';
import {
  createCustomer,
  deleteCustomer,
  listCustomers,
  retrieveCustomer,
  searchCustomers,
  updateCustomer,
} from './customers';
import {
  createFeature,
  createProductFeature,
  deleteProductFeature,
  listActiveEntitlements,
  listFeatures,
  listProductFeatures,
  retrieveActiveEntitlement,
  retrieveFeature,
  retrieveProductFeature,
  updateFeature,
} from './entitlements';
import {
  createEventDestination,
  deleteEventDestination,
  disableEventDestination,
  enableEventDestination,
  listEventDestinations,
  retrieveEventDestination,
  retrieveV2Event,
  updateEventDestination,
} from './event-destinations';
import { closeDisputeEndpoint, disputes, updateDisputeEndpoint } from './disputes';
import { listEvents, retrieveEvent } from './events';
import { createInvoiceItem, listInvoiceItems, retrieveInvoiceItem } from './invoice-items';
import {
  createInvoice,
  finalizeInvoiceEndpoint,
  invoices,
  payInvoice,
  updateInvoice,
  voidInvoice,
} from './invoices';
import {
  cancelPaymentIntent,
  capturePaymentIntent,
  confirmPaymentIntentEndpoint,
  createPaymentIntent,
  paymentIntents,
  updatePaymentIntent,
} from './payment-intents';
import {
  attachPaymentMethodEndpoint,
  createPaymentMethod,
  detachPaymentMethod,
  listCustomerPaymentMethods,
  listPaymentMethods,
  retrieveCustomerPaymentMethod,
  retrievePaymentMethod,
  updatePaymentMethod,
} from './payment-methods';
import { confirmPaymentPage, retrievePaymentPage } from './payment-pages';
import { createPrice, listPrices, retrievePrice, updatePrice } from './prices';
import { createProduct, listProducts, retrieveProduct, updateProduct } from './products';
import { charges, createRefund, refunds } from './refunds';
import {
  cancelSubscriptionEndpoint,
  createSubscription,
  subscriptions,
  updateSubscriptionEndpoint,
} from './subscriptions';
import { resumeSubscriptionEndpoint } from './subscription-time';
import {
  advanceTestClockEndpoint,
  createTestClockEndpoint,
  deleteTestClockEndpoint,
  listTestClocks,
  retrieveTestClock,
} from './test-clocks';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  retrieveWebhookEndpoint,
  updateWebhookEndpoint,
} from './webhook-endpoints';

type Method = 'GET' | 'POST' | 'DELETE';

/** The part of Stripe's API the sandbox serves (listed in the package README). */
const API_ROUTES: readonly [Method, string, ApiHandler][] = [
  ['POST', '/v1/customers', createCustomer],
  ['GET', '/v1/customers', listCustomers],
  ['GET', '/v1/customers/search', searchCustomers],
  ['GET', '/v1/customers/:id', retrieveCustomer],
  ['POST', '/v1/customers/:id', updateCustomer],
  ['DELETE', '/v1/customers/:id', deleteCustomer],
  ['GET', '/v1/customers/:id/payment_methods', listCustomerPaymentMethods],
  ['GET', '/v1/customers/:id/payment_methods/:pm', retrieveCustomerPaymentMethod],
  ['POST', '/v1/payment_methods', createPaymentMethod],
  ['GET', '/v1/payment_methods', listPaymentMethods],
  ['GET', '/v1/payment_methods/:id', retrievePaymentMethod],
  ['POST', '/v1/payment_methods/:id', updatePaymentMethod],
  ['POST', '/v1/payment_methods/:id/attach', attachPaymentMethodEndpoint],
  ['POST', '/v1/payment_methods/:id/detach', detachPaymentMethod],
  ['POST', '/v1/products', createProduct],
  ['GET', '/v1/products', listProducts],
  ['GET', '/v1/products/:id', retrieveProduct],
  ['POST', '/v1/products/:id', updateProduct],
  ['POST', '/v1/products/:id/features', createProductFeature],
  ['GET', '/v1/products/:id/features', listProductFeatures],
  ['GET', '/v1/products/:id/features/:feature_id', retrieveProductFeature],
  ['DELETE', '/v1/products/:id/features/:feature_id', deleteProductFeature],
  ['POST', '/v1/entitlements/features', createFeature],
  ['GET', '/v1/entitlements/features', listFeatures],
  ['GET', '/v1/entitlements/features/:id', retrieveFeature],
  ['POST', '/v1/entitlements/features/:id', updateFeature],
  ['GET', '/v1/entitlements/active_entitlements', listActiveEntitlements],
  ['GET', '/v1/entitlements/active_entitlements/:id', retrieveActiveEntitlement],
  ['POST', '/v1/prices', createPrice],
  ['GET', '/v1/prices', listPrices],
  ['GET', '/v1/prices/:id', retrievePrice],
  ['POST', '/v1/prices/:id', updatePrice],
  ['POST', '/v1/checkout/sessions', createCheckoutSession],
  ['GET', '/v1/checkout/sessions', checkoutSessions.list],
  ['GET', '/v1/checkout/sessions/:id', checkoutSessions.retrieve],
  ['POST', '/v1/checkout/sessions/:id/expire', expireCheckoutSession],
  // What the Stripe CLI's checkout.session.completed fixture calls to pay a session (an
  // endpoint of Stripe's own checkout page, not of the public API).
  ['GET', '/v1/payment_pages/:id', retrievePaymentPage],
  ['POST', '/v1/payment_pages/:id/confirm', confirmPaymentPage],
  ['POST', '/v1/billing_portal/sessions', createPortalSession],
  ['POST', '/v1/payment_intents', createPaymentIntent],
  ['GET', '/v1/payment_intents', paymentIntents.list],
  ['GET', '/v1/payment_intents/:id', paymentIntents.retrieve],
  ['POST', '/v1/payment_intents/:id', updatePaymentIntent],
  ['POST', '/v1/payment_intents/:id/confirm', confirmPaymentIntentEndpoint],
  ['POST', '/v1/payment_intents/:id/capture', capturePaymentIntent],
  ['POST', '/v1/payment_intents/:id/cancel', cancelPaymentIntent],
  ['GET', '/v1/charges', charges.list],
  ['GET', '/v1/charges/:id', charges.retrieve],
  ['POST', '/v1/refunds', createRefund],
  ['GET', '/v1/refunds', refunds.list],
  ['GET', '/v1/refunds/:id', refunds.retrieve],
  ['GET', '/v1/disputes', disputes.list],
  ['GET', '/v1/disputes/:id', disputes.retrieve],
  ['POST', '/v1/disputes/:id', updateDisputeEndpoint],
  ['POST', '/v1/disputes/:id/close', closeDisputeEndpoint],
  ['POST', '/v1/subscriptions', createSubscription],
  ['GET', '/v1/subscriptions', subscriptions.list],
  ['GET', '/v1/subscriptions/:id', subscriptions.retrieve],
  ['POST', '/v1/subscriptions/:id', updateSubscriptionEndpoint],
  ['DELETE', '/v1/subscriptions/:id', cancelSubscriptionEndpoint],
  ['POST', '/v1/subscriptions/:id/resume', resumeSubscriptionEndpoint],
  ['POST', '/v1/invoiceitems', createInvoiceItem],
  ['GET', '/v1/invoiceitems', listInvoiceItems],
  ['GET', '/v1/invoiceitems/:id', retrieveInvoiceItem],
  ['POST', '/v1/invoices', createInvoice],
  ['GET', '/v1/invoices', invoices.list],
  ['GET', '/v1/invoices/:id', invoices.retrieve],
  ['POST', '/v1/invoices/:id', updateInvoice],
  ['POST', '/v1/invoices/:id/finalize', finalizeInvoiceEndpoint],
  ['POST', '/v1/invoices/:id/pay', payInvoice],
  ['POST', '/v1/invoices/:id/void', voidInvoice],
  ['POST', '/v1/test_helpers/test_clocks', createTestClockEndpoint],
  ['GET', '/v1/test_helpers/test_clocks', listTestClocks],
  ['GET', '/v1/test_helpers/test_clocks/:id', retrieveTestClock],
  ['DELETE', '/v1/test_helpers/test_clocks/:id', deleteTestClockEndpoint],
  ['POST', '/v1/test_helpers/test_clocks/:id/advance', advanceTestClockEndpoint],
  ['GET', '/v1/events', listEvents],
  ['GET', '/v1/events/:id', retrieveEvent],
  ['POST', '/v1/webhook_endpoints', createWebhookEndpoint],
  ['GET', '/v1/webhook_endpoints', listWebhookEndpoints],
  ['GET', '/v1/webhook_endpoints/:id', retrieveWebhookEndpoint],
  ['POST', '/v1/webhook_endpoints/:id', updateWebhookEndpoint],
  ['DELETE', '/v1/webhook_endpoints/:id', deleteWebhookEndpoint],
  ['POST', '/v2/core/event_destinations', createEventDestination],
  ['GET', '/v2/core/event_destinations', listEventDestinations],
  ['GET', '/v2/core/event_destinations/:id', retrieveEventDestination],
  ['POST', '/v2/core/event_destinations/:id', updateEventDestination],
  ['DELETE', '/v2/core/event_destinations/:id', deleteEventDestination],
  ['POST', '/v2/core/event_destinations/:id/disable', disableEventDestination],
  ['POST', '/v2/core/event_destinations/:id/enable', enableEventDestination],
  ['GET', '/v2/core/events/:id', retrieveV2Event],
];

export interface ApiRouteMatch {
  readonly handler: ApiHandler;
  readonly pathParams: Record<string, string>;
  /** The named operation, as Stripe's per-endpoint limits count it: `GET /v1/customers/:id`. */
  readonly endpoint: string;
}

export function matchApiRoute(method: string, path: string): ApiRouteMatch | undefined {
  const segments = path.split('/');
  for (const [routeMethod, pattern, handler] of API_ROUTES) {
    if (routeMethod !== method) continue;
    const parts = pattern.split('/');
    if (parts.length !== segments.length) continue;
    const pathParams: Record<string, string> = {};
    const matches = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) {
        if (segment === '') return false;
        pathParams[part.slice(1)] = decodeURIComponent(segment);
        return true;
      }
      return part === segment;
    });
    if (matches) return { handler, pathParams, endpoint: `${routeMethod} ${pattern}` };
  }
  return undefined;
}
