import { notImplemented } from './errors';
import type { HttpResponse } from './http';
import type { PublicRequest } from './http-handler';

/**
 * Scaffolding for a route whose feature has its own issue: wired end to end (stack,
 * local run), answering 501 `not_implemented` until that issue replaces it.
 */
export const notImplementedRoute = ({ event }: PublicRequest): Promise<HttpResponse> =>
  Promise.reject(notImplemented(event.routeKey));
