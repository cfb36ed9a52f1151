import { invalidRequest } from '../http/errors';
import { isInquiry, newDispute } from '../objects/disputes';
import type { StripeObject } from '../objects/fixtures';
import type { RequestOrigin, SandboxState } from '../state/state';
import { chargeOfIntent } from './refunds';

/**
 * Disputes, as Stripe's dispute test cards and test evidence play them. A payment with a
 * dispute card succeeds, then the charge is disputed (`charge.dispute.created`). Evidence
 * submitted with `uncategorized_text` `winning_evidence` wins it, `losing_evidence` loses
 * it (`charge.dispute.updated`, then `charge.dispute.closed`); closing it accepts the loss.
 */

/** The evidence texts that decide a test dispute, as Stripe documents them. */
export const WINNING_EVIDENCE = 'winning_evidence';
export const LOSING_EVIDENCE = 'losing_evidence';

/**
 * What follows a successful payment at Stripe: its charge is kept, and a dispute card's
 * charge is disputed. Run after each event (see `server/server.ts`).
 */
export function afterPaymentEvent(
  state: SandboxState,
  type: string,
  object: StripeObject,
  origin: RequestOrigin,
): void {
  if (type !== 'payment_intent.succeeded') return;
  const charge = chargeOfIntent(state, object);
  const pm = typeof object.payment_method === 'string' ? object.payment_method : undefined;
  const dispute = pm === undefined ? undefined : state.cards.get(pm)?.dispute;
  if (!charge || !dispute || charge.disputed === true) return;
  const opened = state.store.put('dispute', newDispute(charge, dispute));
  charge.disputed = true;
  state.emit('charge.dispute.created', opened, origin);
}

/** A dispute's final status: won or lost, or, for an inquiry, closed without a chargeback. */
function finalStatus(dispute: StripeObject, won: boolean): string {
  if (isInquiry(dispute)) return won ? 'warning_closed' : 'lost';
  return won ? 'won' : 'lost';
}

/** Stripe's 400 for a dispute that no longer takes evidence or a close. */
function assertAwaitingResponse(dispute: StripeObject): void {
  if (dispute.status === 'needs_response' || dispute.status === 'warning_needs_response') return;
  throw invalidRequest(
    `This dispute is ${String(dispute.status)} and can no longer be responded to.`,
    null,
    'evidence',
  );
}

export interface DisputeUpdate {
  readonly evidence: Record<string, string> | undefined;
  readonly metadata: Record<string, string>;
  /** `submit` as given: evidence is submitted unless it is false. */
  readonly submit: boolean | undefined;
}

/**
 * Updates a dispute: evidence staged (`submit=false`) or submitted, metadata. Submitted,
 * the dispute is under review (`charge.dispute.updated`); Stripe's test evidence then
 * decides it (`charge.dispute.closed`). Other evidence leaves it under review.
 */
export function updateDispute(
  state: SandboxState,
  dispute: StripeObject,
  update: DisputeUpdate,
  origin: RequestOrigin,
): StripeObject {
  const respond = update.evidence !== undefined || update.submit === true;
  if (respond) assertAwaitingResponse(dispute);
  dispute.metadata = update.metadata;
  const evidence = dispute.evidence as StripeObject;
  Object.assign(evidence, update.evidence ?? {});
  const details = dispute.evidence_details as StripeObject;
  details.has_evidence = Object.entries(evidence).some(
    ([name, value]) => name !== 'enhanced_evidence' && value !== null && value !== '',
  );
  if (!respond || update.submit === false) {
    state.emit('charge.dispute.updated', dispute, origin);
    return dispute;
  }
  details.submission_count = (details.submission_count as number) + 1;
  dispute.status = isInquiry(dispute) ? 'warning_under_review' : 'under_review';
  state.emit('charge.dispute.updated', dispute, origin);
  const text = evidence.uncategorized_text;
  if (text === WINNING_EVIDENCE || text === LOSING_EVIDENCE)
    closeWith(state, dispute, finalStatus(dispute, text === WINNING_EVIDENCE), origin);
  return dispute;
}

function closeWith(
  state: SandboxState,
  dispute: StripeObject,
  status: string,
  origin: RequestOrigin,
): void {
  dispute.status = status;
  state.emit('charge.dispute.closed', dispute, origin);
}

/** `…/close`: the seller accepts the dispute; it is lost (an inquiry: closed). */
export function closeDispute(
  state: SandboxState,
  dispute: StripeObject,
  origin: RequestOrigin,
): StripeObject {
  assertAwaitingResponse(dispute);
  closeWith(state, dispute, finalStatus(dispute, isInquiry(dispute)), origin);
  return dispute;
}
