import { SignJWT } from 'jose';

export interface TokenOptions {
  readonly secret: string;
  readonly claims?: Record<string, unknown>;
  readonly subject?: string;
  /** Seconds from now; `null` leaves `exp` out. */
  readonly expiresIn?: number | null;
  readonly algorithm?: 'HS256' | 'HS384' | 'HS512';
}

/** Signs an access token the way the platform's auth service does (HS256 by default). */
export async function signAccessToken(options: TokenOptions): Promise<string> {
  const jwt = new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setIssuedAt();
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  const expiresIn = options.expiresIn === undefined ? 3600 : options.expiresIn;
  if (expiresIn !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

/** An unsigned (`alg: none`) token: the classic forgery every verifier must refuse. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}
