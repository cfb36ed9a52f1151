/**
 * The mutation score of each group of money-path modules (stryker.config.mjs's
 * MONEY_PATHS) and of each module, from Stryker's JSON report (mutation-testing-elements
 * schema). A score is what Stryker calls the mutation score: mutants detected (killed, or
 * timed out) over mutants that could have been (those plus survivors and mutants no test
 * reaches); mutants that do not compile (the TypeScript checker's) are not counted.
 */
export interface MutationReport {
  readonly files: Readonly<
    Record<string, { readonly mutants: readonly { readonly status: string }[] }>
  >;
}

export interface ScoreRow {
  readonly name: string;
  readonly detected: number;
  readonly undetected: number;
  /** Percent, one decimal; null when nothing could be detected. */
  readonly score: number | null;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** `*` within one path segment, as the config's patterns use it. */
const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );

function row(name: string, statuses: readonly string[]): ScoreRow {
  const detected = statuses.filter((status) => DETECTED.has(status)).length;
  const undetected = statuses.filter((status) => UNDETECTED.has(status)).length;
  const total = detected + undetected;
  return {
    name,
    detected,
    undetected,
    score: total === 0 ? null : Math.round((detected / total) * 1000) / 10,
  };
}

/** One row per group, then one per module, in the config's order. */
export function mutationScores(
  report: MutationReport,
  groups: Readonly<Record<string, readonly string[]>>,
): { readonly groups: ScoreRow[]; readonly modules: ScoreRow[] } {
  const files = Object.entries(report.files);
  const statusesOf = (patterns: readonly string[]) => {
    const matchers = patterns.map(globToRegExp);
    return files.filter(([file]) => matchers.some((matcher) => matcher.test(file)));
  };
  return {
    groups: Object.entries(groups).map(([name, patterns]) =>
      row(
        name,
        statusesOf(patterns).flatMap(([, file]) => file.mutants.map((m) => m.status)),
      ),
    ),
    modules: files.map(([file, { mutants }]) =>
      row(
        file,
        mutants.map((m) => m.status),
      ),
    ),
  };
}

export function formatScores(rows: readonly ScoreRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  return rows
    .map(
      (r) =>
        `${r.name.padEnd(width)}  ${r.score === null ? '   -  ' : `${r.score.toFixed(1).padStart(5)}%`}  ` +
        `(${String(r.detected)} detected, ${String(r.undetected)} not)`,
    )
    .join('\n');
}
