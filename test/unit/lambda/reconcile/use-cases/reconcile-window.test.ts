import {
  chunksOf,
  cursorAfter,
  DAY_SECONDS,
  MIN_OVERLAP_SECONDS,
  overlapSecondsFor,
  planWindow,
} from '../../../../../lambda/reconcile/use-cases/reconcile-window';

const NOW = 1_800_000_000;
const RETENTION_FLOOR = NOW - 30 * DAY_SECONDS;
const OVERLAP = 900;

describe('planWindow', () => {
  it("starts a first run at Stripe's retention limit, and may move the cursor", () => {
    expect(
      planWindow({ nowSeconds: NOW, previousCursor: undefined, overlapSeconds: OVERLAP }),
    ).toEqual({
      from: RETENTION_FLOOR,
      to: NOW,
      clampedToRetention: false,
      mayMoveCursor: true,
    });
  });

  it('starts one overlap before the saved cursor', () => {
    const plan = planWindow({
      nowSeconds: NOW,
      previousCursor: NOW - 100,
      overlapSeconds: OVERLAP,
    });
    expect(plan).toMatchObject({ from: NOW - 100 - OVERLAP, to: NOW, mayMoveCursor: true });
  });

  it('never starts before the retention limit, however old the cursor', () => {
    const plan = planWindow({
      nowSeconds: NOW,
      previousCursor: RETENTION_FLOOR - 10 * DAY_SECONDS,
      overlapSeconds: OVERLAP,
    });
    expect(plan).toMatchObject({ from: RETENTION_FLOOR, clampedToRetention: false });
  });

  it("clamps a --since older than Stripe's retention, and says so", () => {
    const since = new Date((RETENTION_FLOOR - DAY_SECONDS) * 1000);
    const plan = planWindow({
      nowSeconds: NOW,
      previousCursor: NOW - 100,
      overlapSeconds: OVERLAP,
      since,
    });
    expect(plan).toMatchObject({
      from: RETENTION_FLOOR,
      clampedToRetention: true,
      mayMoveCursor: true,
    });
  });

  it('lets a --since move the cursor only when it began no later than the scheduled window', () => {
    const previousCursor = NOW - DAY_SECONDS;
    const later = new Date((previousCursor - OVERLAP + 1) * 1000);
    const earlier = new Date((previousCursor - OVERLAP) * 1000);
    expect(
      planWindow({ nowSeconds: NOW, previousCursor, overlapSeconds: OVERLAP, since: later })
        .mayMoveCursor,
    ).toBe(false);
    expect(
      planWindow({ nowSeconds: NOW, previousCursor, overlapSeconds: OVERLAP, since: earlier })
        .mayMoveCursor,
    ).toBe(true);
    // No cursor yet: the operator chose the starting point.
    expect(
      planWindow({
        nowSeconds: NOW,
        previousCursor: undefined,
        overlapSeconds: OVERLAP,
        since: later,
      }).mayMoveCursor,
    ).toBe(true);
  });
});

describe('overlapSecondsFor', () => {
  it('is one interval, never under the minimum', () => {
    expect(overlapSecondsFor(60)).toBe(3_600);
    expect(overlapSecondsFor(1)).toBe(MIN_OVERLAP_SECONDS);
  });
});

describe('chunksOf', () => {
  it('cuts a window into days, oldest first, without gaps or overlaps', () => {
    const chunks = [...chunksOf({ from: 0, to: 2 * DAY_SECONDS + 5 })];
    expect(chunks).toEqual([
      { from: 0, to: DAY_SECONDS - 1 },
      { from: DAY_SECONDS, to: 2 * DAY_SECONDS - 1 },
      { from: 2 * DAY_SECONDS, to: 2 * DAY_SECONDS + 5 },
    ]);
  });
});

describe('cursorAfter', () => {
  it('stops just below the oldest event left unsettled', () => {
    expect(cursorAfter(100, { newestSettled: 500, oldestUnsettled: 300, walkedTo: 400 })).toBe(299);
  });

  it('is the furthest of the previous cursor, the newest settled event and the walked time', () => {
    expect(cursorAfter(100, { newestSettled: 500, walkedTo: 400 })).toBe(500);
    expect(cursorAfter(100, { newestSettled: 200, walkedTo: 400 })).toBe(400);
    expect(cursorAfter(600, { newestSettled: 200 })).toBe(600);
    expect(cursorAfter(undefined, {})).toBeUndefined();
  });

  it('stops just below where a listing was cut short (its second may hold more events), never behind the previous cursor', () => {
    // Settled up to 500, listing refused after an event at 500: more of 500 may follow.
    expect(cursorAfter(100, { newestSettled: 500, listedBefore: 500 })).toBe(499);
    // Refused at the start of a chunk (from 401): the chunks before it were walked.
    expect(cursorAfter(100, { newestSettled: 300, walkedTo: 400, listedBefore: 401 })).toBe(400);
    // Refused within the overlap: what lies at or before the cursor was settled before.
    expect(cursorAfter(600, { newestSettled: 550, listedBefore: 550 })).toBe(600);
    expect(cursorAfter(undefined, { listedBefore: 50 })).toBe(49);
    // An unsettled event still holds the cursor below it.
    expect(cursorAfter(100, { oldestUnsettled: 300, newestSettled: 500, listedBefore: 500 })).toBe(
      299,
    );
  });
});
