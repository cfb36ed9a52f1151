/**
 * The per-user request limit of the authenticated routes (contract section 4): at most
 * `requests` in each fixed window of `windowSeconds`. Windows are aligned to the epoch, so
 * every function instance agrees on where a window starts without asking anyone, and a
 * window's counter is a key of its own that nothing has to reset.
 *
 * A fixed window lets a caller spend one window's requests at its very end and the next
 * window's at the very start: at most twice the limit within any span of one window. That
 * is the price of one conditional write per request (no read, no list of timestamps).
 */
export interface UserRequestLimit {
  readonly requests: number;
  readonly windowSeconds: number;
}

/** One window of the limit, in epoch seconds: from `startSeconds` up to `endSeconds`. */
export interface LimitWindow {
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/** The window `nowMs` falls in. */
export function limitWindow(nowMs: number, windowSeconds: number): LimitWindow {
  const startSeconds = Math.floor(Math.floor(nowMs / 1000) / windowSeconds) * windowSeconds;
  return { startSeconds, endSeconds: startSeconds + windowSeconds };
}

/**
 * What `Retry-After` says: the whole seconds until the window ends, at least 1 (a caller
 * told 0 would retry at once, still inside the full window).
 */
export function secondsUntilWindowEnds(window: LimitWindow, nowMs: number): number {
  return Math.max(1, Math.ceil((window.endSeconds * 1000 - nowMs) / 1000));
}

/** A request counted against its user's limit, or refused until the window ends. */
export type Admission =
  { readonly admitted: true } | { readonly admitted: false; readonly retryAfterSeconds: number };

/** The limiter port: the API function's DynamoDB adapter; a scripted fake in unit tests. */
export interface UserRequestLimiter {
  /**
   * Counts one request of `userId` in the current window, unless the window is full: then
   * nothing is counted and the answer says how long until the next window. `signal` is
   * aborted when the caller stops waiting (the request is then served uncounted).
   */
  admit(userId: string, signal?: AbortSignal): Promise<Admission>;
}
