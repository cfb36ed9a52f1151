import {
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import { EVENT_LEDGER_TABLE } from '../../lambda/shared/tables';
import { lambdaContext } from '../../test/support/api-events';
import { paymentIntentObject, stripeEvent } from '../../test/support/stripe-events';
import { type InstrumentedHandlers, webhookDelivery } from '../local-services';
import type { RecordedCall } from '../support';
import { inTurn, type InTurnRun, nth, REQUESTS, WARM_UP } from './in-turn';

/**
 * Warm webhook: distinct events, the user in their metadata (no customer lookup). Its
 * floor replays the exact requests of one more delivery, recorded with their inputs.
 */
export async function measureWarmWebhook(handlers: InstrumentedHandlers): Promise<InTurnRun> {
  const deliveries = Array.from({ length: REQUESTS + WARM_UP }, succeededPayment);
  const webhook = async (i: number) => {
    const response = await handlers.webhook(nth(deliveries, i), lambdaContext());
    if (response.statusCode !== 200)
      throw new Error(`webhook answered ${response.statusCode}: ${response.body}`);
  };
  for (let i = 0; i < WARM_UP; i++) await webhook(REQUESTS + i);
  const floorRequests = await replayableDeliveries(handlers);
  const webhookFloor = async (i: number) => {
    for (const call of nth(floorRequests, i)) await replay(handlers, call);
  };
  for (let i = 0; i < WARM_UP; i++) await webhookFloor(REQUESTS + i);
  return inTurn(handlers, REQUESTS, webhook, webhookFloor);
}

/** A delivery of a distinct `payment_intent.succeeded`, signed as Stripe signs. */
const succeededPayment = () =>
  webhookDelivery(
    JSON.stringify(stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'))),
  );

/**
 * The requests one more delivery makes, recorded with their inputs, once per floor request:
 * each idempotency record under a key of its own (prepared here, as the deliveries are).
 */
async function replayableDeliveries(handlers: InstrumentedHandlers): Promise<RecordedCall[][]> {
  const sample: RecordedCall[] = [];
  const recording = { calls: sample, inputs: true };
  handlers.dynamoCalls.recording = recording;
  handlers.snsCalls.recording = recording;
  await handlers.webhook(succeededPayment(), lambdaContext());
  handlers.dynamoCalls.recording = undefined;
  handlers.snsCalls.recording = undefined;
  const sampleText = JSON.stringify(sample);
  const keys = idempotencyKeys(sample);
  return Array.from({ length: REQUESTS + WARM_UP }, (_, i) => {
    let text = sampleText;
    for (const key of keys) text = text.replaceAll(key, `${key}-floor-${String(i)}`);
    return JSON.parse(text) as RecordedCall[];
  });
}

/**
 * Sends one recorded call again through the same client: the webhook's floor replays the
 * exact requests a delivery made (Powertools' conditional writes as Powertools wrote them,
 * the billing event's message and attributes), so the stand-ins' cost per call is the same
 * on both sides and the difference is the handler's own.
 */
function replay(handlers: InstrumentedHandlers, call: RecordedCall): Promise<unknown> {
  switch (`${call.service}.${call.command}`) {
    case 'DynamoDB.PutItemCommand':
      return handlers.dynamo.send(new PutItemCommand(call.input as PutItemCommandInput));
    case 'DynamoDB.UpdateItemCommand':
      return handlers.dynamo.send(new UpdateItemCommand(call.input as UpdateItemCommandInput));
    case 'SNS.PublishCommand':
      return handlers.sns.send(new PublishCommand(call.input as PublishCommandInput));
    default:
      throw new Error(`The webhook floor cannot replay ${call.service}.${call.command}.`);
  }
}

/** The idempotency records' keys the recorded calls name, so a replay can use fresh ones. */
function idempotencyKeys(calls: readonly RecordedCall[]): string[] {
  const keyName = EVENT_LEDGER_TABLE.partitionKey.name;
  const keys = new Set<string>();
  for (const { input } of calls) {
    const { Item, Key } = input as {
      Item?: Record<string, { S?: string }>;
      Key?: Record<string, { S?: string }>;
    };
    const key = (Item ?? Key)?.[keyName]?.S;
    if (key !== undefined) keys.add(key);
  }
  return [...keys];
}
