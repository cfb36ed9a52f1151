import { parseWebhookArguments } from '../../../../scripts/lib/webhook-command';

describe('npm run stripe:webhook arguments', () => {
  it('needs --url; --env needs https, and --roll needs --store', () => {
    expect(() => parseWebhookArguments([])).toThrow('--url is required');
    expect(() => parseWebhookArguments(['--url', 'not a url'])).toThrow(/absolute http/);
    expect(() =>
      parseWebhookArguments(['--env', 'dev', '--url', 'http://api.example.com/stripe/webhook']),
    ).toThrow(/https/);
    expect(() =>
      parseWebhookArguments([
        '--env',
        'dev',
        '--url',
        'https://a.example/stripe/webhook',
        '--roll',
      ]),
    ).toThrow(/--roll needs --store/);
    expect(
      parseWebhookArguments(['--url', 'http://localhost:3000/stripe/webhook', '--roll']),
    ).toMatchObject({ roll: true, store: false });
  });
});
