import type { ParkedEventStore, ParkedEventSummary } from '../lambda/domain/parked-event';
import type { BillingEventsRecorder } from './billing-events-recorder';
import { signAccessToken } from './dev-tokens';

/** Local-only helpers under `/_local/`: never deployed, never part of the Lambda handlers. */
export const LOCAL_ROUTES = {
  token: '/_local/token',
  billingEvents: '/_local/billing-events',
  parkedEvents: '/_local/parked-events',
} as const;

const MAX_CLAIM_LENGTH = 256;

export interface LocalRouteResult {
  readonly status: number;
  readonly body: unknown;
}

/** Signs a token exactly as the platform's auth service does (`dev-tokens.ts`), for an hour. */
export async function issueLocalToken(
  query: URLSearchParams,
  jwtSecret: string,
): Promise<LocalRouteResult> {
  const userId = query.get('userId') ?? 'local-user';
  const claims: Record<string, string> = {};
  for (const claim of ['email', 'role'] as const) {
    const value = query.get(claim);
    if (value !== null && value !== '') claims[claim] = value;
  }
  // The user id is signed as given (spaces, any Unicode, any length): the API decides
  // what it accepts, as it does for the platform's own tokens.
  if (userId === '') {
    return {
      status: 400,
      body: { error: { code: 'invalid_request', message: 'userId must not be empty.' } },
    };
  }
  for (const [name, value] of Object.entries(claims)) {
    if (value.trim() === '' || value.length > MAX_CLAIM_LENGTH) {
      return {
        status: 400,
        body: {
          error: {
            code: 'invalid_request',
            message: `${name} must be 1 to ${MAX_CLAIM_LENGTH} characters.`,
          },
        },
      };
    }
  }
  const token = await signAccessToken({ secret: jwtSecret, subject: userId, claims });
  return { status: 200, body: { token } };
}

/** What subscribers of the billing events topic received, oldest first. */
export async function listBillingEvents(
  recorder: BillingEventsRecorder,
): Promise<LocalRouteResult> {
  const received = await recorder.events();
  return { status: 200, body: { events: received.map((message) => message.event) } };
}

/** Every page is read: locally the parked events are a handful. */
const MAX_PARKED_PAGES = 100;

/**
 * The parked events (contract section 6), oldest first: what an operator would look at
 * before a replay. Bodies stay in the store.
 */
export async function listParkedEvents(store: ParkedEventStore): Promise<LocalRouteResult> {
  const parked: ParkedEventSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PARKED_PAGES; page++) {
    const result = await store.list(cursor === undefined ? {} : { cursor });
    parked.push(...result.events);
    cursor = result.nextCursor;
    if (cursor === undefined) break;
  }
  parked.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt) || a.eventId.localeCompare(b.eventId));
  return {
    status: 200,
    body: {
      events: parked.map(({ eventId, type, reason, parkedAt }) => ({
        eventId,
        type,
        reason,
        parkedAt,
      })),
    },
  };
}
