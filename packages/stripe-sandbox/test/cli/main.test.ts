import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Stripe from 'stripe';
import { STATE_FILE } from '../../src';
import { startReceiver, type WebhookReceiver } from '../support/harness';

jest.setTimeout(60_000);

/** The `bin` of package.json: what `npx stripe-sandbox` runs. */
const BIN = path.join(__dirname, '..', '..', 'bin', 'stripe-sandbox.js');

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts the CLI and waits for the line saying where it listens. */
async function startCli(...args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      reject(new Error(`stripe-sandbox exited (${String(code)}) before listening:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

let running: Running | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  running = undefined;
  await receiver?.stop();
  receiver = undefined;
});

describe('the stripe-sandbox command', () => {
  it('serves Stripe objects to stripe-node on a free port, delivers webhooks, and stops on Ctrl-C', async () => {
    const started = await startReceiver('whsec_cli_test');
    receiver = started.receiver;
    running = await startCli(
      '--port',
      '0',
      '--webhook-url',
      started.url,
      '--webhook-secret',
      'whsec_cli_test',
      '--api-version',
      '2025-03-31.basil',
    );
    const { port } = new URL(running.url);
    expect(running.output()).toContain(`--api-base ${running.url}`);

    const stripe = new Stripe('sk_test_cli_child', {
      host: '127.0.0.1',
      port: Number(port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const created = await stripe.customers.create({ email: 'cli@example.com' });
    const retrieved = await stripe.customers.retrieve(created.id);
    expect(retrieved).toMatchObject({
      id: created.id,
      object: 'customer',
      email: 'cli@example.com',
    });

    // The delivery of customer.created, signed with --webhook-secret, in --api-version.
    const events = started.receiver.events;
    for (let i = 0; i < 100 && events.length === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started.receiver.rejected).toEqual([]);
    expect(events[0]).toMatchObject({
      type: 'customer.created',
      api_version: '2025-03-31.basil',
      data: { object: { id: created.id } },
    });

    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('Stripe sandbox stopped.');
    await expect(fetch(`${running.url}/v1/customers`)).rejects.toThrow();
  });

  it('--data-dir: the state survives a restart; a corrupt file is exit code 1, saying why', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-sandbox-cli-data-'));
    try {
      const client = (url: string) =>
        new Stripe('sk_test_cli_child', {
          host: '127.0.0.1',
          port: Number(new URL(url).port),
          protocol: 'http',
          maxNetworkRetries: 0,
        });
      running = await startCli('--port', '0', '--data-dir', dataDir);
      expect(running.output()).toContain(`state         kept in ${dataDir} (new)`);
      const created = await client(running.url).customers.create({ email: 'kept@example.com' });
      running.child.kill('SIGINT');
      expect(await running.exited).toBe(0);

      running = await startCli('--port', '0', '--data-dir', dataDir);
      expect(running.output()).toContain('(loaded from an earlier run)');
      await expect(client(running.url).customers.retrieve(created.id)).resolves.toMatchObject({
        email: 'kept@example.com',
      });
      running.child.kill('SIGINT');
      expect(await running.exited).toBe(0);

      fs.writeFileSync(path.join(dataDir, STATE_FILE), 'not json');
      const child = spawn(process.execPath, [BIN, '--port', '0', '--data-dir', dataDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
      expect(stderr).toContain("stripe-sandbox: Cannot load the sandbox's saved state");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown flag with the usage and exit code 2', async () => {
    const child = spawn(process.execPath, [BIN, '--prot', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--prot'");
    expect(stderr).toContain('Usage: stripe-sandbox');
  });
});
