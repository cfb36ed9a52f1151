import { jsonResponse, parseJsonObject, type HttpResponse } from '../../core/http';
import type { AuthenticatedRequest } from '../../core/http-handler';
import { BodyReader } from '../../core/validation';
import { MAX_REDIRECT_URL_LENGTH, type RedirectPolicy } from '../../domain/redirect-policy';
import { createPortalSession, type PortalDependencies } from '../use-cases/portal-session';
import { checkedRedirectUrl } from './redirect-url';

/** POST /stripe/portal */
export const portalRoute =
  (deps: PortalDependencies, redirects: RedirectPolicy) =>
  async ({ event, user }: AuthenticatedRequest): Promise<HttpResponse> => {
    const body = new BodyReader(parseJsonObject(event), ['returnUrl']);
    const returnUrl = checkedRedirectUrl(
      redirects,
      'returnUrl',
      body.requiredString('returnUrl', MAX_REDIRECT_URL_LENGTH),
    );
    return jsonResponse(200, await createPortalSession(deps, user, returnUrl));
  };
