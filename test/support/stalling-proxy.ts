import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a real dependency that can be made to stall: while stalled it
 * accepts connections and reads requests but forwards nothing and answers nothing, on new
 * and already-open (keep-alive) connections alike, which is what a clients sees of a
 * process stopped with SIGSTOP or a network black hole. Unlike stopping the shared
 * DynamoDB Local or emulator, it stalls only the clients a test points at it.
 */
export interface StallingProxy {
  readonly endpoint: string;
  stall(): void;
  /**
   * Requests still reach the dependency (and act), but no answer comes back: the window in
   * which a write happened that its caller cannot know of (a publish that timed out but
   * landed).
   */
  loseAnswers(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(target: string): Promise<StallingProxy> {
  const { hostname, port } = new URL(target);
  let stalled = false;
  let answersLost = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    const upstream = createConnection({ host: hostname, port: Number(port) });
    track(upstream);
    // Bytes that arrive while stalled are dropped: the request is lost, as it would be on
    // a frozen peer, and the client waits for an answer that never comes.
    client.on('data', (chunk) => {
      if (!stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!stalled && !answersLost) client.write(chunk);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${String(address.port)}`,
    stall: () => {
      stalled = true;
    },
    loseAnswers: () => {
      answersLost = true;
    },
    resume: () => {
      stalled = false;
      answersLost = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A server that accepts connections and never answers: a dependency stalled from the start. */
export async function startBlackHole(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${String(address.port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
