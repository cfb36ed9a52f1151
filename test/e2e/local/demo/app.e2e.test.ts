import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import type { BillingEvent } from '../../../../lambda/domain/billing-event';
import type { LocalStack } from '../../../../local/local-stack';
import { startTestStack } from '../../../support/test-stack';
import { launchChromium } from '../../../support/chromium';
import { PROJECT_ROOT } from '../../../support/project-root';

jest.setTimeout(90_000);

/** Screenshots of each test's last page, kept as CI artifacts (not committed). */
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', 'e2e');

/** A phone (390 px, as an iPhone 12 to 15) and a desktop. */
const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 } },
} satisfies Record<string, BrowserContextOptions>;

let stack: LocalStack;
let browser: Browser;
beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
});
afterAll(async () => {
  await browser.close();
  await stack.stop();
});

interface Buyer {
  readonly page: Page;
  readonly buyer: string;
  /** What went wrong on the demo's own pages: failed requests, console errors (CSP included). */
  readonly problems: string[];
}

/** A fresh browser profile (a new demo buyer), on the demo page. */
async function newBuyer(options: BrowserContextOptions = VIEWPORTS.desktop): Promise<Buyer> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(stack.apiUrl);
  const buyer = (await page.locator('#buyer').textContent()) ?? '';
  expect(buyer).toMatch(/^demo-/);
  return { page, buyer, problems };
}

function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  const ours = (url: string) => url.startsWith(stack.apiUrl);
  page.on('response', (response) => {
    if (ours(response.url()) && response.status() >= 400) {
      problems.push(`${response.status()} ${response.url()}`);
    }
  });
  page.on('requestfailed', (request) => {
    // A navigation away cancels the page's in-flight poll: not a failure.
    if (ours(request.url()) && request.failure()?.errorText !== 'net::ERR_ABORTED') {
      problems.push(`failed ${request.url()}`);
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && ours(message.location().url)) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`error: ${error.message}`));
  return problems;
}

async function buy(page: Page, priceId: string): Promise<void> {
  await page.locator(`li[data-price-id="${priceId}"] button.buy`).click();
  await page.waitForURL(/\/checkout\/cs_test_/);
}

async function payAndReturn(page: Page): Promise<void> {
  await page.locator('#pay').click();
  await page.waitForURL(/\/success\?session_id=cs_test_/);
  await page.locator('#session dd[data-field="status"]').waitFor();
}

/** The billing event types a subscriber received for the buyer, once deliveries settled. */
async function receivedTypes(buyer: string): Promise<string[]> {
  await fetch(`${stack.stripeSandbox?.url ?? ''}/_sandbox/deliveries?wait=true`);
  const events = (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.userId === buyer);
  expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  return events.map((event) => event.type).sort();
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function expectSessionField(page: Page, field: string, value: string): Promise<void> {
  await expect(page.locator(`#session dd[data-field="${field}"]`).textContent()).resolves.toBe(
    value,
  );
}

/** The events list's entry for a billing event type, once the page shows it. */
async function shownEvent(page: Page, type: string): Promise<Locator> {
  const item = page.locator(`li.billing-event[data-type="${type}"]`);
  await item.waitFor({ timeout: 15_000 });
  return item;
}

async function waitForEvents(page: Page, types: string[]): Promise<void> {
  for (const type of types) await shownEvent(page, type);
}

/** What an event's entry says: its title, tone, one sentence, and its fields by key. */
async function meaningOf(item: Locator) {
  const fields: Record<string, string> = {};
  for (const dd of await item.locator('dd[data-field]').all()) {
    fields[(await dd.getAttribute('data-field')) ?? ''] = (await dd.textContent()) ?? '';
  }
  return {
    title: await item.locator('.event-title').textContent(),
    tone: await item.getAttribute('data-tone'),
    summary: (await item.locator('.event-summary').textContent()) ?? '',
    fields,
  };
}

const PERIOD = /^[A-Z][a-z]{2} \d{1,2}, \d{4} – [A-Z][a-z]{2} \d{1,2}, \d{4}$/;

/**
 * The page's own globals, as far as these tests use them (the project compiles without the
 * DOM library). `page.evaluate` runs its function's source in the page, where `globalThis` is
 * `window`: the functions cast it there (a closure over a helper here would not reach the page).
 */
interface PageGlobals {
  readonly document: {
    readonly documentElement: { readonly scrollWidth: number };
    readonly body: { readonly scrollWidth: number };
    dispatchEvent(event: Event): boolean;
    querySelectorAll(selector: string): Iterable<{ open: boolean }>;
  };
  readonly Image: new () => { src: string; naturalWidth: number; decode(): Promise<void> };
}

/**
 * Nothing on the page is wider than the viewport: no sideways scrolling. Measured against
 * the emulated screen's width, not `innerWidth`: a phone zooms out to fit a page that
 * overflows, which widens `innerWidth` with it.
 */
async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const screenWidth = page.viewportSize()?.width ?? 0;
  const scrollWidth = await page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  });
  expect(screenWidth).toBeGreaterThan(0);
  expect(scrollWidth).toBeLessThanOrEqual(screenWidth);
}

/** A purchase made without the page (as from another tab): only the events list shows it. */
async function payOutOfBand(buyer: string, priceId: string): Promise<void> {
  const tokenResponse = await fetch(
    `${stack.apiUrl}/_local/token?userId=${encodeURIComponent(buyer)}`,
  );
  const { token } = (await tokenResponse.json()) as { token: string };
  const created = await fetch(`${stack.apiUrl}/stripe/payment-intent`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      priceId,
      successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${stack.apiUrl}/canceled`,
    }),
  });
  const { checkoutUrl } = (await created.json()) as { checkoutUrl: string };
  const paid = await fetch(`${checkoutUrl}/pay`, { method: 'POST', redirect: 'manual' });
  expect(paid.headers.get('location')).toMatch(/\/success\?session_id=cs_test_/);
}

describe('the demo page in Chromium', () => {
  it('lists the active prices, with its favicon and every file it loads', async () => {
    const { page, problems } = await newBuyer();
    await page.locator('ul.prices li').first().waitFor();
    const items = await page.locator('ul.prices li').all();
    const prices = await Promise.all(items.map((item) => item.getAttribute('data-price-id')));
    expect(prices.sort()).toEqual([
      'price-pro-monthly',
      'price-pro-yearly',
      'price-typescript-course',
    ]);
    await expect(page.locator('#more-prices').isHidden()).resolves.toBe(true);
    await expect(page.locator('#no-events').isVisible()).resolves.toBe(true);

    // The favicon the page names is served, as an SVG a browser draws.
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');
    const favicon = await page.evaluate(async () => {
      const response = await fetch('/favicon.svg');
      const image = new (globalThis as unknown as PageGlobals).Image();
      image.src = '/favicon.svg';
      const drawn = await image.decode().then(
        () => image.naturalWidth > 0,
        () => false,
      );
      return { status: response.status, type: response.headers.get('content-type'), drawn };
    });
    expect(favicon).toEqual({ status: 200, type: 'image/svg+xml', drawn: true });
    await screenshot(page, 'prices');
    expect(problems).toEqual([]);
  });

  it('buys a one-time price: a thank-you, the session, and the payment with its meaning', async () => {
    const { page, buyer, problems } = await newBuyer();
    await buy(page, 'price-typescript-course');
    await payAndReturn(page);
    await expect(page.locator('#outcome-title').textContent()).resolves.toBe('Payment received');
    await expect(page.locator('#outcome-text').textContent()).resolves.toContain(
      'TypeScript Foundations course ($49.00 USD once)',
    );
    await expectSessionField(page, 'status', 'complete');
    await expectSessionField(page, 'paymentStatus', 'paid');
    await expectSessionField(page, 'mode', 'payment');

    const payment = await meaningOf(await shownEvent(page, 'payment.successful'));
    expect(payment).toMatchObject({
      title: 'Payment succeeded',
      tone: 'success',
      summary: '$49.00 USD was charged.',
      fields: {
        amount: '$49.00 USD',
        status: 'succeeded',
        user: buyer,
        price: 'price-typescript-course',
      },
    });
    expect(payment.fields.object).toMatch(/^pi_/);
    const checkout = await meaningOf(await shownEvent(page, 'checkout.completed'));
    expect(checkout).toMatchObject({
      title: 'Checkout completed',
      fields: { amount: '$49.00 USD', status: 'complete, paid', user: buyer },
    });
    await screenshot(page, 'one-time-purchase');
    expect(await receivedTypes(buyer)).toEqual(['checkout.completed', 'payment.successful']);
    expect(problems).toEqual([]);
  });

  it('buys a subscription: its period, status and first invoice', async () => {
    const { page, buyer } = await newBuyer();
    await buy(page, 'price-pro-monthly');
    await payAndReturn(page);
    await expect(page.locator('#outcome-title').textContent()).resolves.toBe('You are subscribed');
    await expectSessionField(page, 'mode', 'subscription');
    await expect(
      page.locator('#session dd[data-field="subscriptionId"]').textContent(),
    ).resolves.toMatch(/^sub_/);

    const created = await meaningOf(await shownEvent(page, 'subscription.created'));
    expect(created).toMatchObject({
      title: 'Subscription started',
      tone: 'success',
      fields: {
        status: 'active',
        cancelAtPeriodEnd: 'no',
        user: buyer,
        price: 'price-pro-monthly',
      },
    });
    expect(created.fields.period).toMatch(PERIOD);
    const invoice = await meaningOf(await shownEvent(page, 'invoice.paid'));
    expect(invoice).toMatchObject({ title: 'Invoice paid', fields: { amount: '$19.99 USD' } });
    expect(invoice.fields.period).toMatch(PERIOD);
    expect(invoice.summary).toContain('the first period');
    await waitForEvents(page, ['checkout.completed']);
    await screenshot(page, 'subscription-purchase');
    expect(await receivedTypes(buyer)).toEqual([
      'checkout.completed',
      'invoice.paid',
      'subscription.created',
    ]);
  });

  it('shows a declined card as a failed payment, and a friendly word on leaving checkout', async () => {
    const { page, buyer, problems } = await newBuyer();
    await buy(page, 'price-typescript-course');
    await page.locator('#decline').click();
    await page.getByText('Your card was declined').waitFor();
    await screenshot(page, 'declined-card');
    await page.locator('#cancel').click();
    await page.waitForURL(/\/canceled$/);
    await expect(page.locator('#outcome-title').textContent()).resolves.toBe('Checkout canceled');
    await expect(page.locator('#outcome-text').textContent()).resolves.toContain(
      'nothing was charged',
    );

    const failed = await meaningOf(await shownEvent(page, 'payment.failed'));
    expect(failed).toMatchObject({
      title: 'Payment failed',
      tone: 'failure',
      fields: { amount: '$49.00 USD', status: 'requires_payment_method', user: buyer },
    });
    expect(failed.summary).toMatch(/^\$49\.00 USD could not be charged: .*declined.*card_declined/);
    await screenshot(page, 'declined-card-back-on-the-page');
    expect(await receivedTypes(buyer)).toEqual(['payment.failed']);
    expect(problems).toEqual([]);
  });

  it('shows a cancellation made in the portal, once back from it', async () => {
    const { page, buyer } = await newBuyer();
    await buy(page, 'price-pro-yearly');
    await payAndReturn(page);
    await waitForEvents(page, ['subscription.created']);
    await page.locator('#portal').click();
    await page.waitForURL(/\/portal\/bps_/);
    await page.locator('button.cancel-now').click();
    await page.locator('.status', { hasText: 'canceled' }).waitFor();
    await page.locator('#return').click();
    await page.waitForURL(/\/\?from=portal$/);
    await expect(page.locator('#outcome-title').textContent()).resolves.toBe(
      'Back from the billing portal',
    );

    const canceled = await meaningOf(await shownEvent(page, 'subscription.canceled'));
    expect(canceled).toMatchObject({
      title: 'Subscription canceled',
      tone: 'failure',
      fields: { status: 'canceled', user: buyer, price: 'price-pro-yearly' },
    });
    expect(canceled.summary).toMatch(/^Ended [A-Z][a-z]{2} \d{1,2}, \d{4}.*no further charges\.$/);
    await screenshot(page, 'portal-cancellation');
    expect(await receivedTypes(buyer)).toEqual([
      'checkout.completed',
      'invoice.paid',
      'subscription.canceled',
      'subscription.created',
    ]);
  });

  it('shows a cancellation at period end as the subscription set to cancel', async () => {
    const { page } = await newBuyer();
    await buy(page, 'price-pro-monthly');
    await payAndReturn(page);
    await waitForEvents(page, ['subscription.created']);
    await page.locator('#portal').click();
    await page.locator('button.cancel-at-period-end').click();
    await page.locator('.status', { hasText: 'cancels at period end' }).waitFor();
    await page.locator('#return').click();

    const updated = await meaningOf(await shownEvent(page, 'subscription.updated'));
    expect(updated).toMatchObject({
      title: 'Subscription set to cancel',
      tone: 'warning',
      fields: { status: 'active', cancelAtPeriodEnd: 'yes' },
    });
    expect(updated.summary).toMatch(/^It stays active until .*, then ends/);
  });

  it('tells a buyer with nothing bought that there is no billing to manage', async () => {
    const { page, problems } = await newBuyer();
    await page.locator('#portal').click();
    await page.locator('#outcome-title', { hasText: 'Nothing to manage yet' }).waitFor();
    // The API's 404 (no customer) is the expected answer here, and the only one.
    expect(problems).toEqual([
      `404 ${stack.apiUrl}/stripe/portal`,
      'console: Failed to load resource: the server responded with a status of 404 (Not Found)',
    ]);
  });
});

describe.each(Object.entries(VIEWPORTS))('the demo page at %s width', (name, options) => {
  it('never scrolls sideways: prices, a subscription with its events, a declined card', async () => {
    const { page } = await newBuyer(options);
    await page.locator('ul.prices li').first().waitFor();
    await expectNoHorizontalScroll(page);

    // The success page: a 66-character session id, and the events with their raw form open.
    await buy(page, 'price-pro-monthly');
    await payAndReturn(page);
    await waitForEvents(page, ['subscription.created', 'invoice.paid', 'checkout.completed']);
    await page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobals;
      for (const details of document.querySelectorAll('li.billing-event details')) {
        details.open = true;
      }
    });
    const sessionId =
      (await page.locator('#session dd[data-field="checkoutSessionId"]').textContent()) ?? '';
    expect(sessionId.length).toBeGreaterThan(60);
    await expectNoHorizontalScroll(page);
    await screenshot(page, `success-${name}`);

    await page.goto(stack.apiUrl);
    await buy(page, 'price-typescript-course');
    await page.locator('#decline').click();
    await page.locator('#cancel').click();
    await page.waitForURL(/\/canceled$/);
    await shownEvent(page, 'payment.failed');
    await expectNoHorizontalScroll(page);
    await screenshot(page, `canceled-${name}`);
  });
});

describe('the events list stays live', () => {
  /** Runs the page's clock `ms` forward, a second at a time, letting each poll answer. */
  async function runClock(page: Page, ms: number, until?: () => Promise<boolean>) {
    for (let ran = 0; ran < ms; ran += 1_000) {
      await page.clock.runFor(1_000);
      await new Promise((resolve) => setTimeout(resolve, 40));
      if (until && (await until())) return ran + 1_000;
    }
    return undefined;
  }

  it('keeps polling, slower while quiet, and shows a purchase made a minute later', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.clock.install();
    let polls = 0;
    page.on('request', (request) => {
      if (request.url().endsWith('/_local/billing-events')) polls += 1;
    });
    await page.goto(stack.apiUrl);
    const buyer = (await page.locator('#buyer').textContent()) ?? '';
    await page.clock.pauseAt(Date.now() + 1_000);

    // A quiet minute: well past the 15 s the page once stopped at, with fewer polls than
    // a fixed 500 ms would make (120), as it backs off to one every 5 s.
    polls = 0;
    await runClock(page, 60_000);
    expect(polls).toBeGreaterThanOrEqual(8);
    expect(polls).toBeLessThanOrEqual(30);

    await payOutOfBand(buyer, 'price-typescript-course');
    const shownAfter = await runClock(page, 20_000, () =>
      page.locator('li.billing-event[data-type="payment.successful"]').isVisible(),
    );
    // Within one backed-off interval (5 s) and a little for the webhook.
    expect(shownAfter).toBeLessThanOrEqual(8_000);
    await expect(page.locator('#live').getAttribute('data-state')).resolves.toBe('live');
  });

  it('stops asking while the tab is hidden and asks at once when it is shown again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.clock.install();
    let polls = 0;
    page.on('request', (request) => {
      if (request.url().endsWith('/_local/billing-events')) polls += 1;
    });
    await page.goto(stack.apiUrl);
    await page.clock.pauseAt(Date.now() + 1_000);
    await runClock(page, 3_000);

    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        const { document } = globalThis as unknown as PageGlobals;
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        Object.defineProperty(document, 'visibilityState', {
          configurable: true,
          get: () => (value ? 'hidden' : 'visible'),
        });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await runClock(page, 2_000); // a poll in flight may still answer
    polls = 0;
    await runClock(page, 30_000);
    expect(polls).toBe(0);
    await expect(page.locator('#live').getAttribute('data-state')).resolves.toBe('paused');

    await setHidden(false);
    await runClock(page, 1_000);
    expect(polls).toBeGreaterThanOrEqual(1);
    await expect(page.locator('#live').getAttribute('data-state')).resolves.toBe('live');
  });
});
