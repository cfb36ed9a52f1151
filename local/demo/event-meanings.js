/**
 * What each billing event means, in words: the demo page's reading of the `data` each type
 * carries (built by lambda/stripe-events/billing-event-mapping.ts, contract section 5). Loaded
 * before app.js and its modules, as `BillingEventMeanings`; it touches no DOM, so
 * test/unit/local runs it in Node.
 */
(() => {
  'use strict';

  /**
   * An amount in the currency's smallest unit, as Stripe sends it, with its currency:
   * `4900, 'usd'` is "$49.00 USD", `500, 'jpy'` is "¥500 JPY" (the currency's own number of
   * decimals, from Intl, as Stripe's zero- and three-decimal currencies have).
   */
  function formatMoney(amount, currency) {
    if (typeof amount !== 'number' || typeof currency !== 'string' || currency === '') return null;
    const code = currency.toUpperCase();
    let format;
    try {
      format = new Intl.NumberFormat('en', { style: 'currency', currency: code });
    } catch {
      return amount + ' ' + code;
    }
    const digits = format.resolvedOptions().maximumFractionDigits;
    const text = format.format(amount / 10 ** digits);
    // "$49.00 USD": the symbol alone is ambiguous ($ is also CAD, AUD...), unless it is the code.
    return text.includes(code) ? text : text + ' ' + code;
  }

  /** A day, as "Jan 5, 2026" (UTC: billing periods start and end on Stripe's clock). */
  function formatDay(iso) {
    if (typeof iso !== 'string') return null;
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return null;
    return date.toLocaleDateString('en', {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      timeZone: 'UTC',
    });
  }

  function formatPeriod(start, end) {
    const from = formatDay(start);
    const to = formatDay(end);
    return from && to ? from + ' – ' + to : null;
  }

  const yesNo = (value) => (value === true ? 'yes' : value === false ? 'no' : null);

  const CANCELLATION_REASONS = {
    cancellation_requested: 'the customer asked',
    payment_failed: 'its payments failed',
    payment_disputed: 'a payment was disputed',
    canceled_by_retention_policy: "Stripe's retention policy",
  };

  const BILLING_REASONS = {
    subscription_create: 'the first period',
    subscription_cycle: 'a renewal',
    subscription_update: 'a change of plan',
    manual: 'a manual invoice',
  };

  const or = (value, fallback) => (value === null || value === undefined ? fallback : value);

  /**
   * Each billing event type: a title, a tone (success, failure, warning or info), one
   * sentence of what happened, and the fields that say it (amount and currency, status,
   * period, cancel at period end, the Stripe object).
   */
  const MEANINGS = {
    'payment.successful': (d) => {
      const amount = formatMoney(or(d.amountReceived, d.amount), d.currency);
      return {
        title: 'Payment succeeded',
        tone: 'success',
        summary: or(amount, 'The payment') + ' was charged.',
        ...paymentFields(d, amount),
      };
    },
    'payment.failed': (d) => {
      const amount = formatMoney(d.amount, d.currency);
      const why = d.failureMessage ? ': ' + d.failureMessage : '.';
      const code = d.failureCode ? ' (' + d.failureCode + ')' : '';
      return {
        title: 'Payment failed',
        tone: 'failure',
        summary:
          or(amount, 'The payment') + ' could not be charged' + why + code + ' Nothing was taken.',
        ...paymentFields(d, amount),
      };
    },
    'payment.refunded': (d) => {
      const refunded = formatMoney(d.amountRefunded, d.currency);
      const paid = formatMoney(d.amount, d.currency);
      return {
        title: d.fullyRefunded === true ? 'Payment refunded' : 'Payment partly refunded',
        tone: d.fullyRefunded === true ? 'failure' : 'warning',
        summary:
          or(refunded, 'Part') +
          ' of ' +
          or(paid, 'the payment') +
          ' is refunded so far' +
          (d.fullyRefunded === true ? ': all of it, so access ends.' : '; access stays.'),
        amount: refunded,
        status: d.fullyRefunded === true ? 'refunded' : 'partly refunded',
        price: d.priceId,
        object: ['Charge', d.chargeId],
      };
    },
    'payment.action_required': (d) => {
      const amount = formatMoney(d.amount, d.currency);
      return {
        title: 'Payment waiting for the buyer',
        tone: 'warning',
        summary:
          or(amount, 'The payment') +
          ' needs the buyer to confirm it (' +
          or(d.nextActionType, 'authentication') +
          ') before it is charged.',
        ...paymentFields(d, amount),
      };
    },
    'checkout.completed': (d) => {
      const amount = formatMoney(d.amountTotal, d.currency);
      const what = d.mode === 'subscription' ? 'a subscription' : 'a one-time purchase';
      return {
        title: 'Checkout completed',
        tone: 'success',
        summary:
          'The buyer finished checkout for ' +
          what +
          (amount ? ' of ' + amount : '') +
          '; payment ' +
          or(d.paymentStatus, 'unknown') +
          '.',
        amount,
        status: [d.status, d.paymentStatus].filter(Boolean).join(', '),
        price: d.priceId,
        object: ['Checkout session', d.checkoutSessionId],
      };
    },
    'checkout.expired': (d) => {
      const amount = formatMoney(d.amountTotal, d.currency);
      return {
        title: 'Checkout expired',
        tone: 'info',
        summary:
          'The buyer left checkout' +
          (amount ? ' for ' + amount : '') +
          ' without paying; the session expired and nothing was bought.',
        amount,
        status: [d.status, d.paymentStatus].filter(Boolean).join(', '),
        price: d.priceId,
        object: ['Checkout session', d.checkoutSessionId],
      };
    },
    'invoice.paid': (d) => {
      const amount = formatMoney(d.amountPaid, d.currency);
      const period = formatPeriod(d.periodStart, d.periodEnd);
      return {
        title: 'Invoice paid',
        tone: 'success',
        summary:
          or(amount, 'The invoice') +
          ' paid for ' +
          or(BILLING_REASONS[d.billingReason], 'the subscription') +
          (period ? ' (' + period + ')' : '') +
          '.',
        ...invoiceFields(d, amount, period),
      };
    },
    'invoice.payment_failed': (d) => {
      const amount = formatMoney(d.amountDue, d.currency);
      const period = formatPeriod(d.periodStart, d.periodEnd);
      return {
        title: 'Invoice payment failed',
        tone: 'failure',
        summary:
          or(amount, 'The invoice') +
          ' is due and could not be collected' +
          (typeof d.attemptCount === 'number' ? ' (attempt ' + d.attemptCount + ')' : '') +
          '; the subscription is at risk until it is paid.',
        ...invoiceFields(d, amount, period),
      };
    },
    'subscription.created': (d) => {
      const period = formatPeriod(d.currentPeriodStart, d.currentPeriodEnd);
      const live = d.status === 'active' || d.status === 'trialing';
      return {
        title: 'Subscription started',
        tone: live ? 'success' : 'warning',
        summary:
          'Status ' +
          d.status +
          (period ? ', current period ' + period : '') +
          (d.cancelAtPeriodEnd
            ? '; it ends at the end of the period.'
            : '; it renews at period end.'),
        ...subscriptionFields(d, period),
      };
    },
    'subscription.updated': (d) => {
      const period = formatPeriod(d.currentPeriodStart, d.currentPeriodEnd);
      const ending = d.cancelAtPeriodEnd === true || typeof d.cancelAt === 'string';
      return {
        title: ending ? 'Subscription set to cancel' : 'Subscription updated',
        tone: ending ? 'warning' : 'info',
        summary: ending
          ? 'It stays ' +
            d.status +
            ' until ' +
            or(formatDay(or(d.cancelAt, d.currentPeriodEnd)), 'the end of the period') +
            ', then ends; no further renewal.'
          : 'Status ' + d.status + (period ? ', current period ' + period : '') + '.',
        ...subscriptionFields(d, period),
      };
    },
    'subscription.canceled': (d) => {
      const reason = CANCELLATION_REASONS[d.cancellationReason];
      return {
        title: 'Subscription canceled',
        tone: 'failure',
        summary:
          'Ended ' +
          or(formatDay(or(d.endedAt, d.canceledAt)), 'now') +
          (reason ? ' because ' + reason : '') +
          '; no further charges.',
        ...subscriptionFields(d, formatPeriod(d.currentPeriodStart, d.currentPeriodEnd)),
      };
    },
    'subscription.expired': (d) => {
      const reason = CANCELLATION_REASONS[d.cancellationReason];
      return {
        title: 'Subscription expired',
        tone: 'failure',
        summary:
          d.status === 'incomplete_expired'
            ? 'Its first payment was never completed, so it never started.'
            : 'Stripe ended it' + (reason ? ' because ' + reason : '') + '; no further charges.',
        ...subscriptionFields(d, formatPeriod(d.currentPeriodStart, d.currentPeriodEnd)),
      };
    },
    // Full state, not a change: the features listed are all the customer has now, and any
    // feature missing from them is revoked (none at all when a subscription ended).
    'entitlements.updated': (d) => {
      const features = Array.isArray(d.features) ? d.features.map(String) : [];
      const count = features.length + (features.length === 1 ? ' feature' : ' features');
      return {
        title: features.length > 0 ? 'Entitlements updated' : 'Entitlements revoked',
        tone: features.length > 0 ? 'success' : 'warning',
        summary:
          features.length > 0
            ? 'The customer now has ' + count + ': ' + features.join(', ') + '.'
            : 'The customer has no active features any more.',
        features: features.length > 0 ? features.join(', ') : 'none',
        object: ['Customer', d.customerId],
      };
    },
  };

  /**
   * The catalog's price id (the service puts it in the metadata of what it creates); else
   * the Stripe price ids the object names.
   */
  function catalogPrice(d) {
    const fromMetadata = d.metadata && d.metadata.priceId;
    if (typeof fromMetadata === 'string') return fromMetadata;
    const ids = Array.isArray(d.priceIds) ? d.priceIds.join(', ') : '';
    return ids === '' ? null : ids + ' (Stripe)';
  }

  // The fields each kind of object shows, shared by its event types.

  function paymentFields(d, amount) {
    return {
      amount,
      status: d.status,
      price: d.priceId,
      object: ['Payment intent', d.paymentIntentId],
    };
  }

  function invoiceFields(d, amount, period) {
    return {
      amount,
      status: d.status,
      period,
      price: catalogPrice(d),
      object: ['Invoice', d.invoiceId],
    };
  }

  function subscriptionFields(d, period) {
    return {
      currency: typeof d.currency === 'string' ? d.currency.toUpperCase() : null,
      status: d.status,
      period,
      cancelAtPeriodEnd: yesNo(d.cancelAtPeriodEnd),
      price: catalogPrice(d),
      object: ['Subscription', d.subscriptionId],
    };
  }

  /** The billing event types this page describes (a unit test checks every published type is). */
  function describedEventTypes() {
    return Object.keys(MEANINGS);
  }

  /**
   * `{ title, tone, summary, fields: [{ key, label, value }] }` for a billing event; a type
   * this page does not know still shows, as itself.
   */
  function describeBillingEvent(event) {
    const data = event.data && typeof event.data === 'object' ? event.data : {};
    const describe = Object.prototype.hasOwnProperty.call(MEANINGS, event.type)
      ? MEANINGS[event.type]
      : () => ({ title: String(event.type), tone: 'info', summary: 'A billing event.' });
    const meaning = describe(data);
    const object = meaning.object || [];
    const fields = [
      ['amount', 'Amount', meaning.amount],
      ['currency', 'Currency', meaning.currency],
      ['status', 'Status', meaning.status],
      ['period', 'Period', meaning.period],
      ['cancelAtPeriodEnd', 'Cancel at period end', meaning.cancelAtPeriodEnd],
      ['features', 'Features', meaning.features],
      ['user', 'User', or(event.userId, 'unknown')],
      ['price', 'Price', meaning.price],
      ['object', object[0], object[1]],
      ['stripeEvent', 'Stripe event', event.stripeEventType],
    ]
      .filter(([, label, value]) => label && value !== null && value !== undefined && value !== '')
      .map(([key, label, value]) => ({ key, label, value: String(value) }));
    return { title: meaning.title, tone: meaning.tone, summary: meaning.summary, fields };
  }

  globalThis.BillingEventMeanings = Object.freeze({
    describeBillingEvent,
    describedEventTypes,
    formatMoney,
    formatDay,
  });
})();
