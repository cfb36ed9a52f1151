import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { findFreePort } from '../../../../local/services/ports';
import { startSnsEmulator } from '../../../../local/services/sns-emulator';

jest.setTimeout(30_000);

/** This machine's first address on a real network interface (not loopback). */
function networkAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && !address.internal && address.family === 'IPv4')
    ?.address;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('the local services listen on the loopback address only', () => {
  it('the SNS/SQS emulator cannot be reached from the network, only from this machine', async () => {
    // A machine with no network interface has nothing to protect and nothing to test.
    const external = networkAddress();
    expect(external).toBeDefined();
    const port = await findFreePort();
    const emulator = await startSnsEmulator(port);
    try {
      expect(await accepts('127.0.0.1', port)).toBe(true);
      expect(await accepts(external ?? '', port)).toBe(false);
    } finally {
      await emulator.stop();
    }
  });
});
