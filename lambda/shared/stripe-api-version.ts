/**
 * The one Stripe API version the service speaks, pinned here and nowhere else: the SDK
 * client sends it, the webhook endpoint is registered with it (so events arrive in the
 * shapes the mapper is tested against), and the local sandbox answers in it by default.
 * It is the version the pinned `stripe` package was built for (a unit test holds them
 * together), so upgrading the package is a deliberate change of this line too.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';
