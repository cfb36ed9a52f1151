import { createServer } from 'node:net';

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

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  constructor(
    readonly port: number,
    readonly purpose: string,
    readonly envVar: string,
  ) {
    super(
      `Port ${port} (${purpose}) is already in use. Stop whatever is using it ` +
        `(lsof -i :${port}) or choose another port with ${envVar}=<port>.`,
    );
  }
}

/** Fails with a clear message, not a stack trace, when `port` is taken. */
export function assertPortFree(port: number, purpose: string, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, purpose, envVar) : error);
    });
    // Listen on all interfaces: a service bound to 0.0.0.0 or 127.0.0.1 both conflict.
    server.listen(port, () => {
      server.close(() => {
        resolve();
      });
    });
  });
}
