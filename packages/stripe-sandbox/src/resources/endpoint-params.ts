import { invalidRequest, parameterInvalid } from '../http/errors';
import type { Params } from '../http/params';
import { isHttpUrl } from './shared';

/** What webhook endpoints and event destinations both take: a URL, event types, a limit. */

/** `*` or an event type's form: v1 (`customer.subscription.updated`), v2 (`v2.core.account.created`). */
const EVENT_TYPE = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)+)$/;

/**
 * The URL deliveries go to (`url`, or `webhook_endpoint[url]`). Stripe takes any reachable
 * http(s) URL in test mode. Unlike Stripe, localhost is fine: the sandbox's whole point is
 * delivering to a local service.
 */
export function webhookUrl(params: Params | undefined, param = 'url'): string | undefined {
  const url = params?.string('url');
  if (url === undefined) return undefined;
  if (!isHttpUrl(url)) throw parameterInvalid(param, `Invalid URL: ${url}`);
  return url;
}

/**
 * `enabled_events`: at least one, each an event type (or `*`), each once. `check` refuses
 * what a kind of receiver does not take, type by type.
 */
export function enabledEvents(
  params: Params,
  check: (type: string, param: string) => void = () => undefined,
): string[] | undefined {
  const events = params.strings('enabled_events');
  if (events === undefined) return undefined;
  if (events.length === 0)
    throw parameterInvalid('enabled_events', 'enabled_events must list at least one event.');
  events.forEach((type, i) => {
    const param = `enabled_events[${i}]`;
    if (!EVENT_TYPE.test(type)) throw parameterInvalid(param, `Invalid ${param}: ${type}`);
    check(type, param);
  });
  return [...new Set(events)];
}

/** Stripe allows 16 of each per account and mode: one more is refused. */
export function refuseOverLimit(count: number, max: number, what: string): void {
  if (count >= max) throw invalidRequest(`You have reached the maximum of ${max} test ${what}.`);
}
