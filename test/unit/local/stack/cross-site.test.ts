import type { IncomingMessage } from 'node:http';
import { crossSiteRefusal } from '../../../../local/stack/cross-site';

const request = (headers: Record<string, string>): IncomingMessage =>
  ({ headers: { host: 'localhost:3000', ...headers } }) as unknown as IncomingMessage;

describe('crossSiteRefusal (local endpoints that take unsigned input)', () => {
  it('lets a local tool through: JSON, no Origin, no Sec-Fetch-Site', () => {
    expect(crossSiteRefusal(request({ 'content-type': 'application/json' }))).toBeUndefined();
    expect(
      crossSiteRefusal(request({ 'content-type': 'application/json; charset=utf-8' })),
    ).toBeUndefined();
  });

  it("lets the local API's own pages through", () => {
    expect(
      crossSiteRefusal(
        request({
          'content-type': 'application/json',
          origin: 'http://localhost:3000',
          'sec-fetch-site': 'same-origin',
        }),
      ),
    ).toBeUndefined();
  });

  it('refuses a body a browser may send cross-site without a preflight', () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      '',
    ]) {
      expect(crossSiteRefusal(request({ 'content-type': contentType }))).toBe(
        'Send the body as Content-Type: application/json.',
      );
    }
    expect(crossSiteRefusal(request({ 'content-type': 'application/jsonp' }))).toBeDefined();
  });

  it('refuses what a browser marks as coming from another site', () => {
    for (const site of ['cross-site', 'same-site']) {
      expect(
        crossSiteRefusal(request({ 'content-type': 'application/json', 'sec-fetch-site': site })),
      ).toMatch(new RegExp(`^A ${site} request from a browser is refused`));
    }
  });

  it('refuses another origin, or one that is not a URL', () => {
    expect(
      crossSiteRefusal(
        request({ 'content-type': 'application/json', origin: 'https://evil.example' }),
      ),
    ).toBe(
      'A request from https://evil.example is refused: this endpoint is for local tools only.',
    );
    expect(
      crossSiteRefusal(request({ 'content-type': 'application/json', origin: 'null' })),
    ).toBeDefined();
    expect(
      crossSiteRefusal(
        request({ 'content-type': 'application/json', origin: 'http://localhost:3001' }),
      ),
    ).toBeDefined();
  });
});
