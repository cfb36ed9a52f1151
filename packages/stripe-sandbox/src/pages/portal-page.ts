import type { ServerResponse } from 'node:http';
import { cancelSubscription } from '../billing/subscription-lifecycle';
import { redirect, sendHtml } from '../http/messages';
import type { StripeObject } from '../objects/fixtures';
import { subscriptionItem } from '../objects/subscriptions';
import type { SandboxState } from '../state/state';
import { escape, page } from './html';

/** The customer portal page at a portal session's `url`: the customer's subscriptions. */

/** The portal page: GET lists subscriptions, POST .../subscriptions/:id/cancel cancels one. */
export function handlePortalPage(
  response: ServerResponse,
  state: SandboxState,
  method: string,
  path: string,
  body: Record<string, unknown>,
): void {
  const [, , id, section, subscriptionId, action] = path.split('/');
  const portal = id ? state.store.get('billing_portal.session', id) : undefined;
  const sub = subscriptionId ? state.store.get('subscription', subscriptionId) : undefined;
  if (!portal) {
    sendHtml(response, 404, '<h1>No such portal session</h1>');
  } else if (method === 'GET' && section === undefined) {
    sendHtml(response, 200, portalPage(state, portal));
  } else if (
    method === 'POST' &&
    section === 'subscriptions' &&
    action === 'cancel' &&
    sub !== undefined &&
    sub.customer === portal.customer
  ) {
    cancelSubscription(state, sub.id as string, {
      atPeriodEnd: body.when === 'period_end',
      reason: 'cancellation_requested',
    });
    redirect(response, `/portal/${portal.id as string}`);
  } else {
    sendHtml(response, 404, '<h1>Not found</h1>');
  }
}

/** The customer portal page at a portal session's `url`: the customer's subscriptions. */
function portalPage(state: SandboxState, portal: StripeObject): string {
  const subs = state.store.list('subscription').filter((s) => s.customer === portal.customer);
  const id = escape(portal.id);
  const rows = subs
    .map((sub) => {
      const item = subscriptionItem(sub);
      const price = item.price as StripeObject;
      const product = state.store.get('product', price.product as string);
      const live = sub.status !== 'canceled' && sub.status !== 'incomplete_expired';
      const cancel = live
        ? `<form method="post" action="/portal/${id}/subscriptions/${escape(sub.id)}/cancel">
<button name="when" value="now" class="cancel-now">Cancel now</button>
${sub.cancel_at_period_end === true ? '' : '<button name="when" value="period_end" class="secondary cancel-at-period-end">Cancel at period end</button>'}
</form>`
        : '';
      return `<div class="subscription" data-id="${escape(sub.id)}"><div class="row"><span>${escape(product?.name ?? price.id)}</span>
<span class="status">${escape(sub.status)}${sub.cancel_at_period_end === true ? ' (cancels at period end)' : ''}</span></div>${cancel}</div>`;
    })
    .join('\n');
  const back = portal.return_url
    ? `<p><a href="${escape(portal.return_url)}" id="return">← Return</a></p>`
    : '';
  return page(
    'Billing portal',
    `<h1>Your subscriptions</h1>\n${rows || '<p>No subscriptions.</p>'}\n${back}`,
  );
}
