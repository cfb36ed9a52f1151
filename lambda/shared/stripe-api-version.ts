/**
 * The one Stripe API version the service speaks, pinned here and nowhere else: the SDK
 * client sends it, the webhook endpoint is registered with it (so events arrive in the
 * shapes the mapper is tested against), and the local sandbox answers in it by default.
 * It is the version the pinned `stripe` package was built for (a unit test holds them
 * together), so upgrading the package is a deliberate change of this line too.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

/**
 * The Stripe API release trains the mapper's payload shapes are tested against
 * (test/fixtures/api-versions), oldest first; the last is STRIPE_API_VERSION's. Stripe makes
 * breaking changes only in a new train (the name after the date); a train's monthly
 * versions only add. An event of a train not listed here is parked, not guessed.
 */
export const KNOWN_API_RELEASES = ['acacia', 'basil', 'clover', 'dahlia', 'endive'] as const;
/** The newest Stripe API version without a release name. */
export const LAST_UNNAMED_API_VERSION = '2024-06-20';
