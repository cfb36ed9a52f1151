/** The one access-token signer lives with the local stack, which issues tokens too. */
export { signAccessToken } from '../../local/dev-tokens';

/** An unsigned (`alg: none`) token: the classic forgery every verifier must refuse. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}
