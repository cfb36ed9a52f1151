import * as v from 'valibot';
import { STRIPE_LIMITS } from '../domain/stripe-limits';

/**
 * What the billing event mapping reads from each handled Stripe object, as schemas checked
 * before anything is mapped. A verified event is still only as well-formed as its payload:
 * a field missing or of the wrong type, a timestamp no Date can hold, a negative amount or
 * a field far larger than Stripe ever sends is a *permanent* failure (the event is parked,
 * contract section 4), never a crash that Stripe retries for three days.
 *
 * - What the message is built from (ids, statuses, amounts, currency, times, metadata,
 *   the customer, items and lines) is required as the `stripe` types declare it (nullable
 *   where they say `| null`). Descriptive links that older API versions may lack (the
 *   latest charge or invoice, cancellation details) may be absent and become null. Fields
 *   of one payload shape only are optional here; the shape as a whole is checked by the
 *   mapping.
 * - Every string and list is bounded at or above what Stripe itself allows: beyond that it
 *   is not a Stripe payload, and the bounds together keep the message under SNS's limit.
 * - Objects are not strict: Stripe adds fields in every API version, and they are ignored.
 *
 * Valibot (not zod) because it is modular: the webhook bundle only carries the few
 * validators used here (a few KiB), which matters for the function's cold start.
 */

/** Stripe ids are at most 255 characters of letters, digits and underscores. */
export const MAX_ID_CHARS = STRIPE_LIMITS.idChars;
/** Statuses, modes, reasons, codes: Stripe's enums are short words. */
const MAX_WORD_CHARS = 100;
/** A failure message: Stripe's are a sentence or two. */
const MAX_MESSAGE_CHARS = 5_000;
const MAX_URL_CHARS = 2_048;
/** `client_reference_id` (Stripe: 200) carries the app's user id (contract: up to 512). */
const MAX_REFERENCE_CHARS = 1_024;
export const METADATA_LIMITS = STRIPE_LIMITS.metadata;
/** Stripe allows 20 items per subscription. */
export const MAX_SUBSCRIPTION_ITEMS = 100;
/** An invoice embeds one page of its lines (`has_more` says whether there are more). */
const MAX_INVOICE_LINES = 250;
/**
 * A customer's active entitlements: the summary embeds one page of them (`has_more` says
 * whether there are more); Stripe pages hold at most 100, the bound is well above that.
 */
export const MAX_ACTIVE_ENTITLEMENTS = 1_000;
/** A feature's `lookup_key`: Stripe allows 80 characters. */
const MAX_LOOKUP_KEY_CHARS = 200;
/** 9999-12-31T23:59:59Z: beyond it ISO 8601 needs a six-digit year nobody parses. */
const MAX_TIMESTAMP_SECONDS = 253_402_300_799;

const EMPTY = 'Invalid length: empty';
const boundedString = (maxChars: number) => v.pipe(v.string(), v.maxLength(maxChars));
const word = v.pipe(v.string(), v.nonEmpty(EMPTY), v.maxLength(MAX_WORD_CHARS));
const stripeId = v.pipe(
  v.string(),
  v.nonEmpty(EMPTY),
  v.maxLength(MAX_ID_CHARS),
  v.regex(/^\w+$/, 'Invalid format: a Stripe id is letters, digits and underscores'),
);
/** An id, or the object itself when the field was expanded. */
const expandable = v.union([stripeId, v.object({ id: stripeId })]);
const currency = v.pipe(
  v.string(),
  v.regex(/^[a-z]{3}$/, 'Invalid format: a currency is a three-letter ISO 4217 code, lower case'),
);
/** Unix seconds: an integer a Date can hold and ISO 8601 can write with a four-digit year. */
const timestamp = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_TIMESTAMP_SECONDS));
/** Minor units; an amount that cannot be negative (charged, paid, due). */
const amount = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
/** Minor units that may be negative (an invoice total after credits). */
const signedAmount = v.pipe(v.number(), v.safeInteger());
/**
 * Valibot's `record` takes an array as an object of index keys; metadata never is one. Only
 * arrays are refused here: `record` itself refuses any other non-object (null, a string)
 * with the same "expected Object".
 */
const notAnArray = v.custom<unknown>((input) => !Array.isArray(input), 'Object');
const metadata = v.pipe(
  notAnArray,
  v.record(
    v.pipe(v.string(), v.maxLength(METADATA_LIMITS.keyChars)),
    boundedString(METADATA_LIMITS.valueChars),
  ),
  v.maxEntries(METADATA_LIMITS.keys),
);

/** The event around the object: what the message's envelope takes from it. */
export const EVENT_ENVELOPE = v.object({
  created: timestamp,
  livemode: v.boolean(),
  // Null on events of accounts that never chose a version.
  api_version: v.nullish(boundedString(MAX_WORD_CHARS)),
});

export const PAYMENT_INTENT = v.object({
  object: v.literal('payment_intent'),
  id: stripeId,
  status: word,
  amount,
  amount_received: amount,
  currency,
  customer: v.nullable(expandable),
  latest_charge: v.nullish(expandable),
  last_payment_error: v.nullable(
    v.object({
      code: v.nullish(word),
      message: v.nullish(boundedString(MAX_MESSAGE_CHARS)),
    }),
  ),
  next_action: v.nullable(v.object({ type: word })),
  created: timestamp,
  metadata,
});

/** A charge (`charge.refunded`): what was paid, and how much of it is refunded so far. */
export const CHARGE = v.object({
  object: v.literal('charge'),
  id: stripeId,
  amount,
  amount_refunded: amount,
  refunded: v.boolean(),
  currency,
  customer: v.nullable(expandable),
  payment_intent: v.nullable(expandable),
  created: timestamp,
  metadata,
});

const SUBSCRIPTION_ITEM = v.object({
  price: v.object({ id: stripeId, product: expandable }),
  quantity: v.nullish(amount),
  // From API version 2025-03-31 on, the period is on each item.
  current_period_start: v.optional(timestamp),
  current_period_end: v.optional(timestamp),
});

export const SUBSCRIPTION = v.object({
  object: v.literal('subscription'),
  id: stripeId,
  status: word,
  customer: expandable,
  currency,
  items: v.object({
    data: v.pipe(
      v.array(SUBSCRIPTION_ITEM),
      v.nonEmpty(EMPTY),
      v.maxLength(MAX_SUBSCRIPTION_ITEMS),
    ),
  }),
  // Before API version 2025-03-31, the period is on the subscription.
  current_period_start: v.optional(timestamp),
  current_period_end: v.optional(timestamp),
  cancel_at_period_end: v.boolean(),
  cancel_at: v.nullable(timestamp),
  canceled_at: v.nullable(timestamp),
  ended_at: v.nullable(timestamp),
  cancellation_details: v.nullish(
    v.object({ reason: v.nullable(word), feedback: v.nullable(word) }),
  ),
  latest_invoice: v.nullish(expandable),
  created: timestamp,
  metadata,
});

export const CHECKOUT_SESSION = v.object({
  object: v.literal('checkout.session'),
  id: stripeId,
  mode: word,
  status: v.nullable(word),
  payment_status: word,
  customer: v.nullable(expandable),
  client_reference_id: v.nullable(boundedString(MAX_REFERENCE_CHARS)),
  subscription: v.nullable(expandable),
  payment_intent: v.nullable(expandable),
  invoice: v.nullish(expandable),
  amount_subtotal: v.nullable(amount),
  amount_total: v.nullable(amount),
  currency: v.nullable(currency),
  created: timestamp,
  metadata: v.nullable(metadata),
});

const INVOICE_LINE = v.object({
  period: v.object({ start: timestamp, end: timestamp }),
  metadata,
  // From API version 2025-03-31 on: the price under `pricing.price_details`.
  pricing: v.nullish(
    v.object({
      type: v.optional(word),
      price_details: v.nullish(v.object({ price: expandable })),
    }),
  ),
  // Before: the price object itself.
  price: v.nullish(expandable),
});

export const INVOICE = v.object({
  object: v.literal('invoice'),
  id: stripeId,
  status: v.nullable(word),
  customer: v.nullable(expandable),
  billing_reason: v.nullable(word),
  amount_due: amount,
  amount_paid: amount,
  amount_remaining: amount,
  total: signedAmount,
  currency,
  attempt_count: amount,
  lines: v.object({ data: v.pipe(v.array(INVOICE_LINE), v.maxLength(MAX_INVOICE_LINES)) }),
  period_start: timestamp,
  period_end: timestamp,
  hosted_invoice_url: v.nullish(boundedString(MAX_URL_CHARS)),
  created: timestamp,
  metadata: v.nullable(metadata),
  // From API version 2025-03-31 on: the subscription under `parent.subscription_details`.
  parent: v.nullish(
    v.object({
      subscription_details: v.nullish(
        v.object({ subscription: expandable, metadata: v.nullable(metadata) }),
      ),
    }),
  ),
  // Before: `subscription` and `subscription_details.metadata` on the invoice.
  subscription: v.nullish(expandable),
  subscription_details: v.nullish(v.object({ metadata: v.nullish(metadata) })),
});

const ACTIVE_ENTITLEMENT = v.object({
  object: v.literal('entitlements.active_entitlement'),
  id: stripeId,
  // The feature's id, or the feature itself when expanded.
  feature: expandable,
  livemode: v.boolean(),
  lookup_key: v.pipe(v.string(), v.nonEmpty(EMPTY), v.maxLength(MAX_LOOKUP_KEY_CHARS)),
});

/**
 * `entitlements.active_entitlement_summary`: the customer's active entitlements as a whole
 * (full state, not a change). It has no metadata: the user comes from the customers table.
 */
export const ACTIVE_ENTITLEMENT_SUMMARY = v.object({
  object: v.literal('entitlements.active_entitlement_summary'),
  customer: stripeId,
  entitlements: v.object({
    object: v.literal('list'),
    data: v.pipe(v.array(ACTIVE_ENTITLEMENT), v.maxLength(MAX_ACTIVE_ENTITLEMENTS)),
    has_more: v.boolean(),
  }),
  livemode: v.boolean(),
});

export type SubscriptionPayload = v.InferOutput<typeof SUBSCRIPTION>;
export type InvoicePayload = v.InferOutput<typeof INVOICE>;

/** Thrown when a payload does not hold what its event type promises; `reason` names why. */
export class UnmappableEventError extends Error {
  override readonly name = 'UnmappableEventError';

  constructor(readonly reason: string) {
    super(reason);
  }
}

const MAX_ISSUES_NAMED = 3;

/**
 * The payload as `schema` describes it, or an `UnmappableEventError` naming the fields at
 * fault by their path in the Stripe event (`data.object.items.data[0].price.id`). Reasons
 * go to the log and the parked-events store, so they describe values (their type, their
 * length) without repeating them: a payload carries customer data.
 */
export function parsePayload<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  path: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issues = result.issues;
  const named = issues.slice(0, MAX_ISSUES_NAMED).map((issue) => describeIssue(issue, path));
  const more =
    issues.length > MAX_ISSUES_NAMED ? ` (and ${issues.length - MAX_ISSUES_NAMED} more)` : '';
  throw new UnmappableEventError(`${named.join('; ')}${more}`);
}

function describeIssue(issue: v.BaseIssue<unknown>, root: string): string {
  const segments = (issue.path ?? []).map((item) => pathSegment(item.key)).join('');
  const path = root === '' ? segments.replace(/^\./, '') : root + segments;
  if (issue.kind === 'schema') {
    // A custom schema's message is the type it expects.
    const expected = issue.type === 'custom' ? issue.message : (issue.expected ?? 'another type');
    return issue.input === undefined
      ? `${path || 'the object'} is missing`
      : `${path || 'the object'}: expected ${expected}, got ${describeValue(issue.input)}`;
  }
  // Validation messages say what was expected and what was received as a length or a
  // number, never the value itself (formats carry their own messages above).
  return `${path || 'the object'}: ${issue.message}`;
}

function pathSegment(key: unknown): string {
  if (typeof key === 'number') return `[${key}]`;
  const text = typeof key === 'string' ? key : String(key);
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return /^[A-Za-z_$][\w$]*$/.test(shown) ? `.${shown}` : `[${JSON.stringify(shown)}]`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
}
