import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ServerResponse } from 'node:http';

/** The demo page's files, served as they are (edit them and reload: no restart). */
export const DEMO_DIR = path.join(__dirname, 'demo');

/** Where Checkout sends the buyer back after paying, and after leaving without paying. */
export const DEMO_SUCCESS_PATH = '/success';
export const DEMO_CANCELED_PATH = '/canceled';
/** The demo's pages: one HTML file, whose script shows what each path is for. */
export const DEMO_PATHS: readonly string[] = ['/', DEMO_SUCCESS_PATH, DEMO_CANCELED_PATH];

interface DemoFile {
  readonly file: string;
  readonly contentType: string;
}

const page: DemoFile = { file: 'index.html', contentType: 'text/html; charset=utf-8' };
const favicon: DemoFile = { file: 'favicon.svg', contentType: 'image/svg+xml' };

/**
 * The page's scripts: `event-meanings.js` (a classic script, also run by the unit tests),
 * then the module `app.js` and the modules it imports, one part of the page each.
 */
const SCRIPTS: readonly string[] = [
  'event-meanings.js',
  'app.js',
  'paths.js',
  'page.js',
  'buyer.js',
  'api.js',
  'prices.js',
  'checkout-result.js',
  'billing-portal.js',
  'billing-events.js',
];

/**
 * Every URL path the demo serves and the file behind it: nothing else under `DEMO_DIR` is
 * reachable, whatever the path says (`..`, encodings, other files), since a request's
 * path is only ever a key into this table, never joined to a directory.
 */
const DEMO_FILES: ReadonlyMap<string, DemoFile> = new Map([
  ...DEMO_PATHS.map((urlPath) => [urlPath, page] as const),
  ...SCRIPTS.map(
    (file) => [`/${file}`, { file, contentType: 'text/javascript; charset=utf-8' }] as const,
  ),
  ['/styles.css', { file: 'styles.css', contentType: 'text/css; charset=utf-8' }],
  ['/favicon.svg', favicon],
  // What a browser asks for on a page that names no icon (the API's JSON, opened in a tab).
  ['/favicon.ico', favicon],
]);

/** The demo file a URL path names, if it names one. */
export function demoFile(urlPath: string): DemoFile | undefined {
  return DEMO_FILES.get(urlPath);
}

/**
 * Everything the page loads comes from this origin, and its script from files only (no
 * inline script or style): what a page that talks to a payments API should allow.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/**
 * Serves `GET` or `HEAD` of a demo file; false when the path names none (the request goes
 * on to the other routes). `no-store`, as the page always was: an edited file shows on the
 * next reload.
 */
export async function serveDemoFile(
  method: string,
  urlPath: string,
  response: ServerResponse,
): Promise<boolean> {
  const entry = method === 'GET' || method === 'HEAD' ? demoFile(urlPath) : undefined;
  if (!entry) return false;
  const body = await fs.readFile(path.join(DEMO_DIR, entry.file));
  response.writeHead(200, {
    'content-type': entry.contentType,
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(entry === page ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {}),
  });
  response.end(method === 'HEAD' ? undefined : body);
  return true;
}
