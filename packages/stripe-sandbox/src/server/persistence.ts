import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SavedDeliveries } from '../delivery/webhooks';
import type { IdempotencyKeys, Recorded } from '../http/idempotency';
import type { StripeObject } from '../objects/fixtures';
import { testCardNamed } from '../objects/test-cards';
import type { SandboxState, SessionDetails } from '../state/state';
import { OBJECT_KINDS, type ObjectKind } from '../state/store';

/** The file in the data directory that holds the sandbox's state. */
export const STATE_FILE = 'stripe-sandbox-state.json';
const FORMAT = 'stripe-sandbox-state';
/**
 * The layout of the file. A sandbox reads only its own version and refuses any other
 * clearly: raise it whenever the layout or the objects' shapes change incompatibly.
 */
export const STATE_FORMAT_VERSION = 1;

/** Changes are written this long after the first one, together: a flow makes dozens. */
const SAVE_DELAY_MS = 50;

/**
 * Everything an account at Stripe would still hold after a restart: the objects (events
 * included), what the objects do not show (sessions' line items, payment methods' test
 * cards), the webhook endpoints with their secrets and what each event's deliveries
 * achieved, and the idempotency keys. Not what describes one run: the request and
 * delivery logs, deliveries under way, and the test controls (chaos, clock, faults).
 */
interface SavedState {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly savedAt: string;
  /** The sandbox's URL when saved: its own URLs (a session's `url`) move with its port. */
  readonly baseUrl: string;
  /** By kind, oldest first. */
  readonly objects: Partial<Record<ObjectKind, StripeObject[]>>;
  readonly sessions: [string, SessionDetails][];
  /** Payment method id -> the name of its test card. */
  readonly cards: [string, string][];
  readonly deliveries: SavedDeliveries;
  readonly idempotencyKeys: [string, Recorded][];
}

/** What the sandbox keeps, read from and written to a data directory. */
interface StateParts {
  readonly state: SandboxState;
  readonly idempotency: IdempotencyKeys;
}

/**
 * Opens a data directory (creating it, so an unusable one fails at start, not at the first
 * save): its saved state, or undefined when it holds none yet.
 */
export function openDataDir(dir: string): SavedState | undefined {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(file, (error as Error).message);
  }
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch (error) {
    throw unreadable(file, `not JSON (${(error as Error).message})`);
  }
  return checked(file, saved);
}

/** Is there saved state in `dir`? (The local stack asks before starting the sandbox.) */
export const hasSavedState = (dir: string): boolean => fs.existsSync(path.join(dir, STATE_FILE));

/**
 * A corrupt or foreign file stops the start rather than being overwritten: an empty
 * sandbox would silently orphan every Stripe id the caller's own data still holds.
 */
function unreadable(file: string, why: string): Error {
  return new Error(
    `Cannot load the sandbox's saved state from ${file}: ${why}. Move the file away (or pick another data directory) to start empty.`,
  );
}

function checked(file: string, saved: unknown): SavedState {
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved))
    throw unreadable(file, 'not a saved state');
  const record = saved as Record<string, unknown>;
  if (record.format !== FORMAT) throw unreadable(file, `not a ${FORMAT} file`);
  if (record.version !== STATE_FORMAT_VERSION) {
    throw unreadable(
      file,
      `it was saved in format version ${String(record.version)}, and this sandbox reads version ${STATE_FORMAT_VERSION} only`,
    );
  }
  const objects = record.objects;
  if (typeof objects !== 'object' || objects === null) throw unreadable(file, 'no objects');
  const kinds = new Set<string>(Object.values(OBJECT_KINDS));
  for (const [kind, list] of Object.entries(objects)) {
    if (!kinds.has(kind) || !Array.isArray(list))
      throw unreadable(file, `unknown kind of object "${kind}"`);
  }
  const deliveries = record.deliveries as Partial<SavedDeliveries> | undefined;
  for (const [name, value] of [
    ['sessions', record.sessions],
    ['cards', record.cards],
    ['idempotencyKeys', record.idempotencyKeys],
    ['deliveries.endpoints', deliveries?.endpoints],
    ['deliveries.outcomes', deliveries?.outcomes],
  ] as const) {
    if (!Array.isArray(value)) throw unreadable(file, `${name} missing`);
  }
  for (const [pm, card] of record.cards as [string, string][]) {
    if (!testCardNamed(card)) throw unreadable(file, `${pm} names no test card "${card}"`);
  }
  if (typeof record.baseUrl !== 'string') throw unreadable(file, 'baseUrl missing');
  return saved as SavedState;
}

/** Puts a saved state into a sandbox that has just started (on `baseUrl`). */
export function restoreState(parts: StateParts, saved: SavedState): void {
  const { state, idempotency } = parts;
  const moved =
    saved.baseUrl === state.baseUrl ? saved : rebase(saved, saved.baseUrl, state.baseUrl);
  state.store.restore(moved.objects);
  state.sessions.clear();
  for (const [id, details] of moved.sessions) state.sessions.set(id, details);
  state.cards.clear();
  for (const [pm, name] of moved.cards) {
    const card = testCardNamed(name);
    if (card) state.cards.set(pm, card);
  }
  state.delivery.restore(moved.deliveries);
  idempotency.restore(moved.idempotencyKeys);
}

/**
 * The sandbox's own URLs (hosted checkout and portal pages) name its port, which a restart
 * on port 0 changes: they follow it, or an open session's `url` would lead nowhere.
 * Replayed idempotent responses are JSON text, so every string is rewritten, not only
 * those that start with the URL.
 */
function rebase<T>(value: T, from: string, to: string): T {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return item.replaceAll(`${from}/`, `${to}/`);
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item === 'object' && item !== null)
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    return item;
  };
  return walk(value) as T;
}

function snapshot(parts: StateParts): SavedState {
  const { state, idempotency } = parts;
  return {
    format: FORMAT,
    version: STATE_FORMAT_VERSION,
    savedAt: new Date().toISOString(),
    baseUrl: state.baseUrl,
    objects: state.store.saved(),
    sessions: [...state.sessions],
    cards: [...state.cards].map(([pm, card]) => [pm, card.name]),
    deliveries: state.delivery.saved(),
    idempotencyKeys: idempotency.saved(),
  };
}

/**
 * Writes the state to the data directory a moment after it changes, and on stop. Each
 * write goes to a temporary file, synced, then renamed over the last one: a crash in
 * the middle leaves the previous state whole, never half a file. The snapshot is taken
 * when the write is due, synchronously, so it never mixes two moments of the state.
 * One sandbox per directory: two would overwrite each other's saves.
 */
export class StateSaver {
  private readonly file: string;
  private timer: NodeJS.Timeout | undefined;
  /** The writes, one after another, in the order their snapshots were taken. */
  private writing: Promise<void> = Promise.resolve();
  /** After the last save at stop: a request still finishing must not write the reset state. */
  private closed = false;
  /** Each write's own temporary file, so no two writes ever share one. */
  private writes = 0;

  constructor(
    dir: string,
    private readonly parts: StateParts,
    private readonly log?: (line: string) => void,
  ) {
    this.file = path.join(dir, STATE_FILE);
  }

  /** The state changed: save it soon (several changes in a row make one write). */
  changed(): void {
    if (this.closed) return;
    // unref: a pending save must not keep a process alive; stop() saves anyway.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // A long run learns of a failed save from the log; stop() rejects with its own.
      this.save().catch((error: unknown) => this.log?.((error as Error).message));
    }, SAVE_DELAY_MS).unref();
  }

  /** The last save: taken now, and nothing is saved after it. */
  close(): Promise<void> {
    const last = this.save();
    this.closed = true;
    return last;
  }

  /** Saves now; resolves once written, rejects if this write failed. */
  save(): Promise<void> {
    if (this.closed) return this.writing;
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = JSON.stringify(snapshot(this.parts));
    const written = this.writing.then(() => this.write(text));
    this.writing = written.catch(() => undefined);
    return written;
  }

  private async write(text: string): Promise<void> {
    this.writes += 1;
    const temporary = `${this.file}.${String(process.pid)}.${String(this.writes)}.tmp`;
    try {
      const handle = await fs.promises.open(temporary, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.rename(temporary, this.file);
    } catch (error) {
      throw new Error(`Sandbox state not saved to ${this.file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
