import { generateKeyPair, SignJWT } from 'jose';
import {
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  JwtAuthenticator,
  TOKEN_CLOCK_SKEW_SECONDS,
} from '../../../../lambda/core/auth';
import { HttpError } from '../../../../lambda/core/errors';
import { rejectedHttpError } from '../../../support/http-errors';
import { signAccessToken, unsignedToken } from '../../../support/tokens';

const SECRET = 'test-jwt-secret-with-enough-length';
const authenticator = new JwtAuthenticator(() => Promise.resolve(SECRET));
const withToken = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const rejection = (headers: Record<string, string>) =>
  rejectedHttpError(authenticator.authenticate({ headers }));

describe('JwtAuthenticator', () => {
  it('accepts an HS256 token with exp and takes the user from sub', async () => {
    const token = await signAccessToken({
      secret: SECRET,
      subject: 'user-1',
      claims: { email: 'ada@example.com', role: 'student' },
    });
    await expect(authenticator.authenticate(withToken(token))).resolves.toEqual({
      userId: 'user-1',
      email: 'ada@example.com',
      role: 'student',
    });
  });

  it('takes the user from userId when there is no sub, with no email or role keys', async () => {
    const token = await signAccessToken({ secret: SECRET, claims: { userId: 'user-2' } });
    await expect(authenticator.authenticate(withToken(token))).resolves.toStrictEqual({
      userId: 'user-2',
    });
  });

  it('accepts any number of spaces after the scheme and whitespace around the header', async () => {
    const token = await signAccessToken({ secret: SECRET, subject: 'user-4' });
    const user = await authenticator.authenticate({
      headers: { authorization: `  Bearer   ${token}  ` },
    });
    expect(user.userId).toBe('user-4');
  });

  it.each([
    ['another scheme ending in Bearer', (token: string) => `NotBearer ${token}`],
    ['a second word after the token', (token: string) => `Bearer ${token} extra`],
    ['a character outside the token alphabet', (token: string) => `Bearer ${token}"`],
  ])('refuses a valid token with %s as invalid_token', async (_name, header) => {
    const token = await signAccessToken({ secret: SECRET, subject: 'u' });
    const error = await rejection({ authorization: header(token) });
    expect([error.status, error.code, error.message]).toEqual([
      401,
      'invalid_token',
      'The Authorization header must be "Bearer <access token>".',
    ]);
  });

  it('accepts the scheme in any case', async () => {
    const token = await signAccessToken({ secret: SECRET, subject: 'user-3' });
    const user = await authenticator.authenticate({
      headers: { Authorization: `bearer ${token}` },
    });
    expect(user.userId).toBe('user-3');
  });

  it('picks up a rotated signing secret', async () => {
    let secret = 'first-secret-value-000000000000';
    const rotating = new JwtAuthenticator(() => Promise.resolve(secret));
    const oldToken = await signAccessToken({ secret, subject: 'u' });
    await expect(rotating.authenticate(withToken(oldToken))).resolves.toEqual({ userId: 'u' });
    secret = 'second-secret-value-11111111111';
    await expect(rotating.authenticate(withToken(oldToken))).rejects.toBeInstanceOf(HttpError);
    const newToken = await signAccessToken({ secret, subject: 'u' });
    await expect(rotating.authenticate(withToken(newToken))).resolves.toEqual({ userId: 'u' });
  });

  it.each([
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['a blank Authorization header', { authorization: '   ' }],
  ])(
    'rejects a request with %s as missing_token, telling the caller to sign in',
    async (_, headers) => {
      const error = await rejection(headers);
      expect([error.status, error.code, error.message]).toEqual([
        401,
        'missing_token',
        'Sign in first: send Authorization: Bearer <access token>.',
      ]);
    },
  );

  const notBearer = 'The Authorization header must be "Bearer <access token>".';
  it.each([
    ['a Basic header', 'Basic dXNlcjpwYXNz', notBearer],
    ['a bare token', 'abc.def.ghi', notBearer],
    ['Bearer with nothing', 'Bearer ', notBearer],
    ['garbage', 'Bearer not-a-jwt', 'The access token is malformed or invalid.'],
  ])('rejects %s as invalid_token, saying why', async (_name, header, message) => {
    const error = await rejection({ authorization: header });
    expect([error.status, error.code, error.message]).toEqual([401, 'invalid_token', message]);
  });

  it('rejects a token signed with another secret', async () => {
    const token = await signAccessToken({ secret: 'some-other-secret-000000000000', subject: 'u' });
    expect((await rejection(withToken(token).headers)).message).toMatch(/signature/);
  });

  it('rejects an expired token', async () => {
    const token = await signAccessToken({ secret: SECRET, subject: 'u', expiresIn: -60 });
    expect((await rejection(withToken(token).headers)).message).toMatch(/expired/);
  });

  it('rejects a token without exp', async () => {
    const token = await signAccessToken({ secret: SECRET, subject: 'u', expiresIn: null });
    const error = await rejection(withToken(token).headers);
    expect([error.status, error.message]).toEqual([401, expect.stringMatching(/"exp"/)]);
  });

  it('rejects an unsigned alg=none token', async () => {
    const token = unsignedToken({ sub: 'admin', exp: Math.floor(Date.now() / 1000) + 3600 });
    expect((await rejection(withToken(token).headers)).status).toBe(401);
  });

  it('rejects HMAC algorithms other than HS256', async () => {
    const token = await signAccessToken({ secret: SECRET, subject: 'u', algorithm: 'HS512' });
    expect((await rejection(withToken(token).headers)).message).toMatch(/HS256/);
  });

  it('rejects an asymmetric (RS256) token', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await rejection(withToken(token).headers)).status).toBe(401);
  });

  it('rejects a token that names no user', async () => {
    const token = await signAccessToken({ secret: SECRET, claims: { email: 'x@example.com' } });
    expect((await rejection(withToken(token).headers)).message).toMatch(/no user/);
  });

  it('rejects a token whose sub is not a string', async () => {
    const token = await signAccessToken({ secret: SECRET, claims: { sub: { id: 1 } } });
    expect((await rejection(withToken(token).headers)).status).toBe(401);
  });
});

describe('numeric claims', () => {
  const authenticate = async (claims: Record<string, unknown>) =>
    authenticator.authenticate(withToken(await signAccessToken({ secret: SECRET, claims })));

  it('takes a whole-number user id as its decimal text', async () => {
    await expect(authenticate({ userId: 42 })).resolves.toStrictEqual({ userId: '42' });
  });

  it.each([
    ['a fraction', 1.5],
    ['an integer too large to be exact', 2 ** 53],
  ])('refuses a user id that is %s: it names no user', async (_, userId) => {
    const error = await rejectedHttpError(authenticate({ userId }));
    expect([error.status, error.message]).toEqual([
      401,
      'The access token names no user (no "sub" or "userId" claim).',
    ]);
  });

  it('takes a whole-number role as its decimal text', async () => {
    await expect(authenticate({ sub: 'u', role: 7 })).resolves.toStrictEqual({
      userId: 'u',
      role: '7',
    });
  });
});

describe('email and role claims', () => {
  const userWith = async (claims: Record<string, unknown>) =>
    authenticator.authenticate(
      withToken(await signAccessToken({ secret: SECRET, subject: 'u', claims })),
    );

  it('trims them', async () => {
    await expect(userWith({ email: '  ada@example.com ', role: ' admin ' })).resolves.toEqual({
      userId: 'u',
      email: 'ada@example.com',
      role: 'admin',
    });
  });

  it('keeps a role of exactly 256 characters', async () => {
    const role = 'r'.repeat(256);
    await expect(userWith({ role })).resolves.toStrictEqual({ userId: 'u', role });
  });

  it.each([
    ['blank', '   '],
    ['longer than 256 characters', 'r'.repeat(257)],
    ['not text', { name: 'admin' }],
    ['a fraction', 1.5],
    ['true', true],
  ])('drops one that is %s, keeping the user', async (_, value) => {
    await expect(userWith({ email: value, role: value })).resolves.toStrictEqual({
      userId: 'u',
    });
  });
});

describe('user ids exactly as given (contract section 4)', () => {
  const userIdOf = async (subject: string) =>
    (
      await authenticator.authenticate(
        withToken(await signAccessToken({ secret: SECRET, subject })),
      )
    ).userId;

  it('never trims or folds: " a " and "a" are two users', async () => {
    expect(await userIdOf(' a ')).toBe(' a ');
    expect(await userIdOf('A')).toBe('A');
  });

  it.each([
    ['non-ASCII', 'Zoë-用户-🦊'],
    ['control characters', 'tab\there\u0001'],
    ['512 characters, each outside the BMP', '🦊'.repeat(512)],
    ['512 ASCII characters', 'x'.repeat(512)],
  ])('accepts %s', async (_case, subject) => {
    expect(await userIdOf(subject)).toBe(subject);
  });

  it.each([
    ['513 characters', 'x'.repeat(513)],
    ['513 characters outside the BMP', '🦊'.repeat(513)],
    ['a lone surrogate', 'bad\ud800id'],
  ])('refuses %s with a 401 naming the bound', async (_case, subject) => {
    const token = await signAccessToken({ secret: SECRET, subject });
    const error = await rejection(withToken(token).headers);
    expect([error.status, error.code, error.message]).toEqual([
      401,
      'invalid_token',
      "The access token's user id must be well-formed Unicode of at most 512 characters.",
    ]);
  });

  it('refuses an empty sub, not falling back to userId', async () => {
    const token = await signAccessToken({ secret: SECRET, claims: { sub: '', userId: 'u' } });
    expect((await rejection(withToken(token).headers)).status).toBe(401);
  });
});

describe('optional issuer and audience', () => {
  const strict = new JwtAuthenticator(() => Promise.resolve(SECRET), {
    issuer: 'https://auth.example.com',
    audience: 'stripe-service',
  });
  const sign = (claims: Record<string, unknown>) =>
    signAccessToken({ secret: SECRET, subject: 'u', claims });

  it('accepts a token with the configured iss and aud', async () => {
    const token = await sign({ iss: 'https://auth.example.com', aud: 'stripe-service' });
    await expect(strict.authenticate(withToken(token))).resolves.toEqual({ userId: 'u' });
  });

  it.each([
    ['no iss', { aud: 'stripe-service' }],
    ['another iss', { iss: 'https://evil.example.com', aud: 'stripe-service' }],
    ['no aud', { iss: 'https://auth.example.com' }],
    ['another aud', { iss: 'https://auth.example.com', aud: 'other-service' }],
  ])('refuses a token with %s', async (_case, claims) => {
    const error = await rejectedHttpError(strict.authenticate(withToken(await sign(claims))));
    expect(error.status).toBe(401);
  });

  it('ignores iss and aud when none is configured', async () => {
    const token = await sign({ iss: 'anyone', aud: 'anything' });
    await expect(authenticator.authenticate(withToken(token))).resolves.toEqual({ userId: 'u' });
  });
});

describe('JwtAuthenticator: when a token was issued and how long it lives', () => {
  const NOW = Date.UTC(2026, 11, 8, 12, 0, 0);
  const nowSeconds = NOW / 1000;
  const at = (options: { maxLifetimeSeconds?: number } = {}) =>
    new JwtAuthenticator(() => Promise.resolve(SECRET), { now: () => NOW, ...options });
  /** A token with exactly these times (undefined: no such claim). */
  const timed = (times: { iat?: number; exp: number }) => {
    const jwt = new SignJWT({ sub: 'timed-user' }).setProtectedHeader({ alg: 'HS256' });
    if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
    return jwt.setExpirationTime(times.exp).sign(new TextEncoder().encode(SECRET));
  };
  const outcome = async (authenticator: JwtAuthenticator, token: string) => {
    try {
      return (await authenticator.authenticate(withToken(token))).userId;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return `${String(error.status)} ${error.message}`;
    }
  };

  it('accepts a token issued up to the clock skew ahead of now, and refuses one issued later', async () => {
    const exp = nowSeconds + 3_600;
    expect(
      await outcome(at(), await timed({ iat: nowSeconds + TOKEN_CLOCK_SKEW_SECONDS, exp })),
    ).toBe('timed-user');
    expect(
      await outcome(at(), await timed({ iat: nowSeconds + TOKEN_CLOCK_SKEW_SECONDS + 1, exp })),
    ).toBe('401 The access token was issued in the future (its "iat" is ahead of now).');
    // The attack from the issue: a year ahead, living for ever.
    expect(
      await outcome(at(), await timed({ iat: nowSeconds + 365 * 86_400, exp: 1e300 })),
    ).toMatch(/^401 /);
  });

  it('refuses a token that lives longer than the maximum, counted from iat, else from now', async () => {
    const day = DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
    const limit = '401 The access token lives longer than the 86400 seconds this service accepts.';
    expect(
      await outcome(at(), await timed({ iat: nowSeconds - 10, exp: nowSeconds - 10 + day })),
    ).toBe('timed-user');
    expect(
      await outcome(at(), await timed({ iat: nowSeconds - 10, exp: nowSeconds - 10 + day + 1 })),
    ).toBe(limit);
    expect(await outcome(at(), await timed({ exp: nowSeconds + day }))).toBe('timed-user');
    expect(await outcome(at(), await timed({ exp: nowSeconds + day + 1 }))).toBe(limit);
    expect(await outcome(at(), await timed({ exp: 1e300 }))).toBe(limit);
  });

  it("takes the environment's maximum", async () => {
    const short = at({ maxLifetimeSeconds: 900 });
    expect(await outcome(short, await timed({ iat: nowSeconds, exp: nowSeconds + 900 }))).toBe(
      'timed-user',
    );
    expect(await outcome(short, await timed({ iat: nowSeconds, exp: nowSeconds + 901 }))).toBe(
      '401 The access token lives longer than the 900 seconds this service accepts.',
    );
  });

  it('judges expiry by the same clock', async () => {
    expect(await outcome(at(), await timed({ iat: nowSeconds - 120, exp: nowSeconds - 1 }))).toBe(
      '401 The access token has expired.',
    );
  });
});
