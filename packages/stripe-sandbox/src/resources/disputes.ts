import { closeDispute, updateDispute } from '../billing/disputes';
import { parameterInvalid } from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import { EVIDENCE_FIELDS } from '../objects/disputes';
import { type ApiHandler, pathParam } from './api-context';
import { readEndpoints, requireObject, respond } from './shared';

/**
 * `/v1/disputes`: retrieve, list (`charge`, `payment_intent`), update (evidence, metadata,
 * `submit`), close. Disputes are opened by Stripe's dispute test cards (`billing/disputes.ts`).
 */

export const disputes = readEndpoints('dispute', '/v1/disputes', ['charge', 'payment_intent']);

/** `evidence[...]`: text values of Stripe's evidence fields (file fields take file ids). */
function evidenceParam(params: Params): Record<string, string> | undefined {
  const evidence = params.hash('evidence', [...EVIDENCE_FIELDS, 'enhanced_evidence']);
  if (!evidence) return undefined;
  if (evidence.has('enhanced_evidence'))
    throw parameterInvalid(
      'evidence[enhanced_evidence]',
      "The sandbox does not model enhanced evidence (`evidence[enhanced_evidence]`); see the sandbox's README.",
    );
  const given: Record<string, string> = {};
  for (const name of EVIDENCE_FIELDS) {
    const value = evidence.string(name);
    if (value !== undefined) given[name] = value;
  }
  return given;
}

/** `POST /v1/disputes/:id`: evidence staged or submitted (`submit`, default true), metadata. */
export const updateDisputeEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, ['evidence', 'metadata', 'submit']);
  const dispute = requireObject(context, 'dispute', pathParam(context, 'id'));
  const updated = updateDispute(
    context.state,
    dispute,
    {
      evidence: evidenceParam(params),
      metadata: mergeMetadata(dispute.metadata as Record<string, string>, params.metadata()),
      submit: params.boolean('submit'),
    },
    context.origin,
  );
  return respond(context, updated, params);
};

/** `POST /v1/disputes/:id/close`: the dispute accepted, lost (`charge.dispute.closed`). */
export const closeDisputeEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const dispute = requireObject(context, 'dispute', pathParam(context, 'id'));
  return respond(context, closeDispute(context.state, dispute, context.origin), params);
};
