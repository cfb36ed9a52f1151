import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { unauthorized } from './errors';
import { getHeader } from './http';

/** Who is calling, from a verified access token. */
export interface AuthenticatedUser {
  readonly userId: string;
  readonly email?: string;
  readonly role?: string;
}

/** The secret that signs access tokens; read per request so a rotation takes effect. */
export type SigningSecretSource = () => Promise<string>;

const MAX_CLAIM_LENGTH = 256;
/** The contract's bound on user ids, in Unicode characters (code points). */
export const MAX_USER_ID_LENGTH = 512;

/**
 * How far ahead of this function's clock a token's `iat` may be: the issuer's clock and
 * Lambda's may differ by a little, never by minutes.
 */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

/** The longest a token may live (`exp` - `iat`) unless the environment says otherwise. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

export interface TokenRequirements {
  /** When set, a token without this `iss` is refused. */
  readonly issuer?: string;
  /** When set, a token without this `aud` is refused. */
  readonly audience?: string;
  /**
   * A token that lives longer (`exp` - `iat`, or `exp` - now without `iat`) is refused:
   * a leaked token with `exp` years ahead must not work for years. Default
   * `DEFAULT_MAX_TOKEN_LIFETIME_SECONDS`.
   */
  readonly maxLifetimeSeconds?: number;
  /** The clock (tests move it); `Date.now` by default. */
  readonly now?: () => number;
}

type Jose = typeof import('jose');

/**
 * Verifies the platform's access tokens: HS256 only (never `none`, never an asymmetric
 * algorithm whose key could be confused with the shared secret), `exp` required, the user
 * id from `sub` or else `userId`. `jose` is loaded with the first token: a function whose
 * requests are public (the price listing) never pays for it at cold start.
 */
export class JwtAuthenticator {
  constructor(
    private readonly signingSecret: SigningSecretSource,
    private readonly requirements: TokenRequirements = {},
  ) {}

  async authenticate(event: Pick<APIGatewayProxyEventV2, 'headers'>): Promise<AuthenticatedUser> {
    const token = bearerToken(event);
    // Encoded per request: jose imports a raw secret afresh on every verify anyway.
    const key = new TextEncoder().encode(await this.signingSecret());
    const jose = await import('jose');
    let payload: Record<string, unknown>;
    const now = this.requirements.now?.() ?? Date.now();
    try {
      ({ payload } = await jose.jwtVerify(token, key, {
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
        // Named one by one, never spread: nothing else may reach jose's options. jose
        // checks neither claim when its option is undefined.
        issuer: this.requirements.issuer,
        audience: this.requirements.audience,
        currentDate: new Date(now),
      }));
    } catch (error) {
      throw unauthorized(describeJoseError(jose, error));
    }
    checkTokenTimes(
      payload,
      Math.floor(now / 1000),
      this.requirements.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
    );
    const userId = userIdClaim(payload.sub !== undefined ? payload.sub : payload.userId);
    return {
      userId,
      ...optional('email', stringClaim(payload.email)),
      ...optional('role', stringClaim(payload.role)),
    };
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(event: Pick<APIGatewayProxyEventV2, 'headers'>): string {
  const header = getHeader(event, 'authorization');
  if (header === undefined || header.trim() === '') {
    throw unauthorized(
      'Sign in first: send Authorization: Bearer <access token>.',
      'missing_token',
    );
  }
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header.trim());
  if (!match?.[1]) {
    throw unauthorized('The Authorization header must be "Bearer <access token>".');
  }
  return match[1];
}

/**
 * What jose leaves to us (it checks `iat` only with `maxTokenAge`, which would require
 * the claim): a token issued in the future beyond the skew, or one that lives longer
 * than the maximum. jose has already made `exp` (required) and `iat` numbers if present.
 */
function checkTokenTimes(
  payload: Record<string, unknown>,
  nowSeconds: number,
  maxLifetimeSeconds: number,
): void {
  const iat = typeof payload.iat === 'number' ? payload.iat : undefined;
  const exp = payload.exp as number;
  if (iat !== undefined && iat > nowSeconds + TOKEN_CLOCK_SKEW_SECONDS) {
    throw unauthorized('The access token was issued in the future (its "iat" is ahead of now).');
  }
  if (exp - (iat ?? nowSeconds) > maxLifetimeSeconds) {
    throw unauthorized(
      `The access token lives longer than the ${String(maxLifetimeSeconds)} seconds this service accepts.`,
    );
  }
}

/** `jose` is the module that threw: its error classes are the ones `instanceof` can match. */
function describeJoseError({ errors: joseErrors }: Jose, error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The access token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `The access token's "${error.claim}" claim is invalid or missing.`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return 'The access token must be signed with HS256.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'The access token signature is invalid.';
  }
  return 'The access token is malformed or invalid.';
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The user id exactly as the token gives it: never trimmed or case-folded (" a " and "a"
 * are two users), any well-formed Unicode of 1 to 512 characters. What reaches Stripe is
 * derived from it to fit Stripe's limits (see `stripe-identity.ts`).
 */
function userIdClaim(value: unknown): string {
  const userId = Number.isSafeInteger(value) ? String(value) : value;
  if (typeof userId !== 'string' || userId === '') {
    throw unauthorized('The access token names no user (no "sub" or "userId" claim).');
  }
  // Counted in code points, not UTF-16 units (🦊 is one of the 512), once no lone surrogate is left.
  if (LONE_SURROGATE.test(userId) || Array.from(userId).length > MAX_USER_ID_LENGTH) {
    throw unauthorized(
      `The access token's user id must be well-formed Unicode of at most ${MAX_USER_ID_LENGTH} characters.`,
    );
  }
  return userId;
}

function stringClaim(value: unknown): string | undefined {
  if (Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed !== '' && trimmed.length <= MAX_CLAIM_LENGTH ? trimmed : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
