import { spawn } from 'node:child_process';
import { runChildService, ServiceDiedError } from '../../../../local/services/child-service';

/** A stand-in service: a node process that prints a line (then it is ready) and idles. */
function startIdleService() {
  const child = spawn(
    process.execPath,
    ['-e', "console.log('idle service up'); setInterval(() => undefined, 1000);"],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const printed = new Promise((resolve) => child.stdout.once('data', resolve));
  return runChildService({
    name: 'Idle service',
    child,
    port: 0,
    endpoint: 'http://127.0.0.1:0',
    probe: () => printed,
  });
}

const settledWithin = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) =>
      setTimeout(() => {
        resolve(false);
      }, ms),
    ),
  ]);

describe('runChildService', () => {
  it('reports a process that dies on its own: by name, with its signal and last output', async () => {
    const service = await startIdleService();
    process.kill(service.pid ?? 0, 'SIGKILL');
    const death = await service.died;
    expect(death).toBeInstanceOf(ServiceDiedError);
    expect(death.service).toBe('Idle service');
    expect(death.signal).toBe('SIGKILL');
    expect(death.message).toMatch(/^Idle service stopped unexpectedly \(killed by SIGKILL\)/);
    expect(death.message).toContain('  idle service up');
  });

  it('reports an exit code when the process exits by itself', () => {
    const death = new ServiceDiedError('DynamoDB Local', 1, null, '');
    expect(death.message).toBe(
      'DynamoDB Local stopped unexpectedly (exit code 1). It printed nothing.',
    );
  });

  it('does not report an intentional stop as a death', async () => {
    const service = await startIdleService();
    await service.stop();
    expect(await settledWithin(service.died, 300)).toBe(false);
  });
});
