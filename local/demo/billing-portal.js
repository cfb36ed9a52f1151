import { api } from './api.js';
import { $, showError, showOutcome } from './page.js';
import { PATHS } from './paths.js';

/** "Manage billing": Stripe's billing portal for the demo buyer, back here afterwards. */
export function listenToBillingPortal() {
  $('portal').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    showError('');
    try {
      const { url } = await api('POST', PATHS.portal, {
        returnUrl: location.origin + PATHS.home + '?from=portal',
      });
      location.assign(url);
    } catch (error) {
      if (error.code === 'no_customer') {
        showOutcome(
          'info',
          'Nothing to manage yet',
          'This buyer has not bought anything, so Stripe has no billing to manage. Buy something first.',
        );
      } else {
        showError('The billing portal could not open: ' + error.message);
      }
      button.disabled = false;
    }
  });
}
