import { setTimeout as sleep } from 'node:timers/promises';
import { limitWindow } from '../../lambda/domain/request-limit';

/**
 * Waits, when needed, until the current window of a per-user limit has at least
 * `needSeconds` left, so that a burst a test is about to send is counted in one window. A
 * burst across a window boundary is counted in two and lets up to twice the limit
 * through: the fixed window's documented edge, not what those tests are about.
 */
export async function startOfRoomyWindow(
  windowSeconds: number,
  needSeconds: number,
): Promise<void> {
  if (needSeconds >= windowSeconds) throw new Error('no window is that roomy');
  const now = Date.now();
  const leftMs = limitWindow(now, windowSeconds).endSeconds * 1000 - now;
  if (leftMs < needSeconds * 1000) await sleep(leftMs + 50);
}
