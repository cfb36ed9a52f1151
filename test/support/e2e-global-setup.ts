import startServices from './global-setup';
import { ensureChromium } from './chromium';

/** Chromium, then the same local services the integration tests run against. */
export default async function globalSetup(): Promise<void> {
  ensureChromium();
  await startServices();
}
