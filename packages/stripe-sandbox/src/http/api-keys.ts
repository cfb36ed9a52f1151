import type { IncomingMessage } from 'node:http';
import { StripeApiError } from './errors';

/**
 * `Authorization: Bearer sk_test_...` (or Basic with the key as user name), as Stripe
 * accepts. Any test-mode secret or restricted key is this one account; anything else is a
 * 401 with Stripe's message.
 */
export function authenticate(request: IncomingMessage): void {
  const header = request.headers.authorization ?? '';
  let key = '';
  if (/^Bearer /i.test(header)) key = header.slice(7).trim();
  else if (/^Basic /i.test(header))
    key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
    const shown =
      key === ''
        ? 'You did not provide an API key.'
        : `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`;
    throw new StripeApiError(
      401,
      'invalid_request_error',
      shown,
      key === '' ? null : 'api_key_invalid',
    );
  }
}
