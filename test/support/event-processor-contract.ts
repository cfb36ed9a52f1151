import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import {
  EventInProgressError,
  type ProcessedEvent,
  type StripeDelivery,
} from '../../lambda/domain/event-ledger';
import { localContext } from '../../local/http-adapter';

type Process = (delivery: StripeDelivery) => Promise<{ readonly billingEventId: string }>;
type Processor = (delivery: StripeDelivery, context: Context) => Promise<ProcessedEvent<object>>;

const delivery = (id: string): StripeDelivery => ({
  event: { id, type: 'payment_intent.succeeded' } as Stripe.Event,
  rawBody: Buffer.from(`{"id":"${id}"}`),
});

/**
 * What the event ledger promises every way in, written once and run against
 * `idempotentProcessor` on DynamoDB Local and the in-memory ledger of the unit tests'
 * `FakePipeline`: each event id is processed once; a redelivery gets the stored outcome;
 * a failure records nothing; a delivery during the processing is told to come back.
 */
export function eventProcessorContract(make: (process: Process) => Promise<Processor>): void {
  let runs: string[];
  let gate: Promise<undefined> | undefined;
  let failNext: boolean;
  let processor: Processor;
  beforeEach(async () => {
    runs = [];
    gate = undefined;
    failNext = false;
    processor = await make(async (d) => {
      runs.push(d.event.id);
      await gate;
      if (failNext) {
        failNext = false;
        throw new Error('SNS is down');
      }
      return { billingEventId: `${d.event.id}:x` };
    });
  });
  const context = () => localContext('contract');

  it('processes an event id once: a redelivery gets the stored outcome without a run', async () => {
    const first = await processor(delivery('evt_once'), context());
    const again = await processor(delivery('evt_once'), context());
    expect(first).toEqual({ outcome: { billingEventId: 'evt_once:x' }, alreadyProcessed: false });
    expect(again).toEqual({ outcome: { billingEventId: 'evt_once:x' }, alreadyProcessed: true });
    expect(runs).toEqual(['evt_once']);
  });

  it('records nothing for a failed run: the next delivery runs it again', async () => {
    failNext = true;
    await expect(processor(delivery('evt_retry'), context())).rejects.toThrow('SNS is down');
    const retried = await processor(delivery('evt_retry'), context());
    expect(retried.alreadyProcessed).toBe(false);
    expect(runs).toEqual(['evt_retry', 'evt_retry']);
  });

  it('tells a delivery during the run to come back, and lets other events through', async () => {
    let open: (value: undefined) => void = () => undefined;
    gate = new Promise<undefined>((resolve) => {
      open = resolve;
    });
    const running = processor(delivery('evt_busy'), context());
    while (!runs.includes('evt_busy')) await new Promise((resolve) => setImmediate(resolve));
    await expect(processor(delivery('evt_busy'), context())).rejects.toBeInstanceOf(
      EventInProgressError,
    );
    gate = undefined;
    expect((await processor(delivery('evt_other'), context())).alreadyProcessed).toBe(false);
    open(undefined);
    expect((await running).alreadyProcessed).toBe(false);
    expect(runs).toEqual(['evt_busy', 'evt_other']);
  });
}
