import * as path from 'node:path';
import { DEFAULT_LOCAL_PORTS, LOCAL_SECRET_DEFAULTS, loadLocalConfig } from '../../../local/config';

describe('loadLocalConfig', () => {
  it('runs the Stripe sandbox with the printed defaults', () => {
    const config = loadLocalConfig({});
    expect(config.stripe).toBe('sandbox');
    expect(config.ports).toEqual(DEFAULT_LOCAL_PORTS);
    expect(config.ports.stripeSandbox).toBe(12111);
    expect(config.secrets).toEqual(LOCAL_SECRET_DEFAULTS);
  });

  it('keeps the deployed default per-user request limit, as a deployed stack has it', () => {
    expect(loadLocalConfig({}).userRateLimit).toEqual({ requests: 60, windowSeconds: 60 });
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

  it('keeps the data in memory unless given a data directory', () => {
    expect(loadLocalConfig({}, []).dataDir).toBeUndefined();
    expect(loadLocalConfig({ LOCAL_DATA_DIR: '' }, []).dataDir).toBeUndefined();
  });

  it('takes the data directory from --data-dir or LOCAL_DATA_DIR, resolved, the option first', () => {
    const cwd = path.join(path.sep, 'work', 'app');
    expect(loadLocalConfig({}, ['--data-dir', '.local-data'], cwd).dataDir).toBe(
      path.join(cwd, '.local-data'),
    );
    expect(loadLocalConfig({}, ['--data-dir=/var/tmp/stripe'], cwd).dataDir).toBe(
      path.resolve('/var/tmp/stripe'),
    );
    expect(loadLocalConfig({ LOCAL_DATA_DIR: 'from-env' }, [], cwd).dataDir).toBe(
      path.join(cwd, 'from-env'),
    );
    expect(
      loadLocalConfig({ LOCAL_DATA_DIR: 'from-env' }, ['--data-dir', 'from-args'], cwd).dataDir,
    ).toBe(path.join(cwd, 'from-args'));
  });

  it('refuses a --data-dir without a directory, and any other argument, with the usage', () => {
    expect(() => loadLocalConfig({}, ['--data-dir'])).toThrow(/--data-dir needs a directory/);
    expect(() => loadLocalConfig({}, ['--data-dir='])).toThrow(/--data-dir needs a directory/);
    expect(() => loadLocalConfig({}, ['--data-dir', '--verbose'])).toThrow(/needs a directory/);
    expect(() => loadLocalConfig({}, ['--datadir', 'x'])).toThrow(
      /Unknown argument "--datadir"[\s\S]*Usage: npm start/,
    );
  });
});
