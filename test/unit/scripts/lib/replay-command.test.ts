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
    expect(parseReplayArguments([])).toEqual({ context: {}, json: false, verbose: false });
  });

  it.each([
    [['--since', 'yesterday'], /ISO 8601/],
    [['--since', '2999-01-01T00:00:00Z'], /future/],
    [['--event', 'pi_123'], /evt_/],
    [['--since', '2026-01-01T00:00:00Z', '--event', 'evt_1'], /not both/],
    [['--whatever'], /Unknown option/],
    [['--context', 'novalue'], /key=value/],
    [['stray'], /positional/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseReplayArguments(argv)).toThrow(UsageError);
    expect(() => parseReplayArguments(argv)).toThrow(message);
  });
});
