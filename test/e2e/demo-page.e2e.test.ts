import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { BillingEvent } from '../../lambda/domain/billing-event';
import type { LocalStack } from '../../local/local-stack';
import { startTestStack } from '../integration/support';
import { launchChromium } from './chromium';

jest.setTimeout(90_000);

/** Screenshots of each test's last page, kept as CI artifacts (not committed). */
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'e2e');

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

/** A fresh browser profile: a new demo buyer. */
async function newBuyer(): Promise<{ page: Page; buyer: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(stack.apiUrl);
  const buyer = (await page.locator('#buyer').textContent()) ?? '';
  expect(buyer).toMatch(/^demo-/);
  return { page, buyer };
}

async function buy(page: Page, priceId: string): Promise<void> {
  await page.locator(`li[data-price-id="${priceId}"] button.buy`).click();
  await page.waitForURL(/\/checkout\/cs_test_/);
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
  await expect(page.locator(`dd[data-field="${field}"]`).textContent()).resolves.toBe(value);
}

async function waitForEvents(page: Page, types: string[]): Promise<void> {
  for (const type of types) {
    await page.locator(`li.billing-event[data-type="${type}"]`).waitFor({ timeout: 15_000 });
  }
}

describe('the demo page in Chromium', () => {
  it('lists the active prices', async () => {
    const { page } = await newBuyer();
    await page.locator('ul.prices li').first().waitFor();
    const items = await page.locator('ul.prices li').all();
    const prices = await Promise.all(items.map((item) => item.getAttribute('data-price-id')));
    expect(prices.sort()).toEqual([
      'price-pro-monthly',
      'price-pro-yearly',
      'price-typescript-course',
    ]);
    await screenshot(page, 'prices');
  });

  it('buys a one-time price and shows the session and its billing events', async () => {
    const { page, buyer } = await newBuyer();
    await buy(page, 'price-typescript-course');
    await page.locator('#pay').click();
    await page.waitForURL(/\/success\?session_id=cs_test_/);
    await page.locator('dd[data-field="status"]').waitFor();
    await expectSessionField(page, 'status', 'complete');
    await expectSessionField(page, 'paymentStatus', 'paid');
    await expectSessionField(page, 'mode', 'payment');
    await waitForEvents(page, ['payment.successful', 'checkout.completed']);
    await screenshot(page, 'one-time-purchase');
    expect(await receivedTypes(buyer)).toEqual(['checkout.completed', 'payment.successful']);
  });

  it('buys a subscription', async () => {
    const { page, buyer } = await newBuyer();
    await buy(page, 'price-pro-monthly');
    await page.locator('#pay').click();
    await page.waitForURL(/\/success\?session_id=cs_test_/);
    await page.locator('dd[data-field="status"]').waitFor();
    await expectSessionField(page, 'mode', 'subscription');
    await expect(page.locator('dd[data-field="subscriptionId"]').textContent()).resolves.toMatch(
      /^sub_/,
    );
    await waitForEvents(page, ['subscription.created', 'invoice.paid', 'checkout.completed']);
    await screenshot(page, 'subscription-purchase');
    expect(await receivedTypes(buyer)).toEqual([
      'checkout.completed',
      'invoice.paid',
      'subscription.created',
    ]);
  });

  it('shows a declined card on the checkout page and publishes payment.failed', async () => {
    const { page, buyer } = await newBuyer();
    await buy(page, 'price-typescript-course');
    await page.locator('#decline').click();
    await page.getByText('Your card was declined').waitFor();
    await screenshot(page, 'declined-card');
    expect(await receivedTypes(buyer)).toEqual(['payment.failed']);
  });

  it('cancels a subscription in the portal and publishes subscription.canceled', async () => {
    const { page, buyer } = await newBuyer();
    await buy(page, 'price-pro-yearly');
    await page.locator('#pay').click();
    await page.waitForURL(/\/success\?session_id=cs_test_/);
    await waitForEvents(page, ['subscription.created']);
    await page.locator('#portal').click();
    await page.waitForURL(/\/portal\/bps_/);
    await page.locator('button.cancel-now').click();
    await page.locator('.status', { hasText: 'canceled' }).waitFor();
    await screenshot(page, 'portal-cancellation');
    expect(await receivedTypes(buyer)).toEqual([
      'checkout.completed',
      'invoice.paid',
      'subscription.canceled',
      'subscription.created',
    ]);
  });
});
