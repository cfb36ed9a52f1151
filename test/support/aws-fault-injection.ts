import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';

/**
 * A fault seam for tests: fails the Nth call of one AWS SDK v3 command on one client, so a
 * test can stop a request between two of its writes (the lock written, then the publish
 * failing; the publish done, then the completion write failing) and prove the retry
 * converges.
 *
 *   const fault = injectFault(dynamo, { command: 'UpdateItemCommand', nth: 1, error: throttled() });
 *   ... // the request under test
 *   expect(fault.calls).toBe(1); expect(fault.failures).toBe(1);
 *   fault.remove();
 *
 * - `command` is the SDK command's class name as the client runs it: `PublishCommand`,
 *   `PutItemCommand`, `UpdateItemCommand`, `DeleteItemCommand`, `QueryCommand`... The
 *   document client (`@aws-sdk/lib-dynamodb`) runs the low-level commands on its client's
 *   stack, so its `PutCommand` counts as `PutItemCommand`, and Powertools idempotency's
 *   calls count too (PutItem: the lock; UpdateItem: the completion; DeleteItem: release).
 * - The fault fails the whole `send()`, before the SDK's retry strategy (the initialize
 *   step): what the caller sees is exactly `error`, as after a dependency's retries ran
 *   out. Nothing reaches the service for a failed call.
 * - Calls are counted from the injection on; `times` consecutive calls fail from the nth
 *   (default 1; `Infinity` for every one after; 0 only counts, a probe).
 * - `answerLost`: the call does reach the service (its retries included), and then the
 *   caller sees `error` as if the answer never came back (a timeout after the service
 *   acted): the window in which a write happened that its caller cannot know of.
 */
export interface FaultSpec {
  readonly command: string;
  /** 1-based: the first call of `command` after the injection is 1. */
  readonly nth: number;
  readonly times?: number;
  /** Thrown as is, or built per failure (a fresh error each time). */
  readonly error: Error | (() => Error);
  /** The call reaches the service first; only its answer is lost. */
  readonly answerLost?: boolean;
}

export interface FaultHandle {
  /** Calls of the command seen since the injection, failed ones included. */
  readonly calls: number;
  /** Calls the fault failed. */
  readonly failures: number;
  /** Takes the fault off the client: later calls pass through. */
  remove(): void;
}

let injected = 0;

export function injectFault<Input extends object, Output extends object>(
  client: { readonly middlewareStack: MiddlewareStack<Input, Output> },
  spec: FaultSpec,
): FaultHandle {
  const times = spec.times ?? 1;
  const name = `injectedFault${String((injected += 1))}`;
  let calls = 0;
  let failures = 0;
  const middleware: InitializeMiddleware<Input, Output> = (next, context) => async (args) => {
    if (context.commandName !== spec.command) return next(args);
    calls += 1;
    if (calls >= spec.nth && calls < spec.nth + times) {
      failures += 1;
      if (spec.answerLost === true) await next(args);
      throw typeof spec.error === 'function' ? spec.error() : spec.error;
    }
    return next(args);
  };
  // Innermost at its step: other initialize middleware (e.g. the dependency naming of
  // lambda/core/dependencies.ts) sees the fault as it would see a real failure.
  client.middlewareStack.add(middleware, { step: 'initialize', name, priority: 'low' });
  return {
    get calls() {
      return calls;
    },
    get failures() {
      return failures;
    },
    remove() {
      client.middlewareStack.remove(name);
    },
  };
}

/**
 * An error shaped as the SDK's service exceptions are (`name`, `$fault`, `$metadata`,
 * `$retryable`), so code that classifies AWS errors sees what a real one would show.
 */
export class InjectedAwsError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId: string };
  readonly $retryable?: { readonly throttling: boolean };

  constructor(options: {
    name: string;
    message: string;
    status: number;
    fault: 'client' | 'server';
    throttling?: boolean;
  }) {
    super(options.message);
    this.name = options.name;
    this.$fault = options.fault;
    this.$metadata = { httpStatusCode: options.status, requestId: 'injected-fault' };
    if (options.throttling !== undefined) this.$retryable = { throttling: options.throttling };
  }
}

/** A 503: the service is unavailable (DynamoDB and SNS both send this name). */
export const serviceUnavailable = (): InjectedAwsError =>
  new InjectedAwsError({
    name: 'ServiceUnavailable',
    message: 'Service unavailable (injected fault)',
    status: 503,
    fault: 'server',
  });

/** A throttle, as DynamoDB and SNS name theirs (`ThrottlingException`, HTTP 400). */
export const throttled = (): InjectedAwsError =>
  new InjectedAwsError({
    name: 'ThrottlingException',
    message: 'Rate exceeded (injected fault)',
    status: 400,
    fault: 'client',
    throttling: true,
  });
