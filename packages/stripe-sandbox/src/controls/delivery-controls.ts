import {
  CHAOS_DEFAULTS,
  type ChaosSettings,
  newSeed,
  REORDER_MODES,
  type ReorderMode,
} from '../delivery/chaos';
import { parameterInvalid, parameterUnknown, resourceMissing } from '../http/errors';
import type { SandboxState } from '../state/state';
import { type ControlBody, type ControlResult, int, num, ok, str } from './control-messages';

const CHAOS_KEYS = [
  'seed',
  'duplicates',
  'duplicate_probability',
  'delay_ms',
  'min_delay_ms',
  'max_delay_ms',
  'reorder',
  'batch_size',
  'hold_ms',
];
const CLOCK_KEYS = ['frozen_at', 'offset_seconds', 'advance_seconds'];
const MAX_DELAY_MS = 10 * 60 * 1000;

/** Unknown keys are refused, so a typo in a test cannot silently turn chaos down. */
function onlyKeys(body: ControlBody, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw parameterUnknown(key);
}

/** The body of `POST /_sandbox/chaos`; every key is optional (defaults: no chaos of that kind). */
function chaosSettings(body: ControlBody): ChaosSettings {
  onlyKeys(body, CHAOS_KEYS);
  const delayRange = { min: 0, max: MAX_DELAY_MS };
  const delay = num(body, 'delay_ms', delayRange);
  const minDelayMs = num(body, 'min_delay_ms', delayRange) ?? delay ?? CHAOS_DEFAULTS.minDelayMs;
  const maxDelayMs = num(body, 'max_delay_ms', delayRange) ?? delay ?? minDelayMs;
  if (maxDelayMs < minDelayMs)
    throw parameterInvalid('max_delay_ms', 'max_delay_ms must be at least min_delay_ms');
  const reorder = (str(body, 'reorder') ?? CHAOS_DEFAULTS.reorder) as ReorderMode;
  if (!REORDER_MODES.includes(reorder))
    throw parameterInvalid('reorder', `reorder must be one of ${REORDER_MODES.join(', ')}`);
  return {
    seed: num(body, 'seed', { min: 0, max: 2 ** 32 - 1 }) ?? newSeed(),
    duplicates: num(body, 'duplicates', { min: 1, max: 10 }) ?? CHAOS_DEFAULTS.duplicates,
    duplicateProbability:
      num(body, 'duplicate_probability', { min: 0, max: 1, integer: false }) ??
      CHAOS_DEFAULTS.duplicateProbability,
    minDelayMs,
    maxDelayMs,
    reorder,
    batchSize: num(body, 'batch_size', { min: 1, max: 1000 }) ?? CHAOS_DEFAULTS.batchSize,
    holdMs: num(body, 'hold_ms', { min: 0, max: MAX_DELAY_MS }) ?? CHAOS_DEFAULTS.holdMs,
  };
}

function setClock(state: SandboxState, body: ControlBody): void {
  onlyKeys(body, CLOCK_KEYS);
  const frozenAt = str(body, 'frozen_at');
  const offset = int(body, 'offset_seconds');
  const advance = int(body, 'advance_seconds');
  if (frozenAt === undefined && offset === undefined && advance === undefined) {
    throw parameterInvalid(
      'frozen_at',
      'Give frozen_at (unix seconds or "now"), offset_seconds or advance_seconds.',
    );
  }
  if (offset !== undefined) state.clock.setOffset(offset);
  if (frozenAt === 'now') state.clock.freeze();
  else if (frozenAt !== undefined) state.clock.freeze(int(body, 'frozen_at'));
  if (advance !== undefined) state.clock.advance(advance);
}

/**
 * `POST /_sandbox/event_destinations/<id>/signing_secret {"secret": "whsec_..."}`: signs a
 * `webhook_endpoint` destination's deliveries with a secret the receiver already has (a
 * local service started with a fixed signing secret), instead of storing the destination's
 * own secret there. Not Stripe's API: a test control.
 */
function setDestinationSecret(state: SandboxState, id: string, body: ControlBody) {
  const record = state.delivery.destinations.get(id);
  if (!record) throw resourceMissing('event destination', id);
  if (record.secret === null)
    throw parameterInvalid('secret', 'Only webhook_endpoint destinations are signed.');
  onlyKeys(body, ['secret']);
  const secret = str(body, 'secret');
  if (secret?.startsWith('whsec_') !== true)
    throw parameterInvalid('secret', 'secret must be a whsec_ signing secret.');
  record.secret = secret;
  return { id, signing_secret: secret };
}

/**
 * The controls of webhook delivery: where the start-option endpoints point, the delivery
 * log, chaos, the clock that stamps `created`, and a sink that acknowledges anything.
 * Answers undefined for a route it does not own.
 */
export async function handleDeliveryControl(
  state: SandboxState,
  route: string,
  query: URLSearchParams,
  body: ControlBody,
): Promise<ControlResult | undefined> {
  const delivery = state.delivery;
  const secretOf = /^POST event_destinations\/([^/]+)\/signing_secret$/.exec(route);
  if (secretOf) return ok(setDestinationSecret(state, decodeURIComponent(secretOf[1] ?? ''), body));
  switch (route) {
    case 'GET webhook-endpoints':
      return ok({ urls: delivery.endpoints });
    case 'POST webhook-endpoints': {
      const urls = body.urls;
      if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string' && URL.canParse(u))) {
        throw parameterInvalid('urls', 'urls must be a list of URLs');
      }
      delivery.configure({ endpoints: urls as string[] });
      return ok({ urls });
    }
    case 'GET deliveries': {
      if (query.get('wait') === 'true') await delivery.idle();
      const eventId = query.get('event');
      const endpointId = query.get('endpoint');
      return ok({
        deliveries: delivery.attempts.filter(
          (a) =>
            (eventId === null || a.eventId === eventId) &&
            (endpointId === null || a.endpointId === endpointId),
        ),
      });
    }
    case 'GET chaos':
      return ok(delivery.chaos.describe());
    case 'POST chaos':
      delivery.chaos.enable(chaosSettings(body));
      return ok(delivery.chaos.describe());
    case 'DELETE chaos': {
      const released = delivery.chaos.disable();
      return ok({ ...delivery.chaos.describe(), released });
    }
    case 'POST chaos/flush':
      return ok({ released: delivery.chaos.flush() });
    case 'GET clock':
      return ok(state.clock.describe());
    case 'POST clock':
      setClock(state, body);
      return ok(state.clock.describe());
    case 'DELETE clock':
      state.clock.reset();
      return ok(state.clock.describe());
    case 'POST sink':
      // An endpoint that acknowledges and discards: "the wrong endpoint" of a test.
      return ok({ received: true });
    default:
      return undefined;
  }
}
