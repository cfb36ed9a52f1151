import { Logger } from '@aws-lambda-powertools/logger';
import { SubscriptionBusyError } from '../../../../../lambda/domain/subscription-order';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { StripeSignatureVerifier } from '../../../../../lambda/webhook/signature-verifier';
import { createWebhookHandler } from '../../../../../lambda/webhook/webhook-handler';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { signatureFor, stripeEvent, subscriptionObject } from '../../../../support/stripe-events';

const SECRET = 'whsec_route';

describe('POST /stripe/webhook while another event about the subscription is published', () => {
  it('answers 409 subscription_busy, so Stripe delivers it again later', async () => {
    const handler = createWebhookHandler({
      logger: new Logger({ logLevel: 'SILENT' }),
      verifier: new StripeSignatureVerifier(() => Promise.resolve([SECRET])),
      process: () => Promise.reject(new SubscriptionBusyError('sub_1')),
    });
    const payload = JSON.stringify(
      stripeEvent('customer.subscription.updated', subscriptionObject('current')),
    );
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(payload, SECRET) },
        body: payload,
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'subscription_busy' } });
  });
});
