import * as fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { ALL_ROUTES, ROUTES } from '../../../lambda/shared/routes';
import {
  DEMO_CANCELED_PATH,
  DEMO_DIR,
  DEMO_PATHS,
  DEMO_SUCCESS_PATH,
  demoFile,
  serveDemoFile,
} from '../../../local/demo-files';
import { LOCAL_ROUTES } from '../../../local/local-routes';

const read = (file: string) => fs.readFileSync(path.join(DEMO_DIR, file), 'utf8');

/** A ServerResponse that keeps what was written. */
function capture() {
  const written: { status?: number; headers?: Record<string, string>; body?: Buffer } = {};
  const response = {
    writeHead(status: number, headers: Record<string, string>) {
      written.status = status;
      written.headers = headers;
      return this;
    },
    end(body?: Buffer) {
      written.body = body;
      return this;
    },
  };
  return { response: response as unknown as ServerResponse, written };
}

describe('the demo files route', () => {
  it.each([
    ['/', 'index.html', 'text/html; charset=utf-8'],
    [DEMO_SUCCESS_PATH, 'index.html', 'text/html; charset=utf-8'],
    [DEMO_CANCELED_PATH, 'index.html', 'text/html; charset=utf-8'],
    ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
    ['/event-meanings.js', 'event-meanings.js', 'text/javascript; charset=utf-8'],
    // The modules app.js imports, each a part of the page.
    ...fs
      .readdirSync(DEMO_DIR)
      .filter((file) => file.endsWith('.js') && file !== 'app.js' && file !== 'event-meanings.js')
      .map((file) => [`/${file}`, file, 'text/javascript; charset=utf-8']),
    ['/styles.css', 'styles.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'favicon.svg', 'image/svg+xml'],
    ['/favicon.ico', 'favicon.svg', 'image/svg+xml'],
  ])('serves %s as %s (%s), as it is on disk, never cached', async (urlPath, file, type) => {
    const { response, written } = capture();
    await expect(serveDemoFile('GET', urlPath, response)).resolves.toBe(true);
    expect(written.status).toBe(200);
    expect(written.headers).toMatchObject({
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-length': String(fs.statSync(path.join(DEMO_DIR, file)).size),
    });
    expect(written.body?.equals(fs.readFileSync(path.join(DEMO_DIR, file)))).toBe(true);
  });

  it('answers HEAD with the headers only, and leaves other methods to the other routes', async () => {
    const head = capture();
    await expect(serveDemoFile('HEAD', '/app.js', head.response)).resolves.toBe(true);
    expect(head.written.headers?.['content-length']).toBe(
      String(fs.statSync(path.join(DEMO_DIR, 'app.js')).size),
    );
    expect(head.written.body).toBeUndefined();
    const post = capture();
    await expect(serveDemoFile('POST', '/', post.response)).resolves.toBe(false);
    expect(post.written.status).toBeUndefined();
  });

  it('gives the page a policy that allows nothing but its own files', async () => {
    const { response, written } = capture();
    await serveDemoFile('GET', '/', response);
    expect(written.headers?.['content-security-policy']).toContain("default-src 'self'");
  });

  it.each([
    '/index.html',
    '/demo/app.js',
    '/../local-stack.ts',
    '/..%2Flocal-stack.ts',
    '/%2e%2e/config.ts',
    '/app.js/',
    '/APP.JS',
    '//app.js',
    '/favicon.png',
    '/__proto__',
    '/constructor',
    '/toString',
    '/styles.css%00',
  ])('serves nothing for %s: only the listed files are reachable', async (urlPath) => {
    expect(demoFile(urlPath)).toBeUndefined();
    await expect(serveDemoFile('GET', urlPath, capture().response)).resolves.toBe(false);
  });

  it('never shadows an API route or a local helper', () => {
    for (const route of ALL_ROUTES) expect(demoFile(route.path)).toBeUndefined();
    for (const route of Object.values(LOCAL_ROUTES)) expect(demoFile(route)).toBeUndefined();
  });
});

describe('the demo files agree with the service', () => {
  const html = read('index.html');
  /** Every script of the page: the classic one and the modules. */
  const scripts = fs
    .readdirSync(DEMO_DIR)
    .filter((file) => file.endsWith('.js'))
    .map((file) => ({ file, source: read(file) }));
  const allScripts = scripts.map(({ source }) => source).join('\n');

  it("calls the API's and the local helpers' paths, and its own pages, as the server names them", () => {
    const source = /export const PATHS = (\{[\s\S]*?\n\});/.exec(read('paths.js'))?.[1];
    if (!source) throw new Error('paths.js has no PATHS');
    const paths = vm.runInNewContext(`(${source})`) as Record<string, string>;
    expect(paths).toEqual({
      prices: ROUTES.listPrices.path,
      checkout: ROUTES.createCheckoutSession.path,
      portal: ROUTES.createPortalSession.path,
      session: ROUTES.getCheckoutSession.path,
      token: LOCAL_ROUTES.token,
      billingEvents: LOCAL_ROUTES.billingEvents,
      home: '/',
      success: DEMO_SUCCESS_PATH,
      canceled: DEMO_CANCELED_PATH,
    });
    expect([paths.home, paths.success, paths.canceled]).toEqual(DEMO_PATHS);
  });

  it('loads only files the route serves, and no inline script or style (the policy forbids them)', () => {
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    const local = references.filter((ref) => ref?.startsWith('/') && !ref.startsWith('//'));
    expect(local.length).toBeGreaterThanOrEqual(4);
    for (const ref of local) expect(demoFile(ref ?? '')).toBeDefined();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('serves every script of the page and every module its scripts import', () => {
    for (const { file, source } of scripts) {
      expect(demoFile(`/${file}`)).toBeDefined();
      for (const [, imported] of source.matchAll(/\bfrom '\.(\/[\w-]+\.js)';/g)) {
        expect(demoFile(imported ?? '')).toBeDefined();
      }
    }
    expect(allScripts).toMatch(/\bfrom '\.\/paths\.js';/);
  });

  it('has every element the script looks up', () => {
    const ids = [...allScripts.matchAll(/\$\('([\w-]+)'\)/g)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of new Set(ids)) expect(html).toContain(`id="${id ?? ''}"`);
  });

  it("lists the API's routes and the local helpers in its footer", () => {
    for (const route of Object.values(ROUTES)) {
      expect(html).toContain(`<li><code>${route.method} ${route.path}</code> (${route.auth})</li>`);
    }
    for (const route of Object.values(LOCAL_ROUTES)) expect(html).toContain(route);
  });
});
