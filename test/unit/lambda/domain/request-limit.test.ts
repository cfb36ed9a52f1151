import { limitWindow, secondsUntilWindowEnds } from '../../../../lambda/domain/request-limit';

const at = (iso: string) => Date.parse(iso);

describe('limitWindow', () => {
  it('aligns windows to the epoch: every instance agrees where one starts', () => {
    expect(limitWindow(at('2026-11-23T10:00:00.000Z'), 60)).toEqual({
      startSeconds: at('2026-11-23T10:00:00Z') / 1000,
      endSeconds: at('2026-11-23T10:01:00Z') / 1000,
    });
    expect(limitWindow(at('2026-11-23T10:00:59.999Z'), 60)).toEqual(
      limitWindow(at('2026-11-23T10:00:00.000Z'), 60),
    );
    expect(limitWindow(at('2026-11-23T10:01:00.000Z'), 60).startSeconds).toBe(
      at('2026-11-23T10:01:00Z') / 1000,
    );
  });

  it('takes windows of any length, a day included', () => {
    expect(limitWindow(at('2026-11-23T17:42:10.500Z'), 86_400)).toEqual({
      startSeconds: at('2026-11-23T00:00:00Z') / 1000,
      endSeconds: at('2026-11-24T00:00:00Z') / 1000,
    });
    expect(limitWindow(at('2026-11-23T10:00:07.000Z'), 5).startSeconds).toBe(
      at('2026-11-23T10:00:05Z') / 1000,
    );
  });
});

describe('secondsUntilWindowEnds (Retry-After)', () => {
  const window = limitWindow(at('2026-11-23T10:00:00Z'), 60);

  it('rounds up to whole seconds', () => {
    expect(secondsUntilWindowEnds(window, at('2026-11-23T10:00:00.000Z'))).toBe(60);
    expect(secondsUntilWindowEnds(window, at('2026-11-23T10:00:15.000Z'))).toBe(45);
    expect(secondsUntilWindowEnds(window, at('2026-11-23T10:00:15.001Z'))).toBe(45);
    expect(secondsUntilWindowEnds(window, at('2026-11-23T10:00:14.999Z'))).toBe(46);
  });

  it('is never less than one second, even at the very end of the window', () => {
    expect(secondsUntilWindowEnds(window, at('2026-11-23T10:00:59.999Z'))).toBe(1);
    expect(secondsUntilWindowEnds(window, at('2026-11-23T10:01:00.000Z'))).toBe(1);
  });
});
