import { subscriptionItem } from '../objects/invoices';
import type { StripeObject } from '../objects/fixtures';
import type { SandboxState } from '../state/state';

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';

const escape = (value: unknown): string =>
  text(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const money = (amount: unknown, currency: unknown): string =>
  `${((amount as number) / 100).toFixed(2)} ${String(currency).toUpperCase()}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Stripe sandbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
.banner{background:#fff3cd;border:1px solid #f0c36d;padding:.5rem .75rem;border-radius:6px;font-size:.9rem}
button{font-size:1rem;padding:.6rem 1rem;margin:.25rem .25rem .25rem 0;border-radius:6px;border:1px solid #635bff;background:#635bff;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#635bff}
.row{display:flex;justify-content:space-between;border-bottom:1px solid #e3e8ee;padding:.5rem 0}
</style></head>
<body><p class="banner">Stripe sandbox: test mode, nothing is charged.</p>
${body}
</body></html>`;
}

/** The hosted checkout page at a session's `url`. */
export function checkoutPage(state: SandboxState, session: StripeObject, notice?: string): string {
  const details = state.sessions.get(session.id as string);
  const lines = (details?.lineItems ?? [])
    .map((line) => {
      const price = state.store.get('price', line.price);
      const product = price ? state.store.get('product', price.product as string) : undefined;
      const recurring = price?.recurring as { interval: string } | null | undefined;
      return `<div class="row"><span>${escape(product?.name ?? line.price)} × ${line.quantity}</span><span>${money(
        (price?.unit_amount as number) * line.quantity,
        price?.currency,
      )}${recurring ? ` / ${escape(recurring.interval)}` : ''}</span></div>`;
    })
    .join('\n');
  const id = escape(session.id);
  const open = session.status === 'open';
  const actions = open
    ? `<form method="post" action="/checkout/${id}/pay"><button type="submit" id="pay">Pay ${money(session.amount_total, session.currency)}</button></form>
<form method="post" action="/checkout/${id}/decline"><button type="submit" class="secondary" id="decline">Decline (card_declined)</button></form>
<form method="post" action="/checkout/${id}/requires-action"><button type="submit" class="secondary" id="requires-action">Requires action (3-D Secure)</button></form>`
    : `<p>This session is ${escape(session.status)}.</p>`;
  const back = session.cancel_url
    ? `<p><a href="${escape(session.cancel_url)}" id="cancel">← Back to the merchant</a></p>`
    : '';
  return page(
    'Checkout',
    `<h1>Checkout</h1>
${notice ? `<p role="alert" id="notice">${escape(notice)}</p>` : ''}
${lines}
<div class="row"><strong>Total</strong><strong>${money(session.amount_total, session.currency)}</strong></div>
<p>Mode: ${escape(session.mode)}</p>
${actions}
${back}`,
  );
}

/** The customer portal page at a portal session's `url`: the customer's subscriptions. */
export function portalPage(state: SandboxState, portal: StripeObject): string {
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

/** Where Stripe sends the buyer after paying: `success_url` with the session id filled in. */
export function successRedirect(session: StripeObject): string | null {
  const url = session.success_url as string | null;
  return url === null ? null : url.split('{CHECKOUT_SESSION_ID}').join(session.id as string);
}
