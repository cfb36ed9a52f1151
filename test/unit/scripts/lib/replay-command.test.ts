import { UsageError } from '../../../../scripts/lib/cli';
import { parseReplayArguments } from '../../../../scripts/lib/replay-command';

describe('npm run replay arguments', () => {
  it('takes --env, --since, --event, --context and --json', () => {
    expect(
      parseReplayArguments([
        '--env',
        'dev',
        '--since',
        '2026-11-01T00:00:00Z',
        '--context',
        'projectName=acme',
        '--json',
      ]),
    ).toMatchObject({
      env: 'dev',
      since: new Date('2026-11-01T00:00:00Z'),
      context: { projectName: 'acme' },
      json: true,
    });
    expect(parseReplayArguments(['--event', 'evt_123'])).toMatchObject({ eventId: 'evt_123' });
    expect(parseReplayArguments(['--subscription', 'sub_1Abc'])).toMatchObject({
      subscriptionId: 'sub_1Abc',
    });
    expect(parseReplayArguments([])).toEqual({ context: {}, json: false, verbose: false });
  });

  it.each([
    [['--since', 'yesterday'], /ISO 8601/],
    [['--since', '2999-01-01T00:00:00Z'], /future/],
    [['--event', 'pi_123'], /evt_/],
    [['--since', '2026-01-01T00:00:00Z', '--event', 'evt_1'], /one of --since, --event/],
    [['--event', 'evt_1', '--subscription', 'sub_1'], /one of --since, --event/],
    [['--subscription', 'pi_123'], /sub_/],
    [['--subscription', 'sub_'], /sub_/],
    [['--whatever'], /Unknown option/],
    [['--context', 'novalue'], /key=value/],
    [['stray'], /positional/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseReplayArguments(argv)).toThrow(UsageError);
    expect(() => parseReplayArguments(argv)).toThrow(message);
  });
});
