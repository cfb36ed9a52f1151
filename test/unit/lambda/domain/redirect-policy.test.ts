import { RedirectPolicy } from '../../../../lambda/domain/redirect-policy';

const policy = new RedirectPolicy(['https://app.example.com', 'http://localhost:3000']);

describe('RedirectPolicy', () => {
  it.each([
    'https://app.example.com/checkout/success?session_id={CHECKOUT_SESSION_ID}',
    'https://app.example.com',
    'https://app.example.com:443/x',
    'http://localhost:3000/success',
  ])('accepts %s and returns it byte for byte', (url) => {
    expect(policy.check(url)).toEqual({ ok: true, url });
  });

  it.each([
    ['another origin', 'https://evil.example.com/'],
    ['a look-alike host', 'https://app.example.com.evil.example/'],
    ['another port', 'https://app.example.com:8443/'],
    ['http outside local use', 'http://app.example.com/'],
    ['http on a local host not in the list', 'http://localhost:4000/'],
    ['a relative URL', '/success'],
    ['a protocol-relative URL', '//evil.example.com/'],
    ['javascript:', 'javascript:alert(1)'],
    ['credentials', 'https://user:pass@app.example.com/'],
    ['a backslash trick', 'https://app.example.com\\@evil.example.com/'],
    ['whitespace', 'https://app.example.com/ x'],
    ['an overlong URL', `https://app.example.com/${'a'.repeat(2100)}`],
  ])('rejects %s', (_name, url) => {
    expect(policy.check(url).ok).toBe(false);
  });
});
