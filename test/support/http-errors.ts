import { HttpError } from '../../lambda/core/errors';

/** The HttpError `fn` throws; fails the test if it throws nothing or something else. */
export function thrownHttpError(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError, but nothing was thrown');
}

/** The HttpError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export async function rejectedHttpError(promise: Promise<unknown>): Promise<HttpError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof HttpError) return outcome;
  if (outcome instanceof Error) throw outcome;
  throw new Error(
    `expected an HttpError, got ${outcome === undefined ? 'a resolved promise' : JSON.stringify(outcome)}`,
  );
}
