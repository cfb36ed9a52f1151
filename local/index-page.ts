import { ROUTES } from '../lambda/shared/routes';
import { LOCAL_ROUTES } from './local-routes';

/** `GET /`: what runs here and how to call it (the demo storefront replaces this page). */
export function renderIndexPage(): string {
  const routes = Object.values(ROUTES)
    .map((route) => `<li><code>${route.method} ${route.path}</code> (${route.auth})</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Stripe service (local)</title></head>
<body>
<h1>Stripe service, running locally</h1>
<ul>
${routes}
<li><code>GET ${LOCAL_ROUTES.token}?userId=&amp;email=&amp;role=</code> (local only)</li>
<li><code>GET ${LOCAL_ROUTES.billingEvents}</code> (local only)</li>
</ul>
<p>Try <a href="${ROUTES.listPrices.path}">${ROUTES.listPrices.path}</a>.</p>
</body>
</html>
`;
}
