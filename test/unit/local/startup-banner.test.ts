import { localResourceNames } from '../../../local/stack/resource-names';
import { type BannerStack, startupBanner } from '../../../local/startup-banner';

function stack(overrides: Partial<BannerStack> = {}): BannerStack {
  return {
    apiUrl: 'http://localhost:3000',
    stripeSandbox: { port: 12111 },
    endpoints: { dynamodb: 'http://127.0.0.1:8000', sns: 'http://127.0.0.1:4566' },
    names: localResourceNames({ projectName: 'acme' }),
    billingEventsTopicArn: 'arn:aws:sns:us-east-1:000000000000:acme-local-billing-events',
    eventBridge: { source: 'aws.partner/stripe.com/ed_test_local', account: '000000000000' },
    ...overrides,
  };
}

describe('the npm start banner', () => {
  it('names the sandbox, the secrets and where each came from, with commands as they are', () => {
    const banner = startupBanner(stack(), {}, { STRIPE_WEBHOOK_SECRET: 'whsec_mine' });
    expect(banner).toContain(
      'Stripe service running locally, with the local Stripe sandbox on port 12111',
    );
    expect(banner).toContain('  STRIPE_SECRET_KEY        default sk_test_sandbox');
    expect(banner).toContain('  STRIPE_WEBHOOK_SECRET    from the environment');
    expect(banner).toContain('in memory: start with --data-dir <dir> to keep it');
    expect(banner).toContain('\n  npm run replay ');
    expect(banner).toContain(
      'npm run stripe:webhook -- --url http://localhost:3000/stripe/webhook   # register the endpoint with the sandbox',
    );
  });

  it('gives the commands the port variables moved off their defaults', () => {
    const banner = startupBanner(
      stack({ apiUrl: 'http://localhost:3917', stripeSandbox: { port: 12917 } }),
      { dataDir: '/tmp/data' },
      {},
    );
    expect(banner).toContain('\n  PORT=3917 STRIPE_SANDBOX_PORT=12917 npm run replay ');
    expect(banner).toContain('data kept in /tmp/data across restarts');
  });

  it('says unmistakably when it talks to real Stripe test mode', () => {
    const banner = startupBanner(stack({ stripeSandbox: undefined }), {}, {});
    expect(banner).toContain('with real Stripe test mode (api.stripe.com)');
    expect(banner).toContain('stripe listen --forward-to http://localhost:3000/stripe/webhook');
    expect(banner).toContain('(see RUNBOOK.md; with the same STRIPE_SECRET_KEY set)');
    expect(banner).not.toContain('stripe:webhook');
  });
});
