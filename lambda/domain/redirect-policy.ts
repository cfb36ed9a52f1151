/**
 * Where checkout and the portal may send a buyer back to: absolute http(s) URLs whose
 * origin is one of the environment's allowed origins, https unless the host is local.
 * The URL is returned exactly as given (Stripe's `{CHECKOUT_SESSION_ID}` placeholder
 * must reach Stripe byte for byte); it is parsed only to be checked.
 */
export type RedirectCheck = { ok: true; url: string } | { ok: false; reason: string };

export const MAX_REDIRECT_URL_LENGTH = 2048;

const LOCAL_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a URL's `hostname` is this machine: the one place plain http is allowed, for a
 * redirect and for an allowed origin alike (lib/config/). IPv6 keeps its brackets.
 */
export const isLocalHost = (hostname: string): boolean => LOCAL_HOSTS.has(hostname);

export class RedirectPolicy {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.allowedOrigins = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
  }

  check(value: string): RedirectCheck {
    if (value.length > MAX_REDIRECT_URL_LENGTH) {
      return { ok: false, reason: `is longer than ${MAX_REDIRECT_URL_LENGTH} characters` };
    }
    if (/[\s\\]/.test(value) || hasControlCharacter(value)) {
      return { ok: false, reason: 'contains whitespace, control characters or backslashes' };
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { ok: false, reason: 'is not an absolute URL' };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return { ok: false, reason: 'must be an http(s) URL' };
    if (url.username !== '' || url.password !== '')
      return { ok: false, reason: 'must not carry credentials' };
    if (url.protocol === 'http:' && !isLocalHost(url.hostname))
      return { ok: false, reason: 'must use https' };
    if (!this.allowedOrigins.has(url.origin))
      return { ok: false, reason: `points at an origin that is not allowed (${url.origin})` };
    return { ok: true, url: value };
  }
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
