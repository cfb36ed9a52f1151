/** What the hosted pages share: their layout, and values written into HTML. */

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';

export const escape = (value: unknown): string =>
  text(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const money = (amount: unknown, currency: unknown): string =>
  `${((amount as number) / 100).toFixed(2)} ${String(currency).toUpperCase()}`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Stripe sandbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
.banner{background:#fff3cd;border:1px solid #f0c36d;padding:.5rem .75rem;border-radius:6px;font-size:.9rem}
button{font-size:1rem;padding:.6rem 1rem;margin:.25rem .25rem .25rem 0;border-radius:6px;border:1px solid #635bff;background:#635bff;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#635bff}
.row{display:flex;justify-content:space-between;border-bottom:1px solid #e3e8ee;padding:.5rem 0}
</style></head>
<body><p class="banner">Stripe sandbox: test mode, nothing is charged.</p>
${body}
</body></html>`;
}
