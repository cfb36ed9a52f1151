import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: usage is printed, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--help`: usage is printed on stdout, exit code 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

/** The command ran and failed (or found something wrong): exit code 1. */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Where a command writes: stdout for what it did, stderr for problems. */
export interface Output {
  out(line?: string): void;
  err(line?: string): void;
}

export const processOutput: Output = {
  out: (line = '') => {
    process.stdout.write(`${line}\n`);
  },
  err: (line = '') => {
    process.stderr.write(`${line}\n`);
  },
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs, strict, its errors turned into usage errors. */
export function parseOptions<O extends Options>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `--context key=value` (repeatable), as `cdk` takes it: top-level CDK context. */
export function parseContextArgs(values: readonly string[] | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  for (const entry of values ?? []) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`--context takes key=value (got "${entry}").`);
    context[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return context;
}

/** Runs a command's `main`, mapping its failures to exit codes and messages. */
export async function runCommand(
  main: () => Promise<number>,
  usage: string,
  output: Output = processOutput,
): Promise<number> {
  try {
    return await main();
  } catch (error) {
    if (error instanceof HelpRequested) {
      output.out(usage);
      return EXIT.ok;
    }
    if (error instanceof UsageError) {
      output.err(`Error: ${error.message}`);
      output.err();
      output.err(usage);
      return EXIT.usage;
    }
    output.err(`Error: ${describeError(error)}`);
    return EXIT.failed;
  }
}

/** An error's message, with what the service's errors keep for the log (never secrets). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const fields = (error as { logFields?: Record<string, string | undefined> }).logFields;
  const named = error as Error & { dependency?: unknown; operation?: unknown };
  const parts = [error.message];
  if (fields?.dependency !== undefined) {
    parts.push(`(${fields.dependency} ${fields.operation ?? ''}: ${fields.stripeMessage ?? ''})`);
  } else if (typeof named.dependency === 'string') {
    parts.push(`(${named.dependency} ${String(named.operation)})`);
  }
  return parts.join(' ').replace(/\s+/g, ' ').replace(' :)', ')').trim();
}

/**
 * Sets the exit code and lets the process end on its own (so piped output is flushed);
 * should an idle keep-alive socket hold it open, it exits a moment later anyway.
 */
export function exitWhenDone(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2_000).unref();
}
