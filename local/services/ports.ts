import { createServer } from 'node:net';

/** Where a local service listening on `port` is reached: every one listens on the loopback address. */
export const loopbackUrl = (port: number): string => `http://127.0.0.1:${port}`;

/** A port the OS says is free right now (for tests that run services side by side). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not find a free port.'));
      });
    });
  });
}

/** A port the local stack will listen on: what listens there, and the variable that moves it. */
export interface NeededPort {
  readonly port: number;
  readonly purpose: string;
  readonly envVar: string;
}

/** Names every busy port at once: finding them one failed start at a time is tedious. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  constructor(readonly busy: readonly NeededPort[]) {
    super(describeBusyPorts(busy));
  }
}

function describeBusyPorts(busy: readonly NeededPort[]): string {
  const lines = busy.map(
    ({ port, purpose, envVar }) =>
      `  ${String(port).padEnd(6)} ${purpose}: choose another port with ${envVar}=<port>`,
  );
  const lsof = `lsof ${busy.map(({ port }) => `-i :${port}`).join(' ')}`;
  return [
    busy.length === 1 ? 'A port npm start needs is in use:' : 'Ports npm start needs are in use:',
    ...lines,
    `Stop whatever is using ${busy.length === 1 ? 'it' : 'them'} (${lsof}) or move ${busy.length === 1 ? 'it' : 'them'} as shown.`,
  ].join('\n');
}

/**
 * Checks every port before anything starts, and fails once naming all the busy ones (a
 * clear message, not a stack trace). One at a time: two needs on the same port would
 * otherwise each find the other's probe listening.
 */
export async function assertPortsFree(needed: readonly NeededPort[]): Promise<void> {
  const busy: NeededPort[] = [];
  for (const need of needed) if (await isPortBusy(need.port)) busy.push(need);
  if (busy.length > 0) throw new PortInUseError(busy);
}

function isPortBusy(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(true);
      else reject(error);
    });
    // Listen on all interfaces: a service bound to 0.0.0.0 or 127.0.0.1 both conflict.
    server.listen(port, () => {
      server.close(() => {
        resolve(false);
      });
    });
  });
}
