import { SignJWT } from 'jose';

export interface AccessTokenOptions {
  readonly secret: string;
  readonly subject?: string;
  readonly claims?: Record<string, unknown>;
  /** Seconds from now; `null` leaves `exp` out. */
  readonly expiresIn?: number | null;
  readonly algorithm?: 'HS256' | 'HS384' | 'HS512';
}

const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/**
 * Signs an access token the way the platform's auth service does: HS256 with the shared
 * secret, `sub` (the user id), `iat` and `exp`. The one signer for the local stack's
 * `/_local/token`, the tests and the benchmarks; the other options make the tokens the
 * API must refuse (another algorithm, no `exp`, already expired).
 */
export async function signAccessToken(options: AccessTokenOptions): Promise<string> {
  const jwt = new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setIssuedAt();
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  const expiresIn = options.expiresIn === undefined ? DEFAULT_TOKEN_TTL_SECONDS : options.expiresIn;
  if (expiresIn !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
