import { DEFAULT_LOCAL_PORTS, LOCAL_SECRET_DEFAULTS, loadLocalConfig } from '../../../local/config';

describe('loadLocalConfig', () => {
  it('runs the Stripe sandbox with the printed defaults', () => {
    const config = loadLocalConfig({});
    expect(config.stripe).toBe('sandbox');
    expect(config.ports).toEqual(DEFAULT_LOCAL_PORTS);
    expect(config.ports.stripeSandbox).toBe(12111);
    expect(config.secrets).toEqual(LOCAL_SECRET_DEFAULTS);
  });

  it('talks to Stripe test mode, without a sandbox, for a real sk_test_ key', () => {
    expect(loadLocalConfig({ STRIPE_SECRET_KEY: 'sk_test_51Hxyz' }).stripe).toBe('test-mode');
  });

  it('refuses a live key', () => {
    expect(() => loadLocalConfig({ STRIPE_SECRET_KEY: 'sk_live_51Hxyz' })).toThrow(/test-mode key/);
  });

  it('reads ports from the environment and rejects nonsense', () => {
    expect(loadLocalConfig({ PORT: '4000', STRIPE_SANDBOX_PORT: '13000' }).ports).toMatchObject({
      api: 4000,
      stripeSandbox: 13000,
    });
    expect(() => loadLocalConfig({ DYNAMODB_PORT: 'eight' })).toThrow(/DYNAMODB_PORT/);
  });
});
