import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import type { LocalStack } from '../../../../../local/local-stack';
import { startTestStack } from '../../../../support/test-stack';
import { signAccessToken } from '../../../../support/tokens';

jest.setTimeout(120_000);

/**
 * "Never backwards" (contract section 5) under Stripe's delivery as it really is: a real
 * subscription lifecycle on the sandbox (checkout, an update, a failed renewal, a
 * cancellation), every delivery duplicated, delayed and reordered by the sandbox's chaos
 * control, and in half of the runs the sandbox clock frozen so every event of the
 * lifecycle carries the same second (all ordering then rests on the ties settled against
 * the subscription at Stripe). Whatever the order of arrival, the messages about the
 * subscription never go back in time and the last one carries the final state.
 */
const RUNS = 6;
let stack: LocalStack;
let sandboxUrl = '';
const rows: {
  run: number;
  clock: string;
  events: number;
  deliveries: number;
  published: number;
  superseded: number;
  reverted: number;
  lastIsFinal: boolean;
}[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  sandboxUrl = stack.stripeSandbox?.url ?? '';
});
afterAll(async () => {
  await stack.stop();
  const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + pick(r), 0);
  console.log(
    [
      'Ordering under chaos (npm run test:resilience, test/resilience/lambda/stripe-events/use-cases/publish-billing-event.ordering-chaos.test.ts):',
      '| run | clock | subscription events | deliveries | published | superseded | reverted | last = final state |',
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows.map(
        (r) =>
          `| ${String(r.run)} | ${r.clock} | ${String(r.events)} | ${String(r.deliveries)} | ${String(r.published)} | ${String(r.superseded)} | ${String(r.reverted)} | ${r.lastIsFinal ? 'yes' : 'NO'} |`,
      ),
      `| all | | ${String(sum((r) => r.events))} | ${String(sum((r) => r.deliveries))} | ${String(sum((r) => r.published))} | ${String(sum((r) => r.superseded))} | ${String(sum((r) => r.reverted))} | ${String(rows.filter((r) => r.lastIsFinal).length)} of ${String(rows.length)} |`,
    ].join('\n'),
  );
});

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sandboxUrl}/_sandbox/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${String(response.status)}`);
  return response.json();
}

async function checkout(userId: string): Promise<string> {
  const token = await signAccessToken({
    secret: LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret,
    subject: userId,
  });
  const response = await fetch(`${stack.apiUrl}${ROUTES.createCheckoutSession.path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      priceId: 'price-pro-monthly',
      successUrl: `${stack.apiUrl}/success`,
      cancelUrl: `${stack.apiUrl}/`,
    }),
  });
  const body = (await response.json()) as { checkoutSessionId: string };
  return body.checkoutSessionId;
}

interface Delivery {
  readonly eventId: string;
  readonly eventType: string;
  readonly status: number | null;
}

describe('a subscription lifecycle delivered duplicated, delayed and reordered', () => {
  it.each(Array.from({ length: RUNS }, (_, i) => i + 1))('run %i', async (run) => {
    const frozen = run % 2 === 0;
    await control('POST', 'chaos', {
      seed: 1000 + run,
      duplicates: 3,
      duplicate_probability: 0.5,
      min_delay_ms: 0,
      max_delay_ms: 150,
      reorder: run % 3 === 0 ? 'reverse' : 'shuffle',
      batch_size: 12,
      hold_ms: 400,
    });
    if (frozen) await control('POST', 'clock', { frozen_at: 'now' });
    try {
      const sessionId = await checkout(`chaos-buyer-${String(run)}`);
      await control('POST', `checkout/sessions/${sessionId}/complete`, { outcome: 'succeeded' });
      const session = stack.stripeSandbox?.state.store.get('checkout.session', sessionId);
      const subscriptionId = String(session?.subscription);
      await control('POST', `subscriptions/${subscriptionId}/update`, {
        cancel_at_period_end: true,
      });
      if (!frozen) await control('POST', 'clock', { advance_seconds: 1 });
      await control('POST', `subscriptions/${subscriptionId}/update`, {
        cancel_at_period_end: false,
      });
      await control('POST', `subscriptions/${subscriptionId}/renew`, { outcome: 'failed' });
      if (!frozen) await control('POST', 'clock', { advance_seconds: 1 });
      await control('POST', `subscriptions/${subscriptionId}/cancel`, {});

      const { deliveries } = (await control('GET', 'deliveries?wait=true')) as {
        deliveries: Delivery[];
      };
      const subscriptionEventIds = new Set(
        (stack.stripeSandbox?.state.store.list('event') ?? [])
          .filter(
            (e) =>
              String(e.type).startsWith('customer.subscription.') &&
              (e.data as { object: { id: string } }).object.id === subscriptionId,
          )
          .map((e) => String(e.id)),
      );
      const messages = (await stack.billingEvents.events())
        .map((m) => m.event as BillingEvent)
        .filter(
          (e) => e.type.startsWith('subscription.') && e.data.subscriptionId === subscriptionId,
        );
      const final = stack.stripeSandbox?.state.store.get('subscription', subscriptionId);

      // Never backwards: each message is at least as new as every one before it.
      let reverted = 0;
      let newest = '';
      for (const message of messages) {
        if (message.occurredAt < newest) reverted++;
        else newest = message.occurredAt;
      }
      const distinctPublished = new Set(messages.map((m) => m.stripeEventId));
      const last = messages.at(-1);
      const lastIsFinal =
        last?.data.status === final?.status &&
        last?.data.cancelAtPeriodEnd === final?.cancel_at_period_end;
      rows.push({
        run,
        clock: frozen ? 'frozen (one second)' : 'advancing',
        events: subscriptionEventIds.size,
        deliveries: deliveries.filter((d) => subscriptionEventIds.has(d.eventId)).length,
        published: messages.length,
        superseded: subscriptionEventIds.size - distinctPublished.size,
        reverted,
        lastIsFinal,
      });
      expect(reverted).toBe(0);
      expect(lastIsFinal).toBe(true);
      expect(final?.status).toBe('canceled');
      // Each published event once (duplicates de-duplicated), none invented.
      expect(messages).toHaveLength(distinctPublished.size);
      for (const id of distinctPublished) expect(subscriptionEventIds.has(id)).toBe(true);
      // Everything Stripe retried was eventually answered 2xx.
      expect(deliveries.every((d) => d.status !== null)).toBe(true);
    } finally {
      await control('DELETE', 'chaos');
      await control('DELETE', 'clock');
    }
  });
});
