import type { ChildProcess } from 'node:child_process';

/** A local stand-in running as its own process: real I/O, stoppable to inject faults. */
export interface RunningService {
  readonly name: string;
  readonly endpoint: string;
  readonly port: number;
  /** The process's id, for signalling it directly (fault tests). */
  readonly pid: number | undefined;
  /**
   * Resolves when the process exits without having been asked to (a crash, an
   * out-of-memory kill, someone's `kill`); never settles after `stop()`.
   */
  readonly died: Promise<ServiceDiedError>;
  stop(): Promise<void>;
}

/** A service that exited on its own: which, how, and the last thing it printed. */
export class ServiceDiedError extends Error {
  override readonly name = 'ServiceDiedError';

  constructor(
    readonly service: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly output: string,
  ) {
    const how = signal === null ? `exit code ${exitCode}` : `killed by ${signal}`;
    const printed = output
      ? `Its last output:\n${output.replace(/^/gm, '  ')}`
      : 'It printed nothing.';
    super(`${service} stopped unexpectedly (${how}). ${printed}`);
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Tracks a child so it never outlives us: stopped on `stop()`, and killed if this process
 * exits first (a crashed test run or Ctrl-C must not leave a Java process behind).
 */
function manageChild(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const proc of running) proc.kill('SIGKILL');
    });
  }
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Keeps the last lines a child printed, to explain a failed start. */
function captureOutput(child: ChildProcess, maxLines = 30): () => string {
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - maxLines));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => lines.join('\n');
}

/**
 * Polls `probe` until it succeeds, the child exits, or `timeoutMs` passes; the error says
 * which, with the child's last output.
 */
async function waitUntilReady(
  name: string,
  child: ChildProcess,
  probe: () => Promise<unknown>,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before it was ready (code ${child.exitCode}).\n${output()}`);
    }
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(
          `${name} was not ready within ${timeoutMs} ms: ${String(error)}\n${output()}`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface ChildServiceOptions {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly endpoint: string;
  /** Resolves once the service answers. */
  readonly probe: () => Promise<unknown>;
}

/** Tracks a freshly spawned service and waits until it answers. */
export async function runChildService(options: ChildServiceOptions): Promise<RunningService> {
  const { name, child, port, endpoint, probe } = options;
  manageChild(child);
  child.on('error', () => undefined); // a failed spawn surfaces as an early exit below
  const output = captureOutput(child);
  let stopRequested = false;
  // 'close', not 'exit': by then the last output has been read too.
  const died = new Promise<ServiceDiedError>((resolve) => {
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (!stopRequested) resolve(new ServiceDiedError(name, code, signal, output()));
    });
  });
  await waitUntilReady(name, child, probe, output);
  return {
    name,
    endpoint,
    port,
    pid: child.pid,
    died,
    stop: () => {
      stopRequested = true;
      return stopChild(child);
    },
  };
}
