import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { loadLocalConfig, type LocalPorts, PORT_ENV_VARS } from '../../../local/config';
import { startLocalStack } from '../../../local/local-stack';
import { DYNAMODB_LOCAL_NAME } from '../../../local/services/dynamodb-local';
import { findFreePort, PortInUseError } from '../../../local/services/ports';
import { SNS_EMULATOR_NAME } from '../../../local/services/sns-emulator';
import { silentLogger, uniqueProjectName } from '../../support/test-stack';
import { PROJECT_ROOT } from '../../support/project-root';

// These start their own DynamoDB Local (Java) and emulator, not the run's shared ones:
// they kill them.
jest.setTimeout(120_000);

const ROOT = PROJECT_ROOT;

/** Something else listening, as a second `npm start` or a stray DynamoDB Local would be. */
function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as { port: number }).port });
    });
  });
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

async function freePorts(): Promise<LocalPorts> {
  const [api, dynamodb, sns, stripeSandbox] = await Promise.all(
    [1, 2, 3, 4].map(() => findFreePort()),
  );
  return {
    api: api ?? 0,
    dynamodb: dynamodb ?? 0,
    sns: sns ?? 0,
    stripeSandbox: stripeSandbox ?? 0,
  };
}

const stackConfig = (ports: LocalPorts) => ({
  ...loadLocalConfig({}),
  projectName: uniqueProjectName('services'),
  ports,
});

/** `npm start` as a user runs it, on the given ports, with its output collected. */
function npmStart(ports: LocalPorts) {
  // The defaults (the sandbox), whatever this shell has set.
  const inherited = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'PROJECT_NAME'];
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !inherited.includes(name)),
  );
  for (const name of Object.keys(ports) as (keyof LocalPorts)[]) {
    env[PORT_ENV_VARS[name]] = String(ports[name]);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => {
      resolve(code);
    });
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pid of `parent`'s child process running `command` (ps, as on Linux and macOS). */
function childPid(parent: ChildProcess, command: string): number {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  for (const row of rows.split('\n')) {
    const [pid, ppid, comm] = row.trim().split(/\s+/);
    if (Number(ppid) === parent.pid && comm?.endsWith(command)) return Number(pid);
  }
  throw new Error(`No ${command} child of ${parent.pid ?? '?'}`);
}

describe('npm start: busy ports', () => {
  let busy: { server: Server; port: number }[];
  let ports: LocalPorts;
  beforeEach(async () => {
    busy = await Promise.all([occupy(), occupy()]);
    const [api, dynamodb] = busy.map((b) => b.port);
    ports = { ...(await freePorts()), api: api ?? 0, dynamodb: dynamodb ?? 0 };
  });
  afterEach(async () => {
    await Promise.all(
      busy.map(
        ({ server }) =>
          new Promise((resolve) => {
            server.close(resolve);
          }),
      ),
    );
  });

  it('names every busy port in one error, before starting anything', async () => {
    const error = await startLocalStack({
      config: stackConfig(ports),
      logger: silentLogger(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortInUseError);
    const { busy: named, message } = error as PortInUseError;
    expect(named.map(({ port, envVar }) => [port, envVar])).toEqual([
      [ports.api, 'PORT'],
      [ports.dynamodb, 'DYNAMODB_PORT'],
    ]);
    expect(message).toContain('PORT=<port>');
    expect(message).toContain('DYNAMODB_PORT=<port>');
    // Nothing was started on the free ports.
    expect(await isListening(ports.sns)).toBe(false);
    expect(await isListening(ports.stripeSandbox)).toBe(false);
  });

  it('npm start prints them all without a stack trace and exits 1', async () => {
    const run = npmStart(ports);
    expect(await run.exited).toBe(1);
    const stderr = run.stderr();
    expect(stderr).toContain(`${ports.api}`);
    expect(stderr).toContain(`${ports.dynamodb}`);
    expect(stderr).toContain('choose another port with PORT=<port>');
    expect(stderr).toContain('choose another port with DYNAMODB_PORT=<port>');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describe('npm start: a service that dies', () => {
  it('names the dead service and stops everything else, the API included', async () => {
    const ports = await freePorts();
    const stack = await startLocalStack({ config: stackConfig(ports), logger: silentLogger() });
    try {
      expect(await isListening(ports.api)).toBe(true);
      const dynamo = stack.services.find((service) => service.name === DYNAMODB_LOCAL_NAME);
      process.kill(dynamo?.pid ?? 0, 'SIGKILL');

      const death = await stack.failed;
      expect(death.service).toBe(DYNAMODB_LOCAL_NAME);
      expect(death.message).toMatch(/^DynamoDB Local stopped unexpectedly \(killed by SIGKILL\)/);
      // Stopped, not just reported: the API, the sandbox and the emulator are gone too.
      expect(await isListening(ports.api)).toBe(false);
      expect(await isListening(ports.stripeSandbox)).toBe(false);
      expect(await isListening(ports.sns)).toBe(false);
    } finally {
      await stack.stop();
    }
  });

  it('npm start says which service died, stops, and exits non-zero', async () => {
    const ports = await freePorts();
    const run = npmStart(ports);
    try {
      await waitFor(() => run.stdout().includes('Press Ctrl-C to stop.'), 'npm start to be up');
      process.kill(childPid(run.child, 'java'), 'SIGKILL');
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toMatch(/DynamoDB Local stopped unexpectedly \(killed by SIGKILL\)/);
      expect(await isListening(ports.api)).toBe(false);
      expect(await isListening(ports.sns)).toBe(false);
      // The emulator was stopped on purpose: not reported as a second death.
      expect(run.stderr()).not.toContain(SNS_EMULATOR_NAME);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
