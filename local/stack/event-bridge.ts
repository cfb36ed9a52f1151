import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../lambda/core/logger';
import { isRecord } from '../../lambda/shared/json';
import type { EventBridgeHandler } from '../../lambda/eventbridge/event-bridge-handler';
import type { EventBridgeOutcome } from '../../lambda/eventbridge/use-cases/take-partner-event';
import {
  matchesStripeEventPattern,
  type StripeEventBridgeEnvelope,
  stripeEventPattern,
} from '../../lambda/stripe-events/event-bridge-pattern';
import { BodyTooLargeError, localContext, readBody, writeJson } from '../http-adapter';
import { crossSiteRefusal } from './cross-site';

/**
 * The local stand-in for a Stripe event destination's partner event bus: the same rule
 * pattern as the stack's (`lambda/stripe-events/event-bridge-pattern.ts`), the same function
 * (built by `local/stack/handlers.ts` with the local clients), invoked as Lambda invokes
 * an EventBridge target: asynchronously, retried after a failure, and kept in a
 * dead-letter list when the retries are spent.
 */

/** The partner event source and account of the local stack (as in `--context eventBridgeSource`). */
export const LOCAL_EVENT_BRIDGE = {
  source: 'aws.partner/stripe.com/ed_test_local',
  /** The account of every local function's ARN (`localContext`). */
  account: '000000000000',
  region: 'local',
} as const;

/** Its local-only endpoints on the API server. */
export const LOCAL_EVENT_BRIDGE_ROUTES = {
  /** `POST`: one envelope, a list of them, or PutEvents' `{"Entries": [...]}`. */
  events: '/_local/eventbridge/events',
  /** `GET [?wait=true]`: what finally failed, after the retries. */
  deadLetters: '/_local/eventbridge/dead-letters',
  /** `GET [?wait=true]`: every event put, and what became of it. */
  deliveries: '/_local/eventbridge/deliveries',
} as const;

/**
 * Lambda's asynchronous retries (2, as the stack configures them), minutes apart in AWS;
 * a fraction of a second here.
 */
const LOCAL_RETRY_DELAYS_MS: readonly number[] = [200, 500];

/** An event as PutEvents takes it (`Detail` is a JSON string). */
export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName?: string;
  readonly Time?: string;
}

/** What the local bus did with one event put. */
export interface LocalDelivery {
  readonly envelope: StripeEventBridgeEnvelope;
  /** The rule's pattern matched: the function was invoked. */
  readonly matched: boolean;
  /** Invocations so far (1 + retries). */
  attempts: number;
  state: 'not-matched' | 'in-flight' | 'succeeded' | 'failed';
  outcome?: EventBridgeOutcome;
  error?: string;
}

/** An event whose invocations all failed: what Lambda's failure destination would get. */
export interface LocalDeadLetter {
  readonly envelope: StripeEventBridgeEnvelope;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: string;
}

export interface LocalEventBridgeOptions {
  readonly handler: EventBridgeHandler;
  readonly source?: string;
  readonly account?: string;
  readonly retryDelaysMs?: readonly number[];
  readonly logger?: Logger;
}

export class LocalEventBridge {
  readonly source: string;
  readonly account: string;
  private readonly pattern;
  private readonly deliveryLog: LocalDelivery[] = [];
  private readonly dead: LocalDeadLetter[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: LocalEventBridgeOptions) {
    this.source = options.source ?? LOCAL_EVENT_BRIDGE.source;
    this.account = options.account ?? LOCAL_EVENT_BRIDGE.account;
    this.pattern = stripeEventPattern(this.source, this.account);
  }

  /**
   * Puts events on the bus: each that matches the rule is handed to the function in the
   * background (as Lambda queues an asynchronous invocation), and the call returns at once.
   */
  putEvents(
    events: readonly (Partial<StripeEventBridgeEnvelope> | PutEventsEntry)[],
  ): LocalDelivery[] {
    return events.map((event) => this.put(this.envelopeOf(event)));
  }

  /** Resolves once every event put so far has succeeded or gone to the dead letters. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  get deliveries(): readonly LocalDelivery[] {
    return this.deliveryLog;
  }

  get deadLetters(): readonly LocalDeadLetter[] {
    return this.dead;
  }

  /**
   * The local endpoints (`LOCAL_EVENT_BRIDGE_ROUTES`); false when the request is not for
   * one of them.
   */
  async handleHttp(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const method = request.method ?? 'GET';
    const wait = url.searchParams.get('wait') === 'true';
    if (method === 'POST' && url.pathname === LOCAL_EVENT_BRIDGE_ROUTES.events) {
      const refusal = crossSiteRefusal(request);
      if (refusal !== undefined) {
        writeJson(response, 403, { error: { code: 'cross_site_request', message: refusal } });
        return true;
      }
      let events: unknown;
      try {
        events = JSON.parse((await readBody(request)).toString('utf8'));
      } catch (error) {
        const tooLarge = error instanceof BodyTooLargeError;
        writeJson(response, tooLarge ? 413 : 400, {
          error: {
            code: tooLarge ? 'payload_too_large' : 'invalid_json',
            message: tooLarge ? error.message : 'The body must be JSON.',
          },
        });
        return true;
      }
      const list = putEventsBody(events);
      if (list === undefined) {
        writeJson(response, 400, {
          error: {
            code: 'invalid_request',
            message:
              'Send an EventBridge event ({"source", "detail-type", "detail", ...}), a list of them, or {"Entries": [{"Source", "DetailType", "Detail"}]}.',
          },
        });
        return true;
      }
      const deliveries = this.putEvents(list);
      if (wait) await this.settled();
      writeJson(response, 200, {
        entries: deliveries.map((delivery) => summary(delivery)),
      });
      return true;
    }
    if (method === 'GET' && url.pathname === LOCAL_EVENT_BRIDGE_ROUTES.deadLetters) {
      if (wait) await this.settled();
      writeJson(response, 200, { deadLetters: this.dead });
      return true;
    }
    if (method === 'GET' && url.pathname === LOCAL_EVENT_BRIDGE_ROUTES.deliveries) {
      if (wait) await this.settled();
      writeJson(response, 200, { deliveries: this.deliveryLog.map((d) => summary(d)) });
      return true;
    }
    return false;
  }

  private put(envelope: StripeEventBridgeEnvelope): LocalDelivery {
    const matched = matchesStripeEventPattern(this.pattern, envelope);
    const delivery: LocalDelivery = {
      envelope,
      matched,
      attempts: 0,
      state: matched ? 'in-flight' : 'not-matched',
    };
    this.deliveryLog.push(delivery);
    if (matched) {
      const running = this.invoke(delivery).finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    }
    return delivery;
  }

  /** Lambda's asynchronous invocation: the first attempt, then the retries, then the DLQ. */
  private async invoke(delivery: LocalDelivery): Promise<void> {
    const delays = this.options.retryDelaysMs ?? LOCAL_RETRY_DELAYS_MS;
    // Never in the caller's turn: an asynchronous invocation is queued first.
    await sleep(0);
    for (let attempt = 0; ; attempt += 1) {
      delivery.attempts = attempt + 1;
      try {
        delivery.outcome = await this.options.handler(
          delivery.envelope,
          localContext('local-stripe-event-bridge'),
        );
        delivery.state = 'succeeded';
        return;
      } catch (error) {
        delivery.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const delay = delays[attempt];
        if (delay === undefined) break;
        this.options.logger?.warn('Local EventBridge: invocation failed; retrying', {
          envelopeId: delivery.envelope.id,
          attempt: delivery.attempts,
          error: delivery.error,
        });
        await sleep(delay);
      }
    }
    delivery.state = 'failed';
    this.dead.push({
      envelope: delivery.envelope,
      error: delivery.error ?? 'unknown',
      attempts: delivery.attempts,
      failedAt: new Date().toISOString(),
    });
  }

  /**
   * An event as EventBridge delivers it. A PutEvents entry gets the bus's account (the
   * caller cannot choose it); an envelope keeps what it says, so tests can send one from
   * elsewhere.
   */
  private envelopeOf(
    event: Partial<StripeEventBridgeEnvelope> | PutEventsEntry,
  ): StripeEventBridgeEnvelope {
    if ('Source' in event) {
      return {
        version: '0',
        id: randomUUID(),
        'detail-type': event.DetailType,
        source: event.Source,
        account: this.account,
        time: event.Time ?? new Date().toISOString(),
        region: LOCAL_EVENT_BRIDGE.region,
        resources: [],
        detail: parseDetail(event.Detail),
      };
    }
    return {
      version: event.version ?? '0',
      id: event.id ?? randomUUID(),
      'detail-type': event['detail-type'] ?? '',
      source: event.source ?? '',
      account: event.account ?? this.account,
      time: event.time ?? new Date().toISOString(),
      region: event.region ?? LOCAL_EVENT_BRIDGE.region,
      resources: event.resources ?? [],
      detail: event.detail ?? {},
    };
  }
}

function summary(delivery: LocalDelivery) {
  return {
    id: delivery.envelope.id,
    detailType: delivery.envelope['detail-type'],
    source: delivery.envelope.source,
    matched: delivery.matched,
    state: delivery.state,
    attempts: delivery.attempts,
    ...(delivery.outcome ? { outcome: delivery.outcome } : {}),
    ...(delivery.error !== undefined ? { error: delivery.error } : {}),
  };
}

/** The events of a `POST /_local/eventbridge/events` body; undefined when it holds none. */
function putEventsBody(
  body: unknown,
): (Partial<StripeEventBridgeEnvelope> | PutEventsEntry)[] | undefined {
  const list = isRecord(body) && Array.isArray(body.Entries) ? body.Entries : body;
  const events: unknown[] = Array.isArray(list) ? list : [list];
  const valid = events.every(
    (event) =>
      isRecord(event) &&
      ((typeof event.Source === 'string' &&
        typeof event.DetailType === 'string' &&
        typeof event.Detail === 'string') ||
        (typeof event.source === 'string' && typeof event['detail-type'] === 'string')),
  );
  return valid && events.length > 0
    ? (events as (Partial<StripeEventBridgeEnvelope> | PutEventsEntry)[])
    : undefined;
}

function parseDetail(detail: string): unknown {
  try {
    return JSON.parse(detail) as unknown;
  } catch {
    return detail;
  }
}
