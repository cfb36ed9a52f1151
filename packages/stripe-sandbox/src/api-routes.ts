import type { ApiHandler } from './api-context';
import { invoices, paymentIntents, subscriptions } from './billing-api';
import {
  createCustomer,
  createPrice,
  createProduct,
  deleteCustomer,
  listCustomers,
  listPrices,
  listProducts,
  retrieveCustomer,
  retrievePrice,
  retrieveProduct,
  searchCustomers,
  updateCustomer,
  updatePrice,
  updateProduct,
} from './catalog-api';
import {
  createCheckoutSession,
  createPortalSession,
  listCheckoutSessions,
  retrieveCheckoutSession,
} from './checkout-api';
import { listEvents, retrieveEvent } from './events-api';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  retrieveWebhookEndpoint,
  updateWebhookEndpoint,
} from './webhook-endpoints-api';

type Method = 'GET' | 'POST' | 'DELETE';

/** The part of Stripe's API the sandbox serves (listed in the package README). */
const API_ROUTES: readonly [Method, string, ApiHandler][] = [
  ['POST', '/v1/customers', createCustomer],
  ['GET', '/v1/customers', listCustomers],
  ['GET', '/v1/customers/search', searchCustomers],
  ['GET', '/v1/customers/:id', retrieveCustomer],
  ['POST', '/v1/customers/:id', updateCustomer],
  ['DELETE', '/v1/customers/:id', deleteCustomer],
  ['POST', '/v1/products', createProduct],
  ['GET', '/v1/products', listProducts],
  ['GET', '/v1/products/:id', retrieveProduct],
  ['POST', '/v1/products/:id', updateProduct],
  ['POST', '/v1/prices', createPrice],
  ['GET', '/v1/prices', listPrices],
  ['GET', '/v1/prices/:id', retrievePrice],
  ['POST', '/v1/prices/:id', updatePrice],
  ['POST', '/v1/checkout/sessions', createCheckoutSession],
  ['GET', '/v1/checkout/sessions', listCheckoutSessions],
  ['GET', '/v1/checkout/sessions/:id', retrieveCheckoutSession],
  ['POST', '/v1/billing_portal/sessions', createPortalSession],
  ['GET', '/v1/payment_intents', paymentIntents.list],
  ['GET', '/v1/payment_intents/:id', paymentIntents.retrieve],
  ['GET', '/v1/subscriptions', subscriptions.list],
  ['GET', '/v1/subscriptions/:id', subscriptions.retrieve],
  ['GET', '/v1/invoices', invoices.list],
  ['GET', '/v1/invoices/:id', invoices.retrieve],
  ['GET', '/v1/events', listEvents],
  ['GET', '/v1/events/:id', retrieveEvent],
  ['POST', '/v1/webhook_endpoints', createWebhookEndpoint],
  ['GET', '/v1/webhook_endpoints', listWebhookEndpoints],
  ['GET', '/v1/webhook_endpoints/:id', retrieveWebhookEndpoint],
  ['POST', '/v1/webhook_endpoints/:id', updateWebhookEndpoint],
  ['DELETE', '/v1/webhook_endpoints/:id', deleteWebhookEndpoint],
];

export interface ApiRouteMatch {
  readonly handler: ApiHandler;
  readonly pathParams: Record<string, string>;
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
    if (matches) return { handler, pathParams };
  }
  return undefined;
}
