import { Logger } from '@aws-lambda-powertools/logger';
import { PowertoolsMetrics } from '../../../../../lambda/adapters/powertools-metrics';
import { METRICS, type ServiceMetrics } from '../../../../../lambda/domain/metrics';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { StripeSignatureVerifier } from '../../../../../lambda/webhook/signature-verifier';
import type { PublishOutcome } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { createWebhookHandler } from '../../../../../lambda/webhook/webhook-handler';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { captureStdout, emfTotal, RecordingMetrics } from '../../../../support/emf-capture';
import { paymentIntentObject, signatureFor, stripeEvent } from '../../../../support/stripe-events';
import type { ProcessedEvent, StripeDelivery } from '../../../../../lambda/domain/event-ledger';

const SECRET = 'whsec_metrics';
const payload = JSON.stringify(
  stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
);

/** The webhook over a processor that reports what the test says: first time, or already done. */
function webhook(metrics: ServiceMetrics, alreadyProcessed = false) {
  const processed: string[] = [];
  const handler = createWebhookHandler({
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics,
    verifier: new StripeSignatureVerifier(() => Promise.resolve([SECRET])),
    process: (delivery: StripeDelivery): Promise<ProcessedEvent<PublishOutcome>> => {
      processed.push(delivery.event.id);
      return Promise.resolve({
        alreadyProcessed,
        outcome: { billingEventId: `${delivery.event.id}:payment.successful` },
      });
    },
  });
  const deliver = async (signature: string | undefined, body = payload) => {
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: signature === undefined ? {} : { 'stripe-signature': signature },
        body,
      }),
      lambdaContext(),
    );
    return response.statusCode;
  };
  return { handler, deliver, processed };
}

describe('webhook metrics', () => {
  it('counts a verified delivery', async () => {
    const metrics = new RecordingMetrics();
    expect(await webhook(metrics).deliver(signatureFor(payload, SECRET))).toBe(200);
    expect(metrics.totals()).toEqual({ [METRICS.webhookVerified]: 1 });
  });

  it('counts a delivery the ledger had already processed as verified and duplicate', async () => {
    const metrics = new RecordingMetrics();
    expect(await webhook(metrics, true).deliver(signatureFor(payload, SECRET))).toBe(200);
    expect(metrics.totals()).toEqual({
      [METRICS.webhookVerified]: 1,
      [METRICS.webhookDuplicate]: 1,
    });
  });

  it('counts a verified event of a type the service does not handle as verified only', async () => {
    const metrics = new RecordingMetrics();
    const unhandled = JSON.stringify(stripeEvent('customer.created', { id: 'cus_1' }));
    const { deliver, processed } = webhook(metrics);
    expect(await deliver(signatureFor(unhandled, SECRET), unhandled)).toBe(200);
    expect(processed).toEqual([]);
    expect(metrics.totals()).toEqual({ [METRICS.webhookVerified]: 1 });
  });

  it.each([
    ['no signature', undefined],
    ['a wrong secret', signatureFor(payload, 'whsec_other')],
    ['a stale timestamp', signatureFor(payload, SECRET, Math.floor(Date.now() / 1000) - 3600)],
    ['a malformed header', 'v1=abc'],
  ])(
    'counts a delivery with %s as rejected (signature), and processes nothing',
    async (_name, signature) => {
      const metrics = new RecordingMetrics();
      const { deliver, processed } = webhook(metrics);
      expect(await deliver(signature)).toBe(400);
      expect(processed).toEqual([]);
      expect(metrics.totals()).toEqual({ [METRICS.webhookSignatureRejected]: 1 });
    },
  );

  it('does not count a signed body that is not an event as a signature rejection', async () => {
    const metrics = new RecordingMetrics();
    const notJson = 'not json';
    expect(await webhook(metrics).deliver(signatureFor(notJson, SECRET), notJson)).toBe(400);
    expect(metrics.totals()).toEqual({});
  });

  it('counts a failing dependency as an AWS failure', async () => {
    const metrics = new RecordingMetrics();
    const handler = createWebhookHandler({
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics,
      verifier: new StripeSignatureVerifier(() => Promise.resolve([SECRET])),
      process: () =>
        Promise.reject(
          Object.assign(new Error('socket timed out'), {
            name: 'TimeoutError',
            dependency: 'SNS',
            operation: 'Publish',
          }),
        ),
    });
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(payload, SECRET) },
        body: payload,
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(500);
    expect(metrics.totals()).toEqual({
      [METRICS.webhookVerified]: 1,
      [METRICS.awsCallFailures]: 1,
      [METRICS.awsTimeouts]: 1,
    });
  });

  it('reaches CloudWatch as EMF when wired as in Lambda (index.ts)', async () => {
    const metrics = new PowertoolsMetrics({
      namespace: 'acme-prod-stripe-service',
      environment: 'prod',
    });
    const { handler } = webhook(metrics, true);
    const lambda = metrics.instrument(handler);
    const deliver = (signature: string) =>
      lambda(
        apiEvent(ROUTES.stripeWebhook, {
          headers: { 'stripe-signature': signature },
          body: payload,
        }),
        lambdaContext(),
      );
    const stdout = captureStdout();
    await deliver(signatureFor(payload, SECRET));
    await deliver(signatureFor(payload, 'whsec_forged'));
    stdout.restore();
    const lines = stdout.emf();
    expect(emfTotal(lines, METRICS.webhookVerified)).toBe(1);
    expect(emfTotal(lines, METRICS.webhookDuplicate)).toBe(1);
    expect(emfTotal(lines, METRICS.webhookSignatureRejected)).toBe(1);
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics[0]?.Namespace).toBe('acme-prod-stripe-service');
      expect(line.environment).toBe('prod');
    }
  });
});
