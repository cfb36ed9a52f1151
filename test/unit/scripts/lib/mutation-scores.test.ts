import { formatScores, mutationScores } from '../../../../scripts/lib/mutation-scores';

const mutants = (...statuses: string[]) => ({ mutants: statuses.map((status) => ({ status })) });

describe('mutationScores', () => {
  const report = {
    files: {
      'lambda/core/auth.ts': mutants('Killed', 'Killed', 'Timeout', 'Survived', 'CompileError'),
      'lambda/stripe-events/mapping/invoice.ts': mutants('Killed', 'NoCoverage'),
      'lambda/stripe-events/mapping/deep/other.ts': mutants('Survived'),
      'lambda/domain/empty.ts': mutants('CompileError', 'Ignored'),
    },
  };

  it('scores detected (killed, timed out) over detectable (those, survivors, uncovered)', () => {
    const { groups, modules } = mutationScores(report, {
      auth: ['lambda/core/auth.ts'],
      mapping: ['lambda/stripe-events/mapping/*.ts'],
      none: ['lambda/domain/empty.ts'],
    });
    expect(groups).toEqual([
      { name: 'auth', detected: 3, undetected: 1, score: 75 },
      // `*` stays within its folder: mapping/deep/other.ts is not in the group.
      { name: 'mapping', detected: 1, undetected: 1, score: 50 },
      { name: 'none', detected: 0, undetected: 0, score: null },
    ]);
    expect(modules.map((m) => [m.name, m.score])).toEqual([
      ['lambda/core/auth.ts', 75],
      ['lambda/stripe-events/mapping/invoice.ts', 50],
      ['lambda/stripe-events/mapping/deep/other.ts', 0],
      ['lambda/domain/empty.ts', null],
    ]);
  });

  it('formats one aligned line per row', () => {
    const text = formatScores([
      { name: 'auth', detected: 29, undetected: 1, score: 96.7 },
      { name: 'none', detected: 0, undetected: 0, score: null },
    ]);
    expect(text.split('\n')).toEqual([
      'auth   96.7%  (29 detected, 1 not)',
      'none     -    (0 detected, 0 not)',
    ]);
  });
});
